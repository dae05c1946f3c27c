// Street CCTV frames whose riders all wear a helmet (looked at one by one; listed here, the
// pictures stay in the media folder): every no_helmet verdict on them is a false alarm. The
// labelled sets are web photos of riders close up; these are what a roadside camera sees,
// riders from behind with heads of 20-40 px, which those sets hardly hold. scripts/eval.ts runs
// them whole (as the labelled sets) and in tiles (as `detect` does, nearer to a live camera's
// full-detail regions: more small riders found, so more squares judged).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RulesConfig } from '../../src/config/schema.js';
import type { InThreadDetector } from '../../src/detect/detector.js';
import { loadImageFrame } from '../../src/detect/image.js';
import { bigEnough } from '../../src/rules/helmet-rule.js';

/** Under the media folder: a Vietnamese junction (about a dozen motorcycles) and an intersection (ten riders). */
export const HELMETED_SCENES = ['vn/huyhoanlee_test.jpg', 'vn/huyhoanlee_tr1_382.png'];

export interface HelmetedScenesResult {
  frames: number;
  riders: number;
  /** Riders judged no_helmet: false alarms, every one. */
  no_helmet: number;
  unknown: number;
  /** Of no_helmet, those the rules would count toward a violation: motorcycle and rider at least rules.min_motorcycle_px / min_rider_px. */
  no_helmet_counted: number;
}

/** The size rules a no_helmet frame must pass before it counts (src/rules/helmet-rule.ts). */
export type SizeRules = Pick<RulesConfig, 'min_motorcycle_px' | 'min_rider_px'>;

export async function evalHelmetedScenes(d: InThreadDetector, mediaDir: string, rules: SizeRules): Promise<HelmetedScenesResult | null> {
  const files = HELMETED_SCENES.map((f) => join(mediaDir, f)).filter((f) => existsSync(f));
  if (files.length === 0) return null;
  const r: HelmetedScenesResult = { frames: 0, riders: 0, no_helmet: 0, unknown: 0, no_helmet_counted: 0 };
  for (const file of files) {
    const a = await d.analyze(await loadImageFrame(file));
    r.frames++;
    for (const m of a.motorcycles) {
      for (const rider of m.riders) {
        r.riders++;
        if (rider.helmet.verdict === 'unknown') r.unknown++;
        if (rider.helmet.verdict !== 'no_helmet') continue;
        r.no_helmet++;
        if (bigEnough(m.motorcycle.box, rules.min_motorcycle_px) && bigEnough(rider.person.box, rules.min_rider_px)) r.no_helmet_counted++;
      }
    }
  }
  return r;
}
