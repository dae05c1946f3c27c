import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeEvidence } from '../../src/evidence/encode.js';
import { makeEvidence, overlayBoxes } from '../../src/evidence/evidence.js';
import { overlaySvg, visibleBox } from '../../src/evidence/overlay.js';
import { cropRaw } from '../../src/evidence/raw.js';
import { buildViolation } from '../../src/evidence/record.js';
import type { Box } from '../../src/shared/types.js';
import { T0, bike, box, frameAt, plate } from '../track/fixtures.js';

const W = 320;
const H = 180;

function image(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x & 0xff;
      data[i + 1] = y & 0xff;
      data[i + 2] = 100;
    }
  return { width, height, data };
}

function rects(svg: string): Box[] {
  return [...svg.matchAll(/<rect x="(-?\d+)" y="(-?\d+)" width="(-?\d+)" height="(-?\d+)"/g)].map((m) => {
    const [x, y, w, h] = m.slice(1).map(Number) as [number, number, number, number];
    return { x1: x, y1: y, x2: x + w, y2: y + h };
  });
}

describe('raw crops', () => {
  it('copies exactly the pixels of the box', () => {
    const img = image(W, H);
    const c = cropRaw(img, box(10, 20, 3, 2));
    expect([c.width, c.height]).toEqual([3, 2]);
    expect([...c.data]).toEqual([10, 20, 100, 11, 20, 100, 12, 20, 100, 10, 21, 100, 11, 21, 100, 12, 21, 100]);
  });

  it.each([box(-20, -20, 50, 50), box(300, 170, 100, 100), box(500, 500, 10, 10)])('clips %o to the image', (b) => {
    const c = cropRaw(image(W, H), b);
    expect(c.width).toBeGreaterThan(0);
    expect(c.height).toBeGreaterThan(0);
    expect(c.data.length).toBe(c.width * c.height * 3);
  });
});

describe('overlay', () => {
  it.each([
    { name: 'inside', b: box(10, 40, 50, 50) },
    { name: 'past the right and bottom edges', b: box(300, 150, 80, 80) },
    { name: 'past the top-left corner', b: box(-30, -30, 60, 60) },
    { name: 'wholly outside', b: box(400, 300, 10, 10) },
  ])('every box drawn for a box $name lies within the frame', ({ b }) => {
    const svg = overlaySvg(W, H, [{ box: b, label: 'NO HELMET 0.97', tone: 'violation' }], 'caption');
    const rs = rects(svg);
    expect(rs.length).toBe(3);
    for (const r of rs) {
      expect(r.x1).toBeGreaterThanOrEqual(0);
      expect(r.y1).toBeGreaterThanOrEqual(0);
      expect(r.x2).toBeLessThanOrEqual(W);
      expect(r.y2).toBeLessThanOrEqual(H);
      expect(r.x2).toBeGreaterThan(r.x1);
      expect(r.y2).toBeGreaterThan(r.y1);
    }
    expect(visibleBox(b, W, H).x2).toBeLessThanOrEqual(W);
  });

  it('labels the motorcycle with its track, each rider with its verdict, and the plate with its text', () => {
    const o = { ...bike(box(50, 100, 100, 60), ['no_helmet', 'helmet']), plate: plate(box(80, 140, 40, 15), '59X112345') };
    const labels = overlayBoxes(7, o).map((b) => b.label);
    expect(labels).toEqual(['#7 motorcycle 0.85', 'NO HELMET 0.95', null, 'helmet 0.05', null, '59X112345']);
  });

  it('escapes text so a label cannot break the SVG', () => {
    expect(overlaySvg(W, H, [{ box: box(0, 0, 5, 5), label: '<a&"b">', tone: 'plate' }])).toContain('&lt;a&amp;&quot;b&quot;&gt;');
  });
});

describe('evidence images', () => {
  it('are valid JPEGs of the stated size, with the sha256 of their bytes', async () => {
    const f = frameAt(3, [], { width: W, height: H, pattern: true }).frame;
    const o = { ...bike(box(50, 100, 100, 60), 'no_helmet'), plate: plate(box(80, 140, 40, 15), '59X112345') };
    const plateCrop = cropRaw(f, o.plate.box);
    const ev = await makeEvidence({ frame: f, trackId: 1, observation: o, rider: o.riders[0]!, plateCrop, caption: 'cam-1' }, { quality: 85 });
    expect(ev.map((e) => e.kind)).toEqual(['frame', 'rider', 'plate']);
    for (const e of ev) {
      const meta = await sharp(e.jpeg).metadata();
      expect(meta.format).toBe('jpeg');
      expect([meta.width, meta.height]).toEqual([e.width, e.height]);
      expect(e.sha256).toBe(createHash('sha256').update(e.jpeg).digest('hex'));
    }
    expect([ev[0]!.width, ev[0]!.height]).toEqual([W, H]);
    // Crops are enlarged to be looked at: the 15 px plate to 64 px, keeping its aspect.
    expect(ev[2]!.height).toBe(64);
    expect(ev[2]!.width).toBe(Math.round((40 * 64) / 15));
  });

  it('draw the boxes on the full frame (the pixels under a box edge change colour)', async () => {
    const blank = { width: W, height: H, data: new Uint8Array(W * H * 3) };
    const svg = overlaySvg(W, H, [{ box: box(100, 60, 80, 80), label: null, tone: 'violation' }]);
    const e = await encodeEvidence('frame', blank, { quality: 95, overlay: svg });
    const { data, info } = await sharp(e.jpeg).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(px(100, 100)[0]).toBeGreaterThan(150); // on the left edge: red
    expect(px(140, 100)[0]).toBeLessThan(40); // inside the box: still black
  });

  it('follow the JPEG quality setting', async () => {
    const img = { width: W, height: H, data: frameAt(1, [], { width: W, height: H, pattern: true }).frame.data };
    const low = await encodeEvidence('frame', img, { quality: 30 });
    const high = await encodeEvidence('frame', img, { quality: 95 });
    expect(low.jpeg.length).toBeLessThan(high.jpeg.length);
  });
});

describe('violation record', () => {
  it('copies every field, rounds times to ms and makes a UUIDv7 from the occurrence time', () => {
    const v = buildViolation({
      type: 'no_helmet',
      camera: { id: 'cam-1', location: 'Junction' },
      trackId: 4,
      plate: { text: 'ABC1234', confidence: 0.812345 },
      detectionConfidence: 0.934567,
      occurredAt: T0 + 200.4,
      firstSeenAt: T0,
      lastSeenAt: T0 + 1000,
      frameCount: 5,
      models: { scene: 'a@1' },
      agentVersion: '0.1.0',
      evidence: [],
    });
    expect(v).toMatchObject({ cameraId: 'cam-1', cameraLocation: 'Junction', plateText: 'ABC1234', plateConfidence: 0.8123, detectionConfidence: 0.9346, occurredAt: T0 + 200, frameCount: 5, trackId: 4 });
    expect(v.id[14]).toBe('7');
    // The first 48 bits of a UUIDv7 are its Unix time in ms.
    expect(parseInt(v.id.replace(/-/g, '').slice(0, 12), 16)).toBe(T0 + 200);
  });

  it('gives two records of the same millisecond different ids', () => {
    const f = { type: 'no_helmet' as const, camera: { id: 'c', location: 'l' }, trackId: 1, plate: null, detectionConfidence: 1, occurredAt: T0, firstSeenAt: T0, lastSeenAt: T0, frameCount: 1, models: {}, agentVersion: 'x', evidence: [] };
    expect(buildViolation(f).id).not.toBe(buildViolation(f).id);
  });
});
