// The helmet models' time per rider: the shipped head detector (per 128² region, and per rider
// with models.helmet.flip: the region and its mirror image in one batch), the shipped
// classifier and, when it is in the models directory, the provisional one (per 64² head crop),
// alternating in one run (1 intra-op thread, as the agent runs them), batches of 1 and of 8;
// median of several rounds. --baseline adds another classifier file (e.g. the previously shipped
// one) to the same run, --heads another head detector file (both views, e.g. a recipe's output).
//
//   npx tsx bench/helmet-classifier.ts [--rounds 7] [--iters 100] [--baseline FILE] [--heads FILE]
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { PACKAGE_MODELS_DIR } from '../src/config/model-files.js';
import { median } from './run-stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, iters: { type: 'string', default: '100' }, baseline: { type: 'string' }, heads: { type: 'string' } } });
const modelsDir = resolve(process.env.ROADSIDE_MODELS_DIR ?? join(import.meta.dirname, '../../shared/models'));
const models = [
  { name: 'head detector rider_heads.onnx', file: join(PACKAGE_MODELS_DIR, 'helmet-heads/rider_heads.onnx'), side: 128, views: 1 },
  { name: 'head detector, flip (2 views)', file: join(PACKAGE_MODELS_DIR, 'helmet-heads/rider_heads.onnx'), side: 128, views: 2 },
  ...(values.heads ? [{ name: `${basename(values.heads)}, flip (2 views)`, file: resolve(values.heads), side: 128, views: 2 }] : []),
  { name: 'classifier rider_helmet.onnx', file: join(PACKAGE_MODELS_DIR, 'helmet/rider_helmet.onnx'), side: 64, views: 1 },
  ...(values.baseline ? [{ name: `baseline ${values.baseline}`, file: resolve(values.baseline), side: 64, views: 1 }] : []),
  { name: 'provisional helmet_cls.onnx', file: join(modelsDir, 'helmet/helmet_cls.onnx'), side: 64, views: 1 },
].filter((m) => existsSync(m.file));

const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, enableCpuMemArena: false };
const sessions = await Promise.all(models.map((m) => ort.InferenceSession.create(m.file, options)));
const samples = models.map(() => ({ b1: [] as number[], b8: [] as number[] }));

/** ms per rider of `batch` riders, each `views` inputs. */
async function perCrop(session: ort.InferenceSession, side: number, batch: number, views: number): Promise<number> {
  const n = batch * views;
  const data = new Float32Array(n * 3 * side * side).map((_, i) => (i * 131) % 255);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', data, [n, 3, side, side]) };
  await session.run(feeds);
  const t0 = performance.now();
  for (let i = 0; i < Number(values.iters); i++) await session.run(feeds);
  return (performance.now() - t0) / Number(values.iters) / batch;
}

for (let r = 0; r < Number(values.rounds); r++) {
  for (let i = 0; i < sessions.length; i++) {
    samples[i]!.b1.push(await perCrop(sessions[i]!, models[i]!.side, 1, models[i]!.views));
    samples[i]!.b8.push(await perCrop(sessions[i]!, models[i]!.side, 8, models[i]!.views));
  }
}
for (let i = 0; i < models.length; i++) {
  const s = samples[i]!;
  console.log(`${models[i]!.name.padEnd(32)} ms per rider: batch 1 ${median(s.b1).toFixed(2)} (${Math.min(...s.b1).toFixed(2)}-${Math.max(...s.b1).toFixed(2)}), batch 8 ${median(s.b8).toFixed(2)} (${Math.min(...s.b8).toFixed(2)}-${Math.max(...s.b8).toFixed(2)})`);
}
await Promise.all(sessions.map((s) => s.release()));
