// The plate stage of the pipeline: locate each wanted vehicle's plate, read it, check it against
// the configured formats. Motorcycles first; other vehicle classes and the whole frame (for
// close-ups) only when the config asks. A weak read is read again with a margin and, in a box
// taller than a plate, in plate-shaped windows (plate-reread.ts).
import type { LoadedConfig } from '../config/load.js';
import { resolveModelPath } from '../config/model-files.js';
import { boxArea, expandBox, iou, scaleBox, smallerCover } from '../shared/box.js';
import type { Box, Detection, OtherPlate, PlateRead, YuvPicture } from '../shared/types.js';
import { PlateFormats, type PlateVerdict } from '../plate/check.js';
import { CCT_V2_GLOBAL_REGIONS } from '../plate/regions.js';
import { PlateDetectorLocator } from './plate-detector.js';
import { CctPlateReader, PpocrPlateReader } from './plate-readers.js';
import { plateWindows, preferRereads, weakestSlot, WEAK_SLOT, withMargin } from './plate-reread.js';
import { DetectorPlateLocator, PpocrPlateLocator, type PlateLocation, type PlateLocator, type PlateReader, type PlateTextRead } from './plate.js';
import type { RgbImage } from './preprocess.js';
import type { ModelSession } from './session.js';
import type { Stopwatch } from './timings.js';
import { PlatePixels } from './plate-pixels.js';

/** A vehicle this large (share of the frame's area) is a close-up: no whole-frame search needed. */
const LARGE_VEHICLE_SHARE = 0.25;
/** Share of a search region added on each side of what is converted from a plate picture (a re-read reaches past a plate box found at the region's edge). */
const REGION_MARGIN = 0.08;
/** Plates taken from a whole-frame search. */
const WHOLE_FRAME_PLATES = 3;

/** Two plate boxes are one plate when they overlap by half (IoU) or the smaller lies mostly (0.8) inside the larger. */
export function samePlate(a: Box, b: Box): boolean {
  return iou(a, b) > 0.5 || smallerCover(a, b) >= 0.8;
}

/**
 * The indexes (ascending) of the plates kept when one plate was found for two vehicles (a car
 * also boxed as a truck; a neighbour's plate cut at the edge of a motorcycle's search region):
 * each plate once, for the vehicle whose box of it is the larger.
 */
export function onePerPlate(locs: ReadonlyArray<{ box: Box } | null>): number[] {
  const kept: number[] = [];
  const bySize = locs.flatMap((l, i) => (l ? [i] : []));
  bySize.sort((a, b) => boxArea(locs[b]!.box) - boxArea(locs[a]!.box));
  for (const i of bySize) if (!kept.some((k) => samePlate(locs[k]!.box, locs[i]!.box))) kept.push(i);
  return kept.sort((a, b) => a - b);
}

export interface PlateStageStats {
  /** Vehicle regions searched (one locator run each) and whole frames searched. */
  searches: number;
  /** Plates read (one reader item each), re-reads of weak reads not included. */
  reads: number;
  /** Weak reads read again (with a margin, in windows of a tall box: plate-reread.ts), and how many of those re-reads were kept. */
  rereads: number;
  rereadsKept: number;
}

/**
 * Every read with its format verdict (the evaluation counts repairs against ground truth);
 * `first`: the read it replaced, when it is a kept re-read.
 */
export type VerdictObserver = (box: Box, read: PlateTextRead, verdict: PlateVerdict | null, first: PlateTextRead | null) => void;

/** A plate's read and, when a re-read replaced it, the first read. */
interface KeptRead {
  read: PlateTextRead;
  first: PlateTextRead | null;
  /** Where the plate is: the located box, or the window of it whose read was kept. */
  box: Box;
}

export class PlateStage {
  readonly stats: PlateStageStats = { searches: 0, reads: 0, rereads: 0, rereadsKept: 0 };
  observer: VerdictObserver | null = null;
  /** RGB of the plate pictures, converted where plates are searched. */
  readonly pixels = new PlatePixels();

  constructor(
    private readonly locator: PlateLocator | null,
    private readonly reader: PlateReader,
    readonly formats: PlateFormats,
    private readonly vehicleClasses: readonly number[],
    private readonly wholeFrame: 'never' | 'no_large_vehicle',
  ) {}

  get locates(): boolean {
    return this.locator !== null;
  }

