import { describe, expect, it } from 'vitest';
import { Tensor } from 'onnxruntime-node';
import { decodePlateHead, pickPlate, PlateDetectorLocator, plateRegionOf } from '../../src/detect/plate-detector.js';
import { Stopwatch } from '../../src/detect/timings.js';
import { isAgentError } from '../../src/shared/errors.js';

/** Rows of batch, x1, y1, x2, y2, class, score. */
const head = (rows: number[][]) => ({ data: Float32Array.from(rows.flat()), dims: [rows.length, 7] });

describe('decodePlateHead ([N,7] end-to-end head)', () => {
  it.each([
    { what: 'one plate', rows: [[0, 10, 20, 50, 35, 0, 0.8]], want: [{ x1: 10, y1: 20, x2: 50, y2: 35, score: 0.8 }] },
    { what: 'no plate (N = 0)', rows: [], want: [] },
    { what: 'under the threshold', rows: [[0, 10, 20, 50, 35, 0, 0.1]], want: [] },
    { what: 'at the threshold', rows: [[0, 1, 2, 3, 4, 0, 0.2]], want: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.2 }] },
    { what: 'another batch item', rows: [[1, 10, 20, 50, 35, 0, 0.9]], want: [] },
    { what: 'an empty box', rows: [[0, 50, 20, 50, 35, 0, 0.9]], want: [] },
    { what: 'a NaN score', rows: [[0, 10, 20, 50, 35, 0, Number.NaN]], want: [] },
    {
      what: 'two plates, best first',
      rows: [[0, 0, 0, 10, 5, 0, 0.4], [0, 100, 100, 140, 120, 0, 0.7]],
      want: [{ x1: 100, y1: 100, x2: 140, y2: 120, score: 0.7 }, { x1: 0, y1: 0, x2: 10, y2: 5, score: 0.4 }],
    },
  ])('$what', ({ rows, want }) => {
    const t = head(rows);
    const got = decodePlateHead(t.data, t.dims, 0.2);
    expect(got.length).toBe(want.length);
    got.forEach((b, i) => {
      const w = want[i]!;
      expect(b.x1).toBeCloseTo(w.x1, 5);
      expect(b.y2).toBeCloseTo(w.y2, 5);
      expect(b.score).toBeCloseTo(w.score, 5);
    });
  });

  it.each([
    { dims: [1, 6], what: '[1,6] (a six-column head)' },
    { dims: [1, 300, 7], what: 'three dimensions' },
    { dims: [2, 7], what: 'fewer values than rows' },
  ])('refuses $what with a shape error', ({ dims }) => {
    try {
      decodePlateHead(new Float32Array(7), dims, 0.2);
      expect.unreachable();
    } catch (err) {
      expect(isAgentError(err) && err.code).toBe('RSA_MODEL_SHAPE');
      expect((err as Error).message).toContain('[N,7]');
    }
  });
});

describe('where a vehicle\'s plate is searched', () => {
  it('the vehicle box, widened at the sides and extended below', () => {
    expect(plateRegionOf({ x1: 100, y1: 100, x2: 200, y2: 300 }, 0.3, 0.1)).toEqual({ x1: 90, y1: 100, x2: 210, y2: 360 });
  });

  it('prefers the plate on the vehicle\'s axis to a stronger one at its side', () => {
    const moto = { x1: 100, y1: 100, x2: 200, y2: 300 };
    const own = { box: { x1: 135, y1: 250, x2: 165, y2: 270 }, rows: [], score: 0.5 };
    const neighbour = { box: { x1: 195, y1: 250, x2: 225, y2: 270 }, rows: [], score: 0.7 };
    expect(pickPlate([neighbour, own], moto)).toBe(own);
    expect(pickPlate([], moto)).toBeNull();
  });
});

