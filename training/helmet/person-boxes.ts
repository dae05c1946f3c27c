// Runs the agent's own scene detector (config.json's models.scene) over a YOLO-layout frame set
// and writes, per image, every person box with the head crop the classifier would cut from it
// (config.json's models.helmet.crop when it runs the classifier, else the classifier's own
// labels.json crop rule). The recipes match these boxes to the labelled heads, so the models
// learn on what they will see in the field (the head detector cuts its squares from the boxes).
// `npx tsx training/helmet/person-boxes.ts --data DIR --out FILE [--splits train,val] [--limit N]`
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { resolveModelPath } from '../../src/config/model-files.js';
import { loadImageFrame } from '../../src/detect/image.js';
import { ObjectDetector } from '../../src/detect/object-detector.js';
import { headCrop, type HeadCropRule } from '../../src/detect/riders.js';
import { openSessions } from '../../src/detect/session.js';
import { Stopwatch } from '../../src/detect/timings.js';
import { silentLogger } from '../../src/shared/logger.js';

const root = resolve(import.meta.dirname, '../..');
const arg = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`person-boxes: missing ${name}`);
  return v;
};

const data = resolve(arg('--data'));
const out = resolve(arg('--out'));
const splits = arg('--splits', 'train,val').split(',');
const limit = Number(arg('--limit', '0'));
const modelsDir = resolve(process.env.ROADSIDE_MODELS_DIR ?? join(root, '../shared/models'));

const { config } = loadConfig(join(root, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
const m = config.models;
const c = m.helmet.type === 'classifier' ? m.helmet.crop : (JSON.parse(readFileSync(join(root, 'models/helmet/labels.json'), 'utf8')) as { crop: HeadCropRule }).crop;
const opened = await openSessions(
  { scene: resolveModelPath(modelsDir, m.scene.path) },
  { provider: 'cpu', requireGpu: false, intraOpThreads: m.intra_op_threads, allowSpinning: false },
  silentLogger(),
);
const scene = new ObjectDetector(opened.sessions.scene, m.scene, 'scene');
const result: Record<string, unknown> = {};
try {
  for (const split of splits) {
    let files = readdirSync(join(data, 'images', split)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
    if (limit > 0) files = files.slice(0, limit);
    for (const f of files) {
      const frame = await loadImageFrame(join(data, 'images', split, f));
      const found = await scene.detect(frame, new Stopwatch(() => performance.now()));
      result[`${split}/${f}`] = {
        width: frame.width,
        height: frame.height,
        persons: found.filter((d) => d.role === 'person').map((d) => ({ box: d.box, score: d.score, crop: headCrop(d.box, c) })),
      };
    }
    console.log(`person-boxes: ${split}: ${files.length} images`);
  }
} finally {
  await Promise.allSettled(Object.values(opened.sessions).map((s) => s.release()));
}
writeFileSync(out, JSON.stringify({ crop_rule: c, scene: m.scene.path, images: result }));
console.log(`person-boxes: wrote ${out}`);
