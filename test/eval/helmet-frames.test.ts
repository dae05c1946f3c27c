import { describe, expect, it } from 'vitest';
import { coveringRider, missReason } from '../../scripts/eval/helmet-frames.js';
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
    // a head box 10 x 10 inside the label: half of the smaller box overlaps, a quarter of the label is covered
    { want: 'head_box_off', riders: [rider(body, { x1: 105, y1: 45, x2: 115, y2: 55 }, 'no_helmet')], persons: [] },
    // the rider's head box is on another head in its square
    { want: 'rider_without_head', riders: [rider(body, { x1: 120, y1: 70, x2: 135, y2: 85 }, 'no_helmet')], persons: [] },
    { want: 'person_not_rider', riders: [rider(elsewhere, { x1: 410, y1: 40, x2: 430, y2: 60 }, 'no_helmet')], persons: [person(body)] },
    { want: 'no_person', riders: [], persons: [person(elsewhere)] },
  ])('$want', ({ want, riders, persons }) => {
    expect(missReason(label, coveringRider(label, riders), riders, persons)).toBe(want);
  });
});

describe('coveringRider', () => {
  it('is the rider whose head box covers most of the head, at least half of it', () => {
    const a = rider(body, { x1: 100, y1: 40, x2: 111, y2: 60 }, 'helmet'); // 55%
    const b = rider(body, { x1: 100, y1: 40, x2: 118, y2: 60 }, 'no_helmet'); // 90%
    expect(coveringRider(label, [a, b])).toBe(b);
    expect(coveringRider(label, [rider(body, { x1: 100, y1: 40, x2: 109, y2: 60 }, 'helmet')])).toBeNull(); // 45%
  });
});
