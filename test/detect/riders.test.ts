import { describe, expect, it } from 'vitest';
import { assignRiders, headCrop, headCrops, riderScore } from '../../src/detect/riders.js';
import type { Box, Detection } from '../../src/shared/types.js';

const det = (box: Box, role: 'person' | 'motorcycle', score = 0.9): Detection => ({ box, score, classId: role === 'person' ? 0 : 3, role });
const b = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

// A motorcycle seen from behind at x 100..160, y 200..300.
const moto = b(100, 200, 160, 300);

describe('riderScore', () => {
  it.each([
    { what: 'a rider sitting on it', person: b(110, 120, 150, 260), ok: true },
    { what: 'a pillion rider slightly to one side', person: b(120, 130, 165, 250), ok: true },
    { what: 'a pedestrian beside it', person: b(170, 150, 200, 300), ok: false },
    { what: 'a person far above it (further up the road)', person: b(110, 20, 150, 150), ok: false },
    { what: 'a person standing below it (in front, nearer the camera)', person: b(110, 260, 150, 400), ok: false },
    { what: 'a person half overlapping horizontally', person: b(140, 120, 190, 260), ok: false },
  ])('$what → rider: $ok', ({ person, ok }) => {
    expect(riderScore(person, moto) > 0).toBe(ok);
  });
});

describe('assignRiders', () => {
  it('gives a motorcycle its rider and pillion, left to right', () => {
    const persons = [det(b(125, 130, 160, 255), 'person'), det(b(105, 120, 145, 260), 'person'), det(b(400, 100, 440, 300), 'person')];
    expect(assignRiders(persons, [det(moto, 'motorcycle')])).toEqual([[1, 0]]);
  });

  it('puts a person between two motorcycles on the one it fits best, never on both', () => {
    const motoA = b(100, 200, 160, 300);
    const motoB = b(130, 210, 190, 310);
    const between = det(b(128, 120, 168, 260), 'person');
    const out = assignRiders([between], [det(motoA, 'motorcycle'), det(motoB, 'motorcycle')]);
    expect(out.flat()).toEqual([0]);
    expect(out[1]).toEqual([0]); // centred over B
  });

  it('keeps at most maxRidersPerMotorcycle riders', () => {
    const persons = [0, 1, 2].map((i) => det(b(105 + i * 5, 120, 150 + i * 5, 260), 'person'));
    const out = assignRiders(persons, [det(moto, 'motorcycle')], {
      minHorizontalOverlap: 0.5,
      maxTopIntoMotorcycle: 0.35,
      minBottomIntoMotorcycle: 0.25,
      maxPersonToMotorcycleHeight: 4,
      maxRidersPerMotorcycle: 2,
    });
    expect(out[0]).toHaveLength(2);
  });

  it.each([
    { what: 'a pillion passenger behind, half hidden by the rider (narrower box, offset)', extra: b(128, 110, 158, 250) },
    { what: 'a child in front of the rider (small box inside the rider\'s)', extra: b(118, 170, 142, 250) },
    { what: 'a pillion passenger seen from behind, taller box starting above the rider', extra: b(108, 95, 152, 245) },
  ])('takes $what as a second rider of the same motorcycle', ({ extra }) => {
    const driver = det(b(110, 120, 150, 260), 'person');
    const out = assignRiders([driver, det(extra, 'person')], [det(moto, 'motorcycle')]);
    expect(out[0]!.sort()).toEqual([0, 1]);
  });

  it('keeps a family of six on one motorcycle (the default rule)', () => {
    const family = [0, 1, 2, 3, 4, 5].map((i) => det(b(102 + i * 4, 110 + (i % 3) * 10, 138 + i * 4, 250), 'person'));
    expect(assignRiders(family, [det(moto, 'motorcycle')])[0]).toHaveLength(6);
  });

  it('returns an empty list for a motorcycle nobody rides', () => {
    expect(assignRiders([], [det(moto, 'motorcycle')])).toEqual([[]]);
  });
});