  /** Plate detector runs so far (null for other locators, whose runs are one per search). */
  get detectorRuns(): number | null {
    return this.locator instanceof PlateDetectorLocator ? this.locator.runs : null;
  }

  /**
   * Plates of the wanted motorcycles (same order, null where none) and of other vehicles, in the
   * detect frame's pixels. `full`: the same picture at the camera's resolution, when capture has
   * one: plates are then located and read on it (converted to RGB where they are searched), boxes
   * given back in detect pixels.
   */
  async run(
    frame: RgbImage,
    motos: readonly Detection[],
    wanted: readonly boolean[],
    detections: readonly Detection[],
    sw: Stopwatch,
    full?: YuvPicture,
  ): Promise<{ motorcycles: Array<PlateRead | null>; others: OtherPlate[] }> {
    const none = { motorcycles: motos.map(() => null), others: [] };
    if (!this.locator) return none;
    const vehicles = detections.filter((d) => this.vehicleClasses.includes(d.classId));
    const searched = [...motos.flatMap((m, i) => (wanted[i] ? [{ vehicle: m, moto: i }] : [])), ...vehicles.map((v) => ({ vehicle: v, moto: -1 }))];
    const searchWhole = this.wholeFrame === 'no_large_vehicle' && !this.hasLargeVehicle(frame, [...motos, ...vehicles]);
    if (searched.length === 0 && !searchWhole) return none;
    const large = full && full.width > frame.width ? full : null;
    const kx = large ? large.width / frame.width : 1;
    const ky = large ? large.height / frame.height : 1;
    const up = (d: Detection): Detection => (kx === 1 && ky === 1 ? d : { ...d, box: scaleBox(d.box, kx, ky) });
    const targets = searched.map((x) => up(x.vehicle));
    sw.start();
    const image = large ? this.pixels.view(large, this.convertedRegions(large, targets, searchWhole)) : frame;
    sw.lap('plate.pixels');
    const located: Array<{ vehicle: Detection | null; moto: number; loc: PlateLocation }> = [];
    const locs = await this.locateAll(image, targets, sw, Math.max(kx, ky));
    for (const i of onePerPlate(locs)) located.push({ ...searched[i]!, loc: locs[i]! });
    if (searchWhole) {
      this.stats.searches++;
      const whole = { x1: 0, y1: 0, x2: image.width, y2: image.height };
      const all = this.locator instanceof PlateDetectorLocator ? await this.locator.locateWhole(image, sw) : await this.locator.locateIn(image, whole, sw);
      const found = all.filter((c) => !located.some((l) => iou(l.loc.box, c.box) > 0.3));
      for (const loc of found.slice(0, WHOLE_FRAME_PLATES)) located.push({ vehicle: null, moto: -1, loc });
    }
    const reads = await this.readAll(image, located.map((l) => l.loc), sw);
    const out: { motorcycles: Array<PlateRead | null>; others: OtherPlate[] } = { motorcycles: motos.map(() => null), others: [] };
    located.forEach((l, i) => {
      const { box, read, first } = reads[i]!;
      const plate = this.toPlate(kx === 1 && ky === 1 ? box : scaleBox(box, 1 / kx, 1 / ky), read, first);
      if (!plate) return;
      if (l.moto >= 0) out.motorcycles[l.moto] = plate;
      else out.others.push({ vehicle: l.vehicle, plate });
    });
    return out;
  }

