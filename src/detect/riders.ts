// Which persons ride which motorcycle, from box geometry alone. A rider's box overlaps the
// motorcycle horizontally, starts above the motorcycle's upper part (the rider sits on it) and
// reaches down into it. Pillion riders and children pass the same test. Each person belongs to
// at most one motorcycle: pairs are taken best-first.
import type { Box, Detection } from '../shared/types.js';
import { boxArea, boxHeight, boxWidth, intersectionArea } from '../shared/box.js';

export interface RiderRule {
  /** Share of the person's width that must lie over the motorcycle box. */
  minHorizontalOverlap: number;
  /** The person's top must be above motorcycle.y1 + this × motorcycle height. */
  maxTopIntoMotorcycle: number;
  /** The person's bottom must reach below motorcycle.y1 + this × motorcycle height. */
  minBottomIntoMotorcycle: number;
  /** A person taller than this × the motorcycle's height is not on it (a pedestrian in front). */
  maxPersonToMotorcycleHeight: number;
  /** Riders kept per motorcycle (best first): families of five or six on one motorcycle are common on South Asian roads. */
  maxRidersPerMotorcycle: number;
}

export const DEFAULT_RIDER_RULE: RiderRule = {
  minHorizontalOverlap: 0.5,
  maxTopIntoMotorcycle: 0.35,
  minBottomIntoMotorcycle: 0.25,
  maxPersonToMotorcycleHeight: 4,
  maxRidersPerMotorcycle: 6,
};

/** 0 when `person` cannot ride `moto`; otherwise a score in (0, 1], higher is a better fit. */
export function riderScore(person: Box, moto: Box, rule: RiderRule = DEFAULT_RIDER_RULE): number {
  const pw = boxWidth(person);
  const mh = boxHeight(moto);
  if (pw <= 0 || mh <= 0) return 0;
  const overlapX = Math.min(person.x2, moto.x2) - Math.max(person.x1, moto.x1);
  const hOverlap = overlapX / pw;
  if (hOverlap < rule.minHorizontalOverlap) return 0;
  if (person.y1 > moto.y1 + rule.maxTopIntoMotorcycle * mh) return 0;
  if (person.y2 < moto.y1 + rule.minBottomIntoMotorcycle * mh) return 0;
  if (boxHeight(person) > rule.maxPersonToMotorcycleHeight * mh) return 0;
  const ioa = intersectionArea(person, moto) / Math.max(boxArea(person), 1e-9);
  // Centred riders win over someone beside the bike.
  const pcx = (person.x1 + person.x2) / 2;
  const mcx = (moto.x1 + moto.x2) / 2;
  const centring = 1 - Math.min(1, Math.abs(pcx - mcx) / Math.max(boxWidth(moto), 1e-9));
  return Math.max(1e-6, (hOverlap + ioa + centring) / 3);
}

/**
 * For each motorcycle (same order as given), the indexes into `persons` of its riders, sorted
 * left to right. A person is assigned to the motorcycle it fits best, never to two.
 */
export function assignRiders(
  persons: readonly Detection[],
  motorcycles: readonly Detection[],
  rule: RiderRule = DEFAULT_RIDER_RULE,
): number[][] {
  const pairs: Array<{ p: number; m: number; s: number }> = [];
  persons.forEach((person, p) =>
    motorcycles.forEach((moto, m) => {
      const s = riderScore(person.box, moto.box, rule);
      if (s > 0) pairs.push({ p, m, s });
    }),
  );
  pairs.sort((a, b) => b.s - a.s);
  const taken = new Set<number>();
  const out: number[][] = motorcycles.map(() => []);
  for (const { p, m } of pairs) {
    const list = out[m]!;
    if (taken.has(p) || list.length >= rule.maxRidersPerMotorcycle) continue;
    taken.add(p);
    list.push(p);
  }
  for (const list of out) list.sort((a, b) => persons[a]!.box.x1 - persons[b]!.box.x1);
  return out;
}

/** The classifier's head crop rule, as config models.helmet.crop gives it (its labels.json `crop`). */
export interface HeadCropRule {
  /** Side as a share of the person's height (the side is the smaller of this and width_fraction × width). */
  height_fraction: number;
  width_fraction: number;
  /** How far above the person box the crop starts, as a share of the side. */
  lift: number;
}

/** The provisional classifier's rule: side min(person_w, 0.30 × person_h), top 0.05 × side above the box. */
export const PROVISIONAL_HEAD_CROP: HeadCropRule = { height_fraction: 0.3, width_fraction: 1, lift: 0.05 };

/**
 * The helmet classifier's head crop from a rider's person box: a square of side
 * min(width_fraction × person_w, height_fraction × person_h), centred on the person's centre x,
 * its top lift × side above the person box. May reach outside the frame (edge pixels pad it).
 */
export function headCrop(person: Box, rule: HeadCropRule = PROVISIONAL_HEAD_CROP): Box {
  const pw = boxWidth(person);
  const ph = boxHeight(person);
  const side = Math.max(1, Math.min(rule.width_fraction * pw, rule.height_fraction * ph));
  const cx = (person.x1 + person.x2) / 2;
  const top = person.y1 - rule.lift * side;
  return { x1: cx - side / 2, y1: top, x2: cx + side / 2, y2: top + side };
}

/**
 * The crops a rider is judged on: its head crop and, when the person box is at least `wideEdges`
 * crop sides wide (often a rider and a passenger boxed as one), the same square aligned to the
 * box's left and right edges (in that order).
 */
export function headCrops(person: Box, rule: HeadCropRule, wideEdges: number | null): Box[] {
  const own = headCrop(person, rule);
  const side = boxWidth(own);
  if (wideEdges === null || boxWidth(person) < wideEdges * side) return [own];
  return [own, { ...own, x1: person.x1, x2: person.x1 + side }, { ...own, x1: person.x2 - side, x2: person.x2 }];
}

/**
 * Where a motorcycle's plate can be: its lower part, a little wider than the box (plates sit
 * at the very bottom of a bike seen from behind or in front).
 */
export function plateSearchRegion(moto: Box): Box {
  const w = boxWidth(moto);
  const h = boxHeight(moto);
  return { x1: moto.x1 - 0.05 * w, y1: moto.y1 + 0.4 * h, x2: moto.x2 + 0.05 * w, y2: moto.y2 + 0.05 * h };
}