describe('headCrop (helmet/labels.json crop rule)', () => {
  it('is a square of side min(w, 0.3 h), centred, its top 5% of the side above the person', () => {
    expect(headCrop(b(100, 100, 140, 300))).toEqual({ x1: 100, y1: 98, x2: 140, y2: 138 }); // side = min(40, 60) = 40
    const c = headCrop(b(0, 0, 100, 100)); // side = min(100, 30) = 30
    expect(c.x1).toBeCloseTo(35);
    expect(c.x2).toBeCloseTo(65);
    expect(c.y1).toBeCloseTo(-1.5);
    expect(c.y2).toBeCloseTo(28.5);
  });
});

describe('headCrop with the shipped classifier\'s rule (models.helmet.crop)', () => {
  const rule = { height_fraction: 0.4, width_fraction: 1, lift: 0.1 };
  it.each([
    // A seated rider 40 wide, 100 tall: side = min(40, 40) = 40, top 4 px above the box.
    { what: 'a seated rider', person: b(100, 100, 140, 200), want: b(100, 96, 140, 136) },
    // A standing-height box 40 x 200: side = min(40, 80) = 40.
    { what: 'a tall box, side bounded by the width', person: b(0, 50, 40, 250), want: b(0, 46, 40, 86) },
    // A wide box 200 x 100 (rider and bike in one box): side = min(200, 40) = 40, centred.
    { what: 'a wide box, side bounded by the height', person: b(0, 0, 200, 100), want: b(80, -4, 120, 36) },
  ])('$what', ({ person, want }) => {
    const c = headCrop(person, rule);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(c[k]).toBeCloseTo(want[k]);
  });

  it('covers the head of a wide rider box (rider and handlebars), where the provisional rule cut the head in half', () => {
    // Person 120 x 100 at (100, 100); head 36 x 40 at its top centre.
    const person = b(100, 100, 220, 200);
    const head = b(142, 100, 178, 140);
    const inside = (c: Box): number => ((Math.min(c.x2, head.x2) - Math.max(c.x1, head.x1)) * (Math.min(c.y2, head.y2) - Math.max(c.y1, head.y1))) / (36 * 40);
    expect(inside(headCrop(person))).toBeCloseTo(0.594, 2);
    expect(inside(headCrop(person, rule))).toBeCloseTo(0.9, 2);
  });
});

describe('headCrops (models.helmet.wide_box_edges)', () => {
  const rule = { height_fraction: 0.4, width_fraction: 1, lift: 0.1 };
  it.each([
    { what: 'off: the head crop only', person: b(0, 0, 200, 100), wide: null, want: [b(80, -4, 120, 36)] },
    { what: 'a narrow box (side bounded by the width): the head crop only', person: b(0, 0, 40, 100), wide: 1.5, want: [b(0, -4, 40, 36)] },
    { what: 'a box 1.4 sides wide, under 1.5: the head crop only', person: b(0, 0, 56, 100), wide: 1.5, want: [b(8, -4, 48, 36)] },
    {
      what: 'a box 5 sides wide (rider and passenger): the head crop, then the left- and right-aligned ones',
      person: b(0, 0, 200, 100),
      wide: 1.5,
      want: [b(80, -4, 120, 36), b(0, -4, 40, 36), b(160, -4, 200, 36)],
    },
    { what: 'exactly 1.5 sides wide counts as wide', person: b(10, 0, 70, 100), wide: 1.5, want: [b(20, -4, 60, 36), b(10, -4, 50, 36), b(30, -4, 70, 36)] },
  ])('$what', ({ person, wide, want }) => {
    const got = headCrops(person, rule, wide);
    expect(got).toHaveLength(want.length);
    got.forEach((c, i) => {
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(c[k]).toBeCloseTo(want[i]![k]);
    });
  });
});
