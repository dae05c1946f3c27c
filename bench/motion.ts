// Cost of motion detection per frame (grey copy, background, threshold, boxes) and of planning
// the regions, on real frames at the detect size: the demo clip and, when given, other clips.
//
//   npx tsx bench/motion.ts [--clip FILE]... [--reps 5]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MotionSchema, RegionsSchema } from '../src/config/motion.js';
import { RegionGate } from '../src/motion/gate.js';
import { MotionDetector } from '../src/motion/motion.js';
import { spread } from './run-stats.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { clip: { type: 'string', multiple: true, default: [] }, reps: { type: 'string', default: '5' }, frames: { type: 'string', default: '150' } } });
const WIDTH = 1280;
const HEIGHT = 720;

function frames(file: string, max: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', String(max), '-vf', `fps=5,scale=${WIDTH}:${HEIGHT}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], {
    maxBuffer: 2 ** 30,
  });
  const size = WIDTH * HEIGHT * 3;
  return Array.from({ length: Math.floor(raw.length / size) }, (_, i) => new Uint8Array(raw.subarray(i * size, (i + 1) * size)));
}

const motionCfg = MotionSchema.parse({});
const gateCfg = { ...RegionsSchema.parse({}), size: 416 };
console.log(`motion at ${WIDTH}x${HEIGHT} → grey ${Math.round((motionCfg.frame_height * WIDTH) / HEIGHT)}x${motionCfg.frame_height}; ms per frame, median of ${values.reps} passes [min–max]`);
for (const clip of [join(ROOT, '../shared/media/in/nhutanh_test1.mp4'), ...values.clip]) {
  const fs = frames(clip, Number(values.frames));
  const motionMs: number[] = [];
  const planMs: number[] = [];
  let boxes = 0;
  let none = 0;
  for (let rep = 0; rep < Number(values.reps); rep++) {
    const m = new MotionDetector(motionCfg);
    const g = new RegionGate(gateCfg);
    let tm = 0;
    let tp = 0;
    boxes = 0;
    none = 0;
    fs.forEach((data, seq) => {
      const t0 = performance.now();
      const r = m.detect({ width: WIDTH, height: HEIGHT, data });
      const t1 = performance.now();
      const plan = g.plan(seq, WIDTH, HEIGHT, r);
      g.observe(seq, plan, []);
      tp += performance.now() - t1;
      tm += t1 - t0;
      boxes += r.boxes.length;
      if (plan.mode === 'none') none++;
    });
    motionMs.push(tm / fs.length);
    planMs.push(tp / fs.length);
  }
  console.log(`${clip}: ${fs.length} frames, motion ${spread(motionMs, 2)} ms, region plan ${spread(planMs, 3)} ms; ${boxes} motion boxes, ${none} frames with nothing to scan (no detections fed back)`);
}
