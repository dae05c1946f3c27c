import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchHeads, missReason, ridingPersons, yoloFrames } from '../../scripts/eval/helmet-frames.js';
import { isPedestrianHead, PEDESTRIAN_HEADS, SAME_HEAD_IOU } from '../../scripts/eval/pedestrian-heads.js';
import { loadImageFrame } from '../../src/detect/image.js';
import { iou } from '../../src/shared/box.js';
import { datasetsDir } from '../helpers/env.js';
import type { Box, Detection, HelmetVerdictKind, Rider } from '../../src/shared/types.js';

const person = (box: Box): Detection => ({ box, score: 0.9, classId: 0, role: 'person' });
const rider = (box: Box, headBox: Box, verdict: HelmetVerdictKind): Rider => ({ person: person(box), helmet: { verdict, noHelmetScore: 0.5, headBox } });

// A labelled bare head 20 x 20 at (100, 40), on a person box 100 px tall below it.
const label = { x1: 100, y1: 40, x2: 120, y2: 60 };
const body = { x1: 90, y1: 45, x2: 130, y2: 145 };
const elsewhere = { x1: 400, y1: 40, x2: 440, y2: 140 };

describe('missReason: why a labelled bare head was not judged no_helmet', () => {
  it.each([
    { want: 'judged_helmet', riders: [rider(body, label, 'helmet')], persons: [] },
    { want: 'judged_unknown', riders: [rider(body, { x1: 95, y1: 35, x2: 125, y2: 65 }, 'unknown')], persons: [] },
    // a head box 10 x 10 inside the label is that head, boxed tighter
    { want: 'judged_helmet', riders: [rider(body, { x1: 105, y1: 45, x2: 115, y2: 55 }, 'helmet')], persons: [] },
    // a head box beside the label: 40% of the label (the smaller) under it
    { want: 'head_box_off', riders: [rider(body, { x1: 112, y1: 40, x2: 132, y2: 60 }, 'no_helmet')], persons: [] },
    // the rider's head box is on another head in its square
    { want: 'rider_without_head', riders: [rider(body, { x1: 120, y1: 70, x2: 135, y2: 85 }, 'no_helmet')], persons: [] },
    { want: 'person_not_rider', riders: [rider(elsewhere, { x1: 410, y1: 40, x2: 430, y2: 60 }, 'no_helmet')], persons: [person(body)] },
    { want: 'no_person', riders: [], persons: [person(elsewhere)] },
  ])('$want', ({ want, riders, persons }) => {
    expect(missReason(label, matchHeads([label], riders)[0]!, riders, persons)).toBe(want);
  });
});

describe('matchHeads: labelled heads to rider head boxes, one to one', () => {
  const beside = { x1: 120, y1: 40, x2: 140, y2: 60 }; // a second labelled head right of `label`
  it.each([
    { what: 'a box covering 90% of the head', heads: [label], boxes: [{ x1: 100, y1: 40, x2: 118, y2: 60 }], want: [0] },
    { what: 'a tight box inside a loose label', heads: [{ x1: 95, y1: 30, x2: 135, y2: 70 }], boxes: [{ x1: 105, y1: 40, x2: 120, y2: 58 }], want: [0] },
    { what: 'a box under 45% of the head (the smaller box)', heads: [label], boxes: [{ x1: 111, y1: 40, x2: 131, y2: 60 }], want: [null] },
    { what: 'two boxes on one head: the closer one', heads: [label], boxes: [{ x1: 100, y1: 40, x2: 111, y2: 60 }, { x1: 100, y1: 40, x2: 118, y2: 60 }], want: [1] },
    { what: 'one box over two heads answers for one', heads: [label, beside], boxes: [{ x1: 102, y1: 38, x2: 140, y2: 62 }], want: [null, 0] },
    { what: 'two heads, two boxes: each its own', heads: [label, beside], boxes: [{ x1: 121, y1: 41, x2: 139, y2: 59 }, { x1: 101, y1: 41, x2: 119, y2: 59 }], want: [1, 0] },
  ])('$what', ({ heads, boxes, want }) => {
    const riders = boxes.map((b) => rider(body, b, 'helmet'));
    expect(matchHeads(heads, riders)).toEqual(want.map((i) => (i === null ? null : riders[i])));
  });
});

describe('ridingPersons: person boxes among rider entries', () => {
  it.each([
    { what: 'none', riders: [], want: 0 },
    { what: 'a driver', riders: [rider(body, label, 'helmet')], want: 1 },
    { what: 'a pillion found in the driver\'s box (one box, two heads)', riders: [rider(body, label, 'helmet'), rider({ ...body }, { x1: 115, y1: 50, x2: 130, y2: 65 }, 'no_helmet')], want: 1 },
    { what: 'two riders in their own boxes', riders: [rider(body, label, 'helmet'), rider(elsewhere, { x1: 410, y1: 40, x2: 430, y2: 60 }, 'no_helmet')], want: 2 },
  ])('$what: $want', ({ riders, want }) => {
    expect(ridingPersons(riders)).toBe(want);
  });
});

describe('isPedestrianHead', () => {
  const listed = PEDESTRIAN_HEADS[0]!;
  it.each([
    { what: 'a listed head, same file (any folder)', file: `/data/images/val/${listed.file}`, box: listed.box, want: true },
    { what: 'a listed head a pixel off (labels are fractions)', file: listed.file, box: { ...listed.box, x1: listed.box.x1 + 1 }, want: true },
    { what: 'the same box in another file', file: 'other.jpg', box: listed.box, want: false },
    { what: 'a box elsewhere in the same file', file: listed.file, box: { x1: 150, y1: 50, x2: 170, y2: 75 }, want: false },
  ])('$what: $want', ({ file, box, want }) => {
    expect(isPedestrianHead(file, box)).toBe(want);
  });
});

const valDir = join(datasetsDir, 'helmet-frames');
describe.skipIf(!existsSync(join(valDir, 'images/val')))('PEDESTRIAN_HEADS against helmet-frames val (skipped without ../shared/datasets)', () => {
  it('every listed head is a labelled bare head of val', async () => {
    const frames = yoloFrames(valDir, 'val');
    for (const p of PEDESTRIAN_HEADS) {
      const lf = frames.find((f) => basename(f.file) === p.file);
      expect(lf, p.file).toBeDefined();
      const f = await loadImageFrame(lf!.file);
      const heads = lf!.heads(f.width, f.height).filter((h) => h.bare && iou(h.box, p.box) >= SAME_HEAD_IOU);
      expect(heads, `${p.file} ${JSON.stringify(p.box)}`).toHaveLength(1);
    }
  });
});