describe('PlateDetectorLocator on a fake session (geometry only)', () => {
  const config = { type: 'plate_detector' as const, path: 'x.onnx', size: 416, score_threshold: 0.2, top: 0, below: 0.3, side: 0.1, mosaic: true, mosaic_max_shrink: 1, zoom_out: 2 };
  /** A session answering with fixed rows (batch, x1, y1, x2, y2, class, score) in input pixels; keeps the inputs. */
  function fake(rows: number[][]) {
    const inputs: Float32Array[] = [];
    const session = {
      inputNames: ['images'],
      outputNames: ['output0'],
      run: (feeds: Record<string, Tensor>) => {
        inputs.push(Float32Array.from(feeds.images!.data as Float32Array));
        return Promise.resolve({ output0: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 7]) });
      },
      release: () => Promise.resolve(),
    };
    return { session, inputs };
  }
  const image = { width: 1280, height: 720, data: new Uint8Array(1280 * 720 * 3).fill(200) };
  const moto = (x1: number, y1: number, w: number, h: number) => ({ box: { x1, y1, x2: x1 + w, y2: y1 + h }, score: 0.8, classId: 3, role: 'motorcycle' as const });

  it('packs small regions into one run as 2×2 tiles and maps each find back to its own region', async () => {
    // Two motorcycles of 100×120 px: regions 120×156, drawn at scale 208/156 into tiles 0 and 1.
    const a = moto(100, 100, 100, 120);
    const b = moto(700, 300, 100, 120);
    // A plate in the middle of tile 1 (x 208..416, y 0..208) only.
    const { session, inputs } = fake([[0, 292, 150, 332, 170, 0, 0.7]]);
    const loc = new PlateDetectorLocator(session, config);
    const [pa, pb] = await loc.locateAll(image, [a, b], new Stopwatch());
    expect(loc.runs).toBe(1);
    expect(pa).toBeNull();
    expect(pb!.score).toBeCloseTo(0.7, 5);
    // Region b: x 690..810, y 300..456; scale 208/156 = 1.333; letterbox offset x (208 - 160) / 2 = 24.
    expect(pb!.box.x1).toBeCloseTo(690 + (292 - 208 - 24) / (208 / 156), 0);
    expect(pb!.box.y1).toBeCloseTo(300 + 150 / (208 / 156), 0);
    // Outside the two drawn tiles the input is padding (114 / 255), inside it is the image (200 / 255).
    const S = 416;
    expect(inputs[0]![300 * S + 300]).toBeCloseTo(114 / 255, 5);
    expect(inputs[0]![100 * S + 100]).toBeCloseTo(200 / 255, 5);
  });

  it('runs a region too large for a tile on its own, and each group of four small ones once', async () => {
    const { session } = fake([]);
    const loc = new PlateDetectorLocator(session, config);
    const small = [0, 1, 2, 3, 4].map((i) => moto(50 + i * 200, 100, 80, 100));
    await loc.locateAll(image, [...small, moto(100, 100, 400, 400)], new Stopwatch());
    expect(loc.runs).toBe(1 + 2);
    const off = new PlateDetectorLocator(fake([]).session, { ...config, mosaic: false });
    await off.locateAll(image, small, new Stopwatch());
    expect(off.runs).toBe(5);
  });

  it('with mosaic_max_shrink, a region larger than a tile shares the run, drawn smaller', async () => {
    // 250×230 px: region 300×299, at most 1.5 × 208 = 312 px.
    const big = moto(400, 100, 250, 230);
    const plain = new PlateDetectorLocator(fake([]).session, config);
    await plain.locateAll(image, [moto(50, 100, 80, 100), big], new Stopwatch());
    expect(plain.runs).toBe(2);
    const { session } = fake([[0, 250, 50, 290, 70, 0, 0.6]]);
    const shrunk = new PlateDetectorLocator(session, { ...config, mosaic_max_shrink: 1.5 });
    const [, p] = await shrunk.locateAll(image, [moto(50, 100, 80, 100), big], new Stopwatch());
    expect(shrunk.runs).toBe(1);
    // Tile 1 (x 208..416): region x 375..675, y 100..399 at 208/300; letterbox offset y (208 - 207) / 2 = 0.
    expect(p!.box.x1).toBeCloseTo(375 + (250 - 208) / (208 / 300), 0);
    expect(p!.box.y1).toBeCloseTo(100 + 50 / (207 / 299), 0);
  });

  it('on a plate picture at 1.5× the detect frame, a region the detect frame would tile still shares the run', async () => {
    // The same 250×230 motorcycle on a 1920×1080 picture is 375×345: region 450×449, at most 1.5 × 1.5 × 208 = 468.
    const big = moto(600, 150, 375, 345);
    const picture = { width: 1920, height: 1080, data: new Uint8Array(1920 * 1080 * 3) };
    const detail = new PlateDetectorLocator(fake([]).session, { ...config, mosaic_max_shrink: 1.5 });
    await detail.locateAll(picture, [moto(75, 150, 120, 150), big], new Stopwatch());
    expect(detail.runs).toBe(2); // drawn no smaller than the picture's own pixels × 1.5: alone
    const scaled = new PlateDetectorLocator(fake([]).session, { ...config, mosaic_max_shrink: 1.5 });
    await scaled.locateAll(picture, [moto(75, 150, 120, 150), big], new Stopwatch(), 1.5);
    expect(scaled.runs).toBe(1); // the detect frame's detail: one run, as on the detect frame
  });

  it('searches a wide frame at 1× and zoomed out in one run, and a 4:3 one in two', async () => {
    // 1280×720: 1× is 416×234 on top (scale 0.325); 1/2 is 208×117 centred in the band below,
    // at x 104, y 234 + (182 - 117) / 2 = 266 (scale 0.1625).
    const { session } = fake([[0, 20, 20, 60, 40, 0, 0.8], [0, 200, 300, 230, 315, 0, 0.7]]);
    const loc = new PlateDetectorLocator(session, config);
    const found = await loc.locateWhole(image, new Stopwatch());
    expect(loc.runs).toBe(1);
    expect(found.map((p) => Math.round(p.box.x1))).toEqual([Math.round(20 / 0.325), Math.round((200 - 104) / 0.1625)]);
    expect(Math.round(found[1]!.box.y1)).toBe(Math.round((300 - 266) / 0.1625));
    const square = new PlateDetectorLocator(fake([[0, 100, 150, 160, 180, 0, 0.8]]).session, config);
    await square.locateWhole({ width: 960, height: 720, data: new Uint8Array(960 * 720 * 3) }, new Stopwatch());
    expect(square.runs).toBe(2);
  });

  it('searches a whole frame where nothing is found again as its negative, the padding as before', async () => {
    const { session, inputs } = fake([]);
    const loc = new PlateDetectorLocator(session, config);
    expect(await loc.locateWhole(image, new Stopwatch())).toEqual([]);
    expect(loc.runs).toBe(2);
    // 1280×720 at 1× fills rows 0..233; row 400 is padding, between the two drawings.
    const S = 416;
    expect(inputs[0]![100 * S + 100]).toBeCloseTo(200 / 255, 5);
    expect(inputs[1]![100 * S + 100]).toBeCloseTo(55 / 255, 5);
    expect(inputs[1]![400 * S + 10]).toBeCloseTo(114 / 255, 5);
    const square = new PlateDetectorLocator(fake([]).session, config);
    await square.locateWhole({ width: 960, height: 720, data: new Uint8Array(960 * 720 * 3) }, new Stopwatch());
    expect(square.runs).toBe(4);
  });

  it('does not search the negative when the frame itself has a plate', async () => {
    const loc = new PlateDetectorLocator(fake([[0, 20, 20, 60, 40, 0, 0.8]]).session, config);
    expect(await loc.locateWhole(image, new Stopwatch())).toHaveLength(1);
    expect(loc.runs).toBe(1);
  });
});
