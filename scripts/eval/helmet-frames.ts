// Helmet verdicts per labelled head on full frames, through the pipeline's own analyze():
// scene → riders → the configured helmet model. Every labelled head counts: one no rider's head
// box is matched to (matchHeads: one to one, one box at least half inside the other) is not
// covered, and a bare head that is not covered is a missed no_helmet; each missed bare head is
// counted under why it was missed (missReason). Two layouts: Pascal VOC (`<name>.xml` beside
// each image, classes "With Helmet" / "Without Helmet") and YOLO (`images/<split>/`,
// `labels/<split>/`, class 0 helmet, 1 no_helmet).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InThreadDetector } from '../../src/detect/detector.js';
import { loadImageFrame } from '../../src/detect/image.js';
import { iou, smallerCover } from '../../src/shared/box.js';
import { HeadRegionSchema } from '../../src/config/models.js';
import { headRegion } from '../../src/detect/head-detector.js';
import type { Box, Detection, FrameAnalysis, Rider } from '../../src/shared/types.js';
import { isPedestrianHead } from './pedestrian-heads.js';
import type { Counts } from './table.js';

export interface HeadGt {
  box: Box;
  bare: boolean;
}

export interface LabelledFrame {
  file: string;
  /** Heads of the frame for its width and height (known once decoded). */
  heads(width: number, height: number): HeadGt[];
}

export interface HelmetFramesResult {
  frames: number;
  heads: number;
  bare_heads: number;
  covered: number;
  right: number;
  no_helmet: Counts;
  /** The bare heads not judged no_helmet (no_helmet.fn), by why (missReason). */
  missed: Record<MissReason, number>;
  /** Bare heads of people on foot (pedestrian-heads.ts), the rest are riders'; and those of them judged no_helmet (in no_helmet.tp). */
  pedestrian_bare_heads: number;
  pedestrian_no_helmet: number;
  /** Frames with no motorcycle (or fallback vehicle) found; persons found; person boxes taken as riders (ridingPersons); rider entries (one per head judged). */
  frames_without_vehicle: number;
  persons: number;
  riders: number;
  rider_heads: number;
}

/** Person boxes among a frame's rider entries: a box with a pillion's head in it gives two entries, one rider box. */
export function ridingPersons(riders: readonly Rider[]): number {
  return new Set(riders.map(({ person: { box: b } }) => `${b.x1},${b.y1},${b.x2},${b.y2}`)).size;
}

/** Parses VOC objects; broken boxes (outside the image) are reported through `bad` and skipped. */
export function vocHeads(xml: string, width: number, height: number, bad: (msg: string) => void): HeadGt[] {
  const out: HeadGt[] = [];
  for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const body = m[1]!;
    const name = /<name>([^<]*)<\/name>/.exec(body)?.[1]?.trim() ?? '';
    const num = (tag: string): number => Number(new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1]);
    const box = { x1: num('xmin'), y1: num('ymin'), x2: num('xmax'), y2: num('ymax') };
    const valid = [box.x1, box.y1, box.x2, box.y2].every(Number.isFinite) && box.x1 >= 0 && box.y1 >= 0 && box.x2 <= width + 1 && box.y2 <= height + 1 && box.x2 > box.x1 && box.y2 > box.y1;
    if (!valid) {
      bad(`object "${name}" box [${box.x1},${box.y1},${box.x2},${box.y2}] lies outside the ${width}x${height} image; skipped`);
      continue;
    }
    if (name !== 'With Helmet' && name !== 'Without Helmet') continue;
    out.push({ box, bare: name === 'Without Helmet' });
  }
  return out;
}

/** YOLO lines `class cx cy w h` (normalised); class 0 helmet, 1 no_helmet. */
export function yoloHeads(text: string, width: number, height: number): HeadGt[] {
  const out: HeadGt[] = [];
  for (const line of text.split(/\r?\n/)) {
    const p = line.trim().split(/\s+/).map(Number);
    if (p.length !== 5 || p.some((v) => !Number.isFinite(v))) continue;
    const [c, cx, cy, w, h] = p as [number, number, number, number, number];
    out.push({ box: { x1: (cx - w / 2) * width, y1: (cy - h / 2) * height, x2: (cx + w / 2) * width, y2: (cy + h / 2) * height }, bare: c === 1 });
  }
  return out;
}

export function vocFrames(dir: string, bad: (msg: string) => void): LabelledFrame[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.(png|jpe?g)$/i.test(n) && existsSync(join(dir, n.replace(/\.[^.]+$/, '.xml'))))
    .sort()
    .map((n) => {
      const xml = join(dir, n.replace(/\.[^.]+$/, '.xml'));
      return { file: join(dir, n), heads: (w, h) => vocHeads(readFileSync(xml, 'utf8'), w, h, (m) => bad(`${basename(xml)}: ${m}`)) };
    });
}

export function yoloFrames(dir: string, split: string): LabelledFrame[] {
  const images = join(dir, 'images', split);
  if (!existsSync(images)) return [];
  return readdirSync(images)
    .filter((n) => /\.(png|jpe?g)$/i.test(n))
    .sort()
    .map((n) => {
      const label = join(dir, 'labels', split, n.replace(/\.[^.]+$/, '.txt'));
      return { file: join(images, n), heads: (w, h) => (existsSync(label) ? yoloHeads(readFileSync(label, 'utf8'), w, h) : []) };
    });
}