  /**
   * Reads the plates; each weak read read again with a margin and, when its box is taller than a
   * plate, in plate-shaped windows (plate-reread.ts), the best of them kept.
   */
  private async readAll(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<KeptRead[]> {
    const reads = await this.reader.read(image, plates, sw);
    this.stats.reads += reads.length;
    const out: KeptRead[] = reads.map((read, i) => ({ read, first: null, box: plates[i]!.box }));
    const again = reads.flatMap((r, i) => {
      if (weakestSlot(r) >= WEAK_SLOT) return [];
      const margin = withMargin(plates[i]!, image.width, image.height);
      // A margin re-read's plate is still the located box; a window's is the window.
      return [...(margin ? [{ i, plate: margin, box: plates[i]!.box }] : []), ...plateWindows(plates[i]!).map((w) => ({ i, plate: w, box: w.box }))];
    });
    if (again.length === 0) return out;
    const weak = new Set(again.map((a) => a.i));
    this.stats.rereads += weak.size;
    const second = await this.reader.read(image, again.map((a) => a.plate), sw);
    const fits = (r: PlateTextRead): boolean => this.formats.fits(r.chars, r.region);
    for (const i of weak) {
      const first = reads[i]!;
      const kept = preferRereads(first, second.filter((_, j) => again[j]!.i === i), fits);
      if (kept === first) continue;
      this.stats.rereadsKept++;
      out[i] = { read: kept, first, box: again[second.indexOf(kept)]!.box };
    }
    return out;
  }

  private async locateAll(image: RgbImage, vehicles: readonly Detection[], sw: Stopwatch, pixelScale: number): Promise<Array<PlateLocation | null>> {
    this.stats.searches += vehicles.length;
    if (this.locator instanceof PlateDetectorLocator) return this.locator.locateAll(image, vehicles, sw, pixelScale);
    const out: Array<PlateLocation | null> = [];
    for (const v of vehicles) out.push(await this.locator!.locate(image, v, sw));
    return out;
  }

  /**
   * Where the plate stage reads a plate picture: each vehicle's search region, with room for the
   * re-read's margin; the whole picture when it is searched whole or the locator does not say.
   */
  private convertedRegions(picture: YuvPicture, vehicles: readonly Detection[], whole: boolean): Box[] {
    const locator = this.locator!;
    if (whole || !locator.searchRegion) return [{ x1: 0, y1: 0, x2: picture.width, y2: picture.height }];
    return vehicles.flatMap((v) => {
      const r = locator.searchRegion!(picture, v);
      return r ? [expandBox(r, REGION_MARGIN)] : [];
    });
  }

  private hasLargeVehicle(image: RgbImage, vehicles: readonly Detection[]): boolean {
    const frame = image.width * image.height;
    return vehicles.some((v) => boxArea(v.box) >= LARGE_VEHICLE_SHARE * frame);
  }

  /** A read as the record keeps it: repaired to its format, or null when empty or rejected. */
  toPlate(box: Box, r: PlateTextRead, first: PlateTextRead | null = null): PlateRead | null {
    if (r.text.length === 0) {
      this.observer?.(box, r, null, first);
      return null;
    }
    const verdict = this.formats.check(r.chars, r.region);
    this.observer?.(box, r, verdict, first);
    if (!verdict.ok) return null;
    return {
      box,
      text: verdict.text,
      raw: r.raw,
      confidence: r.confidence,
      region: r.region?.name ?? null,
      regionConfidence: r.region?.confidence ?? null,
      repaired: verdict.repaired,
    };
  }

  /** Reads given plate boxes (evaluation on ground-truth crops), formats applied. */
  async readBoxes(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<Array<{ read: PlateTextRead; plate: PlateRead | null }>> {
    const reads = await this.readAll(image, plates, sw);
    return reads.map(({ read, first, box }) => ({ read, plate: this.toPlate(box, read, first) }));
  }

  locateIn(image: RgbImage, region: Box, sw: Stopwatch): Promise<PlateLocation[]> {
    return this.locator ? this.locator.locateIn(image, region, sw) : Promise.resolve([]);
  }
}

type Sessions = Partial<Record<'plate_locator' | 'plate_reader', ModelSession>>;

/** The plate stage as the config describes it, on already opened sessions. */
export function createPlateStage(loaded: LoadedConfig, s: Sessions): PlateStage {
  const m = loaded.config.models;
  const plates = loaded.config.plates;
  let locator: PlateLocator | null = null;
  if (m.plate_locator.type === 'plate_detector') locator = new PlateDetectorLocator(s.plate_locator!, m.plate_locator);
  if (m.plate_locator.type === 'detector') locator = new DetectorPlateLocator(s.plate_locator!, m.plate_locator);
  if (m.plate_locator.type === 'ppocr_det') locator = new PpocrPlateLocator(s.plate_locator!, m.plate_locator);
  const hasRegions = m.plate_reader.type === 'cct' && s.plate_reader!.outputNames.includes('region');
  const reader: PlateReader =
    m.plate_reader.type === 'cct'
      ? new CctPlateReader(s.plate_reader!, m.plate_reader)
      : new PpocrPlateReader(s.plate_reader!, resolveModelPath(loaded.modelsDir, m.plate_reader.keys));
  const regions = hasRegions && m.plate_reader.type === 'cct' ? (m.plate_reader.regions ?? CCT_V2_GLOBAL_REGIONS) : null;
  return new PlateStage(locator, reader, new PlateFormats(plates, regions), plates.vehicle_classes, plates.whole_frame);
}
