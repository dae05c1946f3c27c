import { describe, expect, it } from 'vitest';
import { onePerPlate, PlateStage, samePlate } from '../../src/detect/plate-stage.js';
import type { PlateLocation, PlateLocator, PlateReader, PlateTextRead } from '../../src/detect/plate.js';
import type { RgbImage } from '../../src/detect/preprocess.js';
import { Stopwatch } from '../../src/detect/timings.js';
import { PlateFormats } from '../../src/plate/check.js';
import { charReads } from '../../src/plate/formats.js';
import type { Box, Detection, YuvPicture } from '../../src/shared/types.js';
import { yuvBytes } from '../../src/shared/yuv.js';

const img = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3) });
/** A grey yuv420p plate picture: Y 126, no colour (RGB 128, 128, 128 once converted). */
const yuv = (width: number, height: number): YuvPicture => {
  const data = new Uint8Array(yuvBytes(width, height)).fill(128);
  data.fill(126, 0, width * height);
  return { width, height, data };
};
const moto = (box: Box): Detection => ({ box, score: 0.8, classId: 3, role: 'motorcycle' });

/** A locator putting the plate in the lower middle of each vehicle; records what it was given. */
function locator(seen: Array<{ width: number; box: Box }>): PlateLocator {
  const plateOf = (b: Box): PlateLocation => {
    const box = { x1: b.x1 + 0.4 * (b.x2 - b.x1), y1: b.y1 + 0.7 * (b.y2 - b.y1), x2: b.x1 + 0.6 * (b.x2 - b.x1), y2: b.y1 + 0.8 * (b.y2 - b.y1) };
    return { box, rows: [box], score: 0.9 };
  };
  return {
    locate: (image, v) => (seen.push({ width: image.width, box: v.box }), Promise.resolve(plateOf(v.box))),
    locateIn: () => Promise.resolve([]),
  };
}

function reader(texts: string[], seenWidths: number[]): PlateReader {
  return {
    read: (image, plates) => {
      seenWidths.push(image.width);
      return Promise.resolve(
        plates.map((_, i): PlateTextRead => ({ raw: texts[i]!, text: texts[i]!, confidence: 0.9, chars: charReads(texts[i]!), region: { name: 'Vietnam', confidence: 0.99 } })),
      );
    },
  };
}

const formats = () => new PlateFormats({ formats: { Vietnam: ['##@#{4,6}'] }, other_regions: 'accept', min_region_confidence: 0.5, max_repairs: 2 }, null);