/** One labelled head and one rider's head box are the same head when one lies at least half inside the other. */
export const SAME_LABEL_COVER = 0.5;
/** A rider's head box this much over a labelled head (of the smaller box) but not matched to it is off the head. */
const NEAR_HEAD_COVER = 0.2;

/**
 * The rider each labelled head is matched to, or null: one to one within a frame (a head box
 * answers for one head, a head is answered by one box), pairs that are the same head
 * (SAME_LABEL_COVER) taken greedily by IoU, so a tight head box on a loosely labelled head counts
 * as that head and one box over two heads counts once.
 */
export function matchHeads(heads: readonly Box[], riders: readonly Rider[]): (Rider | null)[] {
  const pairs: { h: number; r: number; iou: number }[] = [];
  heads.forEach((head, h) =>
    riders.forEach((rider, r) => {
      const box = rider.helmet.headBox;
      if (smallerCover(head, box) >= SAME_LABEL_COVER) pairs.push({ h, r, iou: iou(head, box) });
    }),
  );
  pairs.sort((a, b) => b.iou - a.iou);
  const out: (Rider | null)[] = heads.map(() => null);
  const used = new Set<number>();
  for (const p of pairs) {
    if (out[p.h] || used.has(p.r)) continue;
    out[p.h] = riders[p.r]!;
    used.add(p.r);
  }
  return out;
}

/**
 * Why a bare head was not judged no_helmet, first that applies: the rider matched to it
 * (matchHeads) said helmet or unknown; a rider's head box overlaps it (NEAR_HEAD_COVER of the
 * smaller box) but is not matched to it (boxed beside it, or answering for another head); its
 * centre is in a rider's head search square (the head detector's default region) with no head
 * box on it; it is in the square of a person not taken as a rider (a pedestrian, or the rider of
 * a motorcycle not found); no person's square holds it.
 */
export type MissReason = 'judged_helmet' | 'judged_unknown' | 'head_box_off' | 'rider_without_head' | 'person_not_rider' | 'no_person';

export const MISS_REASONS: readonly MissReason[] = ['judged_helmet', 'judged_unknown', 'head_box_off', 'rider_without_head', 'person_not_rider', 'no_person'];

/** The head detector's default search square, for every chain alike. */
const SEARCH_SQUARE = HeadRegionSchema.parse({});

function holdsCentre(b: Box, head: Box): boolean {
  const cx = (head.x1 + head.x2) / 2;
  const cy = (head.y1 + head.y2) / 2;
  return b.x1 <= cx && cx <= b.x2 && b.y1 <= cy && cy <= b.y2;
}

/** `hit` is the rider matchHeads matched to `head`. */
export function missReason(head: Box, hit: Rider | null, riders: readonly Rider[], persons: readonly Detection[]): MissReason {
  if (hit) return hit.helmet.verdict === 'unknown' ? 'judged_unknown' : 'judged_helmet';
  if (riders.some((r) => smallerCover(head, r.helmet.headBox) >= NEAR_HEAD_COVER)) return 'head_box_off';
  if (riders.some((r) => holdsCentre(headRegion(r.person.box, SEARCH_SQUARE), head))) return 'rider_without_head';
  if (persons.some((p) => holdsCentre(headRegion(p.box, SEARCH_SQUARE), head))) return 'person_not_rider';
  return 'no_person';
}

/** `seen` gets every analysis (e.g. for its step timings). */
export async function evalHelmetFrames(d: InThreadDetector, frames: readonly LabelledFrame[], seen?: (a: FrameAnalysis) => void): Promise<HelmetFramesResult> {
  const missed = Object.fromEntries(MISS_REASONS.map((k) => [k, 0])) as Record<MissReason, number>;
  const r: HelmetFramesResult = { frames: 0, heads: 0, bare_heads: 0, covered: 0, right: 0, no_helmet: { tp: 0, fp: 0, fn: 0 }, missed, pedestrian_bare_heads: 0, pedestrian_no_helmet: 0, frames_without_vehicle: 0, persons: 0, riders: 0, rider_heads: 0 };
  for (const lf of frames) {
    const f = await loadImageFrame(lf.file);
    const a = await d.analyze(f);
    seen?.(a);
    const riders = a.motorcycles.flatMap((m) => m.riders);
    r.frames++;
    const persons = a.detections.filter((x) => x.role === 'person');
    r.persons += persons.length;
    r.riders += ridingPersons(riders);
    r.rider_heads += riders.length;
    if (a.motorcycles.length === 0) r.frames_without_vehicle++;
    const heads = lf.heads(f.width, f.height);
    const matched = matchHeads(heads.map((g) => g.box), riders);
    heads.forEach((g, i) => {
      const hit = matched[i]!;
      r.heads++;
      if (g.bare) r.bare_heads++;
      const said = hit?.helmet.verdict ?? null;
      if (hit) r.covered++;
      if (said === (g.bare ? 'no_helmet' : 'helmet')) r.right++;
      if (g.bare && said === 'no_helmet') r.no_helmet.tp++;
      if (g.bare && isPedestrianHead(lf.file, g.box)) {
        r.pedestrian_bare_heads++;
        if (said === 'no_helmet') r.pedestrian_no_helmet++;
      }
      if (g.bare && said !== 'no_helmet') {
        r.no_helmet.fn++;
        missed[missReason(g.box, hit, riders, persons)]++;
      }
      if (!g.bare && said === 'no_helmet') r.no_helmet.fp++;
    });
  }
  return r;
}
