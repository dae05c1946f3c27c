// Letterbox cost alone: fillTensor for the scene model's input from frames of the detect
// size (and from 1080p and from an ffmpeg-scaled 416x234 frame, the design's reference
// points), median ms of several rounds.
//
//   npx tsx bench/preprocess.ts [--rounds 7] [--iters 50]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { validateConfig } from '../src/config/load.js';
import { tensorSpec } from '../src/detect/model-input.js';
import { allocTensor, fillTensor, type RgbImage, type TensorSpec } from '../src/detect/preprocess.js';
import { median } from './run-stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, iters: { type: 'string', default: '50' } } });

// The specs the example config declares, as the detector builds them.
const models = validateConfig(JSON.parse(readFileSync(new URL('../config.json', import.meta.url), 'utf8'))).models;
const scene: TensorSpec = tensorSpec(models.scene.input);
if (models.helmet.type !== 'classifier') throw new Error('bench/preprocess.ts expects the example config\'s helmet classifier');
const helmet: TensorSpec = tensorSpec(models.helmet.input);
const plate: TensorSpec = { ...scene, width: 128, height: 64, channelOrder: 'rgb', layout: 'nhwc', dtype: 'uint8', resize: 'stretch' };

function image(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  return { width, height, data };
}

export function measure(spec: TensorSpec, img: RgbImage, region = { x1: 0, y1: 0, x2: img.width, y2: img.height }): number {
  const dst = allocTensor(spec);
  const iters = Number(values.iters);
  const rounds: number[] = [];
  for (let i = 0; i < 5; i++) fillTensor(img, region, spec, dst);
  for (let r = 0; r < Number(values.rounds); r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fillTensor(img, region, spec, dst);
    rounds.push((performance.now() - t0) / iters);
  }
  return median(rounds);
}

const cases: Array<[string, TensorSpec, RgbImage, { x1: number; y1: number; x2: number; y2: number } | undefined]> = [
  ['scene 416x416 from 416x234', scene, image(416, 234), undefined],
  ['scene 416x416 from 1280x720', scene, image(1280, 720), undefined],
  ['scene 416x416 from 1920x1080', scene, image(1920, 1080), undefined],
  ['helmet 64x64 area from a 60x60 head', helmet, image(1280, 720), { x1: 600.5, y1: 300.2, x2: 660.5, y2: 360.2 }],
  ['plate 128x64 uint8 nhwc from 90x30', plate, image(1280, 720), { x1: 500, y1: 400, x2: 590, y2: 430 }],
];
for (const [name, spec, img, region] of cases) console.log(`${name.padEnd(40)} ${measure(spec, img, region).toFixed(3)} ms`);
