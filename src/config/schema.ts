import { z } from 'zod';
import { CameraSchema } from './camera.js';
import { CentralSchema } from './central.js';
import { ModelsSchema } from './models.js';
import { MotionSchema, RegionsSchema } from './motion.js';
import { OperateSchema } from './operate.js';
import { PlatesSchema } from './plates.js';
import { QueueSchema } from './queue.js';
import { DedupSchema, RulesSchema } from './rules.js';

/** One camera's config: one section per pipeline stage. */
export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path of config.schema.json, for editors.'),
    camera: CameraSchema,
    models: ModelsSchema,
    motion: MotionSchema.prefault({}),
    regions: RegionsSchema.prefault({}),
    plates: PlatesSchema.prefault({}),
    rules: RulesSchema.prefault({}),
    dedup: DedupSchema.prefault({}),
    queue: QueueSchema.prefault({}),
    central: CentralSchema,
    operate: OperateSchema,
  })
  .describe('roadside-agent per-camera configuration.');

export type Config = z.output<typeof ConfigSchema>;
export type CameraConfig = Config['camera'];
export type ModelsConfig = Config['models'];
export type DetectorConfig = Config['models']['scene'];
export type InputConfig = DetectorConfig['input'];
export type MotionConfig = Config['motion'];
export type RegionsConfig = Config['regions'];
export type RulesConfig = Config['rules'];
export type PlatesConfig = Config['plates'];
export type DedupConfig = Config['dedup'];
export type QueueConfig = Config['queue'];
export type CentralConfig = Config['central'];
export type OperateConfig = Config['operate'];
export type BackoffConfig = CameraConfig['reconnect'];

export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' });
}
