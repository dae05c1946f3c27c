import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { annotatedJpeg } from '../detect/annotate.js';
import { createDetector, type PlateScope } from '../detect/detector.js';
import { loadImageFrame } from '../detect/image.js';
import { splitTimings } from '../detect/timings.js';
import { describeError, isAgentError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import pino from 'pino';
import type { Box, FrameAnalysis, PlateRead } from '../shared/types.js';
import { reportConfigError } from './check-config.js';
import type { RegisterVerb } from './context.js';
import type { CommandIo } from './io.js';

export interface DetectOptions {
  config: string;
  out?: string;
  plates: PlateScope;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const box = (b: Box): [number, number, number, number] => [r1(b.x1), r1(b.y1), r1(b.x2), r1(b.y2)];
const p3 = (v: number): number => Math.round(v * 1000) / 1000;

function plateJson(p: PlateRead): Record<string, unknown> {
  const region = p.region ? { region: p.region, region_confidence: p3(p.regionConfidence ?? 0) } : {};
  return { text: p.text, raw: p.raw, confidence: p3(p.confidence), ...region, repaired: p.repaired ?? 0, box: box(p.box) };
}

/** The analysis as plain JSON: boxes as [x1, y1, x2, y2] in image pixels. */
export function analysisJson(a: FrameAnalysis): Record<string, unknown> {
  return {
    width: a.frame.width,
    height: a.frame.height,
    detections: a.detections.map((d) => ({ role: d.role, class_id: d.classId, score: p3(d.score), box: box(d.box) })),
    motorcycles: a.motorcycles.map((m) => ({
      box: box(m.motorcycle.box),
      score: p3(m.motorcycle.score),
      riders: m.riders.map((r) => ({
        box: box(r.person.box),
        score: p3(r.person.score),
        helmet: r.helmet.verdict,
        no_helmet_score: p3(r.helmet.noHelmetScore),
        head_box: box(r.helmet.headBox),
      })),
      plate: m.plate ? plateJson(m.plate) : null,
    })),
    ...(a.scan ? { scan: { mode: a.scan.mode, regions: a.scan.regions.map(box) } } : {}),
    other_plates: (a.otherPlates ?? []).map((o) => ({ vehicle_class_id: o.vehicle?.classId ?? null, ...plateJson(o.plate) })),
    timings_ms: Object.fromEntries(Object.entries(a.timings).map(([k, v]) => [k, r1(v)])),
  };
}

export async function detectCommand(image: string, options: DetectOptions, io: CommandIo): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(options.config, { env: io.env });
  } catch (err) {
    return reportConfigError(err, io);
  }
  // Log lines (the provider fallback WARN) go to stderr as readable lines.
  const logger = pino(
    { level: 'warn', base: null, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => {
      const o = JSON.parse(line) as { level: string; msg?: string };
      io.err(`${o.level}: ${o.msg ?? ''}`);
    } },
  );
  let detector;
  try {
    const frame = await loadImageFrame(resolve(image));
    detector = await createDetector(loaded, logger, { plates: options.plates, scan: loaded.config.regions.tiles ? 'tiles' : 'whole' });
    const analysis = await detector.analyze(frame);
    const outDir = resolve(options.out ?? '.');
    mkdirSync(outDir, { recursive: true });
    const jpeg = join(outDir, `${basename(image, extname(image))}.detect.jpg`);
    writeFileSync(jpeg, await annotatedJpeg(analysis));
    const { model, own } = splitTimings(analysis.timings);
    io.out(
      JSON.stringify(
        {
          image: resolve(image),
          provider: detector.provider,
          ...(detector.fallbackReason ? { provider_fallback: detector.fallbackReason } : {}),
          models: detector.modelIds,
          ...analysisJson(analysis),
          model_ms: r1(model),
          own_ms: r1(own),
          annotated: jpeg,
        },
        null,
        2,
      ),
    );
    return EXIT.OK;
  } catch (err) {
    io.err(`roadside-agent detect: ${describeError(err)}`);
    if (isAgentError(err, 'RSA_MODEL_MISSING') || isAgentError(err, 'RSA_MODEL_LOAD') || isAgentError(err, 'RSA_PROVIDER_UNAVAILABLE')) return EXIT.CONFIG;
    return EXIT.FAILURE;
  } finally {
    await detector?.close();
  }
}

export const registerDetect: RegisterVerb = (program, ctx) => {
  program
    .command('detect')
    .description('Run the detection pipeline on one image: JSON of every box, rider, helmet verdict and plate, and an annotated JPEG.')
    .argument('<image>', 'image file (JPEG, PNG)')
    .requiredOption('-c, --config <file>', 'per-camera config file (its models section is used)')
    .option('-o, --out <dir>', 'where the annotated JPEG is written (default: the current directory)')
    .option('--plates <scope>', 'read plates of "all" motorcycles or only "suspects" (riders not judged helmeted)', 'all')
    .action(async (image: string, opts: { config: string; out?: string; plates: string }) => {
      const plates: PlateScope = opts.plates === 'suspects' ? 'suspects' : 'all';
      ctx.exit(await detectCommand(image, { config: opts.config, out: opts.out, plates }, ctx.io));
    });
};