describe('PlateStage', () => {
  it('locates and reads on the full-resolution picture when the frame has one; boxes come back in detect pixels', async () => {
    const seen: Array<{ width: number; box: Box }> = [];
    const widths: number[] = [];
    const stage = new PlateStage(locator(seen), reader(['77L138777'], widths), formats(), [], 'never');
    const m = moto({ x1: 100, y1: 100, x2: 200, y2: 300 });
    const out = await stage.run(img(1280, 720), [m], [true], [m], new Stopwatch(), yuv(1920, 1080));
    expect(seen).toEqual([{ width: 1920, box: { x1: 150, y1: 150, x2: 300, y2: 450 } }]);
    expect(widths).toEqual([1920]);
    expect(out.motorcycles[0]).toMatchObject({ text: '77L138777', region: 'Vietnam', repaired: 0 });
    const b = out.motorcycles[0]!.box;
    expect([b.x1, b.y1, b.x2, b.y2].map((v) => Math.round(v))).toEqual([140, 240, 160, 260]);
  });

  it('without a larger picture it works on the frame itself', async () => {
    const seen: Array<{ width: number; box: Box }> = [];
    const stage = new PlateStage(locator(seen), reader(['77L138777'], []), formats(), [], 'never');
    const m = moto({ x1: 100, y1: 100, x2: 200, y2: 300 });
    await stage.run(img(1280, 720), [m], [true], [m], new Stopwatch(), yuv(640, 360));
    expect(seen[0]).toEqual({ width: 1280, box: m.box });
    expect(stage.pixels.converted).toBe(0);
  });

  it('converts the plate picture to RGB only where the locator searches, with a margin', async () => {
    const pixels: number[] = [];
    const searching: PlateLocator = {
      ...locator([]),
      // the vehicle box itself, as the search region
      searchRegion: (_image, v) => v.box,
      locate: (image, v) => {
        const at = (Math.round((v.box.y1 + v.box.y2) / 2) * image.width + Math.round((v.box.x1 + v.box.x2) / 2)) * 3;
        pixels.push(image.data[at]!);
        return locator([]).locate(image, v, new Stopwatch());
      },
    };
    const stage = new PlateStage(searching, reader(['77L138777'], []), formats(), [], 'never');
    const m = moto({ x1: 100, y1: 100, x2: 200, y2: 300 }); // 150x300 at 1920x1080
    await stage.run(img(1280, 720), [m], [true], [m], new Stopwatch(), yuv(1920, 1080));
    expect(pixels).toEqual([128]); // converted: grey, not the buffer's zero
    // the region grown by 8% of its size each side: 174 x 348 pixels, not the picture's 2 million
    expect(stage.pixels.converted).toBe(174 * 348);
  });

  it('a frame with no wanted vehicle converts nothing', async () => {
    const stage = new PlateStage(locator([]), reader([], []), formats(), [], 'never');
    const m = moto({ x1: 100, y1: 100, x2: 200, y2: 300 });
    const out = await stage.run(img(1280, 720), [m], [false], [m], new Stopwatch(), yuv(1920, 1080));
    expect(out.motorcycles).toEqual([null]);
    expect(stage.pixels.converted).toBe(0);
  });

  it('searches only wanted motorcycles and configured vehicle classes; a rejected read is no plate, counted', async () => {
    const seen: Array<{ width: number; box: Box }> = [];
    const stage = new PlateStage(locator(seen), reader(['59XX12345', '51A12345'], []), formats(), [2], 'never');
    const a = moto({ x1: 0, y1: 0, x2: 100, y2: 100 });
    const b = moto({ x1: 300, y1: 0, x2: 400, y2: 100 });
    const car: Detection = { box: { x1: 500, y1: 0, x2: 700, y2: 200 }, score: 0.7, classId: 2, role: null };
    const out = await stage.run(img(1280, 720), [a, b], [true, false], [a, b, car], new Stopwatch());
    expect(seen.map((s) => s.box)).toEqual([a.box, car.box]);
    expect(out.motorcycles).toEqual([null, null]); // 59XX12345 fits no Vietnamese format
    expect(stage.formats.counts.rejected.no_format_fits).toBe(1);
    expect(out.others.map((o) => [o.vehicle?.classId, o.plate.text])).toEqual([[2, '51A12345']]);
  });

  it('reads a plate once when two overlapping vehicle boxes (car and truck) find it', async () => {
    const reads: number[] = [];
    const stage = new PlateStage(locator([]), reader(['77A07159', 'X'], reads), formats(), [2, 7], 'never');
    const car: Detection = { box: { x1: 500, y1: 0, x2: 700, y2: 200 }, score: 0.7, classId: 2, role: null };
    const truck: Detection = { ...car, box: { x1: 502, y1: 1, x2: 701, y2: 200 }, classId: 7 };
    const out = await stage.run(img(1280, 720), [], [], [car, truck], new Stopwatch());
    expect(out.others.map((o) => [o.vehicle?.classId, o.plate.text])).toEqual([[2, '77A07159']]);
  });

  it("reads a neighbour's plate cut at a region's edge once, for the motorcycle holding it whole", async () => {
    // huyhoanlee_tr1_382: one plate boxed [1684,511,1729,544] for its motorcycle and cut to
    // [1684,512,1706,542] at the edge of the search region of the motorcycle left of it (read B773).
    const whole = { x1: 1684, y1: 511, x2: 1729, y2: 544 };
    const cut = { x1: 1684, y1: 512, x2: 1706, y2: 542 };
    const boxes = new Map<number, Box>([[1550, cut], [1700, whole]]);
    const loc: PlateLocator = { locate: (_i, v) => Promise.resolve({ box: boxes.get(v.box.x1)!, rows: [boxes.get(v.box.x1)!], score: 0.6 }), locateIn: () => Promise.resolve([]) };
    const read: Box[] = [];
    const rd: PlateReader = { read: (_i, plates) => (read.push(...plates.map((p) => p.box)), Promise.resolve(plates.map(() => ({ raw: '77L183865', text: '77L183865', confidence: 0.99, chars: charReads('77L183865'), region: { name: 'Vietnam', confidence: 1 } })))) };
    const stage = new PlateStage(loc, rd, formats(), [], 'never');
    const left = moto({ x1: 1550, y1: 300, x2: 1690, y2: 560 });
    const right = moto({ x1: 1700, y1: 300, x2: 1860, y2: 560 });
    const out = await stage.run(img(1920, 1080), [left, right], [true, true], [left, right], new Stopwatch());
    expect(read).toEqual([whole]);
    expect(out.motorcycles.map((p) => p?.text ?? null)).toEqual([null, '77L183865']);
  });

  describe('a weak read is read again with a margin', () => {
    /** A reader answering per box width: the detector's tight box reads weakly, the widened one surely. */
    function byWidth(texts: Record<number, PlateTextRead>, widths: number[][]): PlateReader {
      return {
        read: (_image, plates) => {
          widths.push(plates.map((p) => Math.round(p.box.x2 - p.box.x1)));
          return Promise.resolve(plates.map((p) => texts[Math.round(p.box.x2 - p.box.x1)] ?? weak('', [])));
        },
      };
    }
    const weak = (text: string, p: number[]): PlateTextRead => ({
      raw: text,
      text,
      confidence: 0.9,
      chars: [...text].map((char, i) => ({ char, p: p[i] ?? 0.99, alt: null, altP: 0 })),
      region: { name: 'Indonesia', confidence: 0.99 },
    });
    const idFormats = () => new PlateFormats({ formats: { Indonesia: ['@{1,2}#{1,4}@{0,3}'] }, other_regions: 'accept', min_region_confidence: 0.5, max_repairs: 2 }, null);
    const at = (x1: number, x2: number): PlateLocator => ({
      locate: () => Promise.resolve({ box: { x1, y1: 100, x2, y2: 200 }, rows: [{ x1, y1: 100, x2, y2: 200 }], score: 0.6 }),
      locateIn: () => Promise.resolve([]),
    });
    const m = moto({ x1: 0, y1: 0, x2: 640, y2: 480 });

    it('keeps the surer re-read (motor7: H5606CL, last slot 0.34, is H5606CI with the margin) and tells the observer the first read', async () => {
      const widths: number[][] = [];
      const stage = new PlateStage(at(200, 550), byWidth({ 350: weak('H5606CL', [1, 1, 1, 1, 1, 0.47, 0.34]), 378: weak('H5606CI', [1, 1, 1, 1, 1, 0.62]) }, widths), idFormats(), [], 'never');
      const seen: Array<[string, string | null]> = [];
      stage.observer = (_box, read, _verdict, first) => seen.push([read.text, first?.text ?? null]);
      const out = await stage.run(img(640, 480), [m], [true], [m], new Stopwatch());
      expect(widths).toEqual([[350], [378]]);
      expect(out.motorcycles[0]).toMatchObject({ text: 'H5606CI', box: { x1: 200, x2: 550 } });
      expect(seen).toEqual([['H5606CI', 'H5606CL']]);
      expect(stage.stats).toMatchObject({ reads: 1, rereads: 1, rereadsKept: 1 });
    });

    it('keeps the first read when the re-read is no surer', async () => {
      const stage = new PlateStage(at(200, 550), byWidth({ 350: weak('H6954DK', [0.45]), 378: weak('W6954DK', [0.4]) }, []), idFormats(), [], 'never');
      const out = await stage.run(img(640, 480), [m], [true], [m], new Stopwatch());
      expect(out.motorcycles[0]?.text).toBe('H6954DK');
      expect(stage.stats).toMatchObject({ rereads: 1, rereadsKept: 0 });
    });

    it('reads a tall box again in plate-shaped windows and gives the window whose read is kept as the plate (motor8: K5683 in a 300 × 300 box)', async () => {
      const tall: PlateLocator = {
        locate: () => Promise.resolve({ box: { x1: 166, y1: 156, x2: 466, y2: 463 }, rows: [{ x1: 166, y1: 156, x2: 466, y2: 463 }], score: 0.75 }),
        locateIn: () => Promise.resolve([]),
      };
      const tops: number[][] = [];
      // by the box's top: the whole box reads weakly, the window from y 184 surely, the others nothing
      const byTop: PlateReader = {
        read: (_image, plates) => {
          tops.push(plates.map((p) => Math.round(p.box.y1)));
          return Promise.resolve(plates.map((p) => (Math.round(p.box.y1) === 156 && Math.round(p.box.y2) === 463 ? weak('K5683', [0.13, 0.46]) : Math.round(p.box.y1) === 184 ? weak('H5683PK', [1, 1, 1, 1, 1, 0.97]) : weak('', []))));
        },
      };
      const stage = new PlateStage(tall, byTop, idFormats(), [], 'never');
      const out = await stage.run(img(640, 480), [m], [true], [m], new Stopwatch());
      expect(tops).toEqual([[156], [138, 156, 184, 213, 241, 270, 298, 327]]); // the margin re-read (its box 6% higher), then seven windows
      const b = out.motorcycles[0]!.box;
      expect([out.motorcycles[0]!.text, ...[b.x1, b.y1, b.x2, b.y2].map(Math.round)]).toEqual(['H5683PK', 166, 184, 466, 321]);
      expect(stage.stats).toMatchObject({ reads: 1, rereads: 1, rereadsKept: 1 });
    });

    it('reads a sure read once', async () => {
      const widths: number[][] = [];
      const stage = new PlateStage(at(200, 550), byWidth({ 350: weak('H6832CV', [0.99]) }, widths), idFormats(), [], 'never');
      await stage.run(img(640, 480), [m], [true], [m], new Stopwatch());
      expect(widths).toEqual([[350]]);
      expect(stage.stats.rereads).toBe(0);
    });
  });
});

describe('samePlate, onePerPlate', () => {
  const b = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
  it.each([
    { what: 'a box cut to its left half (IoU 0.44, all inside)', a: b(1684, 511, 1729, 544), c: b(1684, 512, 1706, 542), want: true },
    { what: 'the same plate boxed twice, shifted (IoU 0.67)', a: b(0, 0, 50, 30), c: b(10, 0, 60, 30), want: true },
    { what: 'two plates side by side, touching', a: b(0, 0, 50, 30), c: b(50, 0, 100, 30), want: false },
    { what: 'a plate overlapping a third of another', a: b(0, 0, 60, 30), c: b(40, 0, 100, 30), want: false },
  ])('$what: $want', ({ a, c, want }) => {
    expect(samePlate(a, c)).toBe(want);
    expect(samePlate(c, a)).toBe(want);
  });
  it('keeps each plate once, for the larger box, in the given order', () => {
    expect(onePerPlate([b(1684, 512, 1706, 542), null, b(1684, 511, 1729, 544), b(0, 0, 50, 30)].map((box) => box && { box }))).toEqual([2, 3]);
  });
});
