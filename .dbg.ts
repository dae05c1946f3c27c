import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadConfig } from './src/config/load.js';
import { createDetector } from './src/detect/detector.js';
import { annotatedJpeg } from './src/detect/annotate.js';
import { silentLogger } from './src/shared/logger.js';
const loaded = loadConfig('config.json', { env: { ROADSIDE_MODELS_DIR: '/work/shared/models' } });
loaded.modelsDir = '/work/shared/models';
const d = await createDetector(loaded, silentLogger(), { scan: 'regions' });
const ff = spawn('ffmpeg', ['-v', 'error', '-i', process.argv[2]!, '-frames:v', '40', '-vf', 'scale=1280:720', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
const chunks: Buffer[] = []; ff.stdout.on('data', (c: Buffer) => chunks.push(c)); await new Promise((r) => ff.on('close', r));
const all = Buffer.concat(chunks); const size = 1280 * 720 * 3;
for (let i = 0; i < all.length / size; i++) {
  const a = await d.analyze({ seq: i, width: 1280, height: 720, data: new Uint8Array(all.subarray(i * size, (i + 1) * size)), capturedAt: 0 });
  const s = a.scan!;
  console.log(i, s.mode, s.motionFraction?.toFixed(3), 'motion', JSON.stringify(s.motion.map((b) => [b.x1, b.y1, b.x2, b.y2].map(Math.round))), 'regions', JSON.stringify(s.regions.map((b) => [b.x1, b.y1, b.x2, b.y2].map(Math.round))), 'motos', a.motorcycles.length, 'dets', a.detections.filter(x=>x.role).map(x=>x.role![0]+x.score.toFixed(2)).join(','));
  if (i % 5 === 2) writeFileSync(`/tmp/q14/dbg-${i}.jpg`, await annotatedJpeg(a));
}
await d.close();
