// The two-stage detection pipeline on one frame, in the calling thread:
// scene detector → riders → helmet verdict per rider → plate location → plate OCR.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { modelFiles, resolveModelPath } from '../config/model-files.js';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Box, Detection, Frame, FrameAnalysis, MotorcycleObservation, Rider } from '../shared/types.js';
import type { RgbImage } from './preprocess.js';
import { HeadDetectorJudge } from './head-detector.js';
import { HelmetClassifier, HelmetDetector, type HelmetJudge } from './helmet.js';
import { ObjectDetector } from './object-detector.js';
import { SceneScanner, type ScanMode } from './scene-scan.js';
import type { PlateLocation, PlateTextRead } from './plate.js';
import { PlateBudget } from './plate-budget.js';
import { createPlateStage, type PlateStage } from './plate-stage.js';
import { DEFAULT_RIDER_RULE, type RiderRule } from './riders.js';
import { findRiderVehicles } from './rider-vehicles.js';
import { openSessions, type Provider, type SessionFactory, type ModelSession } from './session.js';
import { Stopwatch } from './timings.js';
import { yuvBytes } from '../shared/yuv.js';

/** The detect stage as the rest of the agent sees it. */
export interface Detector {
  /** The execution provider really in use (after any fallback). */
  readonly provider: Provider;
  /** Why the configured GPU provider is not in use; null when it is, or when cpu was configured. */
  readonly fallbackReason: string | null;
  /** Model identity per role, `file@sha256-8`, e.g. `{ scene: "yolox_nano.onnx@c789161e" }`. */
  readonly modelIds: Readonly<Record<string, string>>;
  /** One frame through the whole pipeline. One call at a time. */
  analyze(frame: Frame): Promise<FrameAnalysis>;
  close(): Promise<void>;
}

export type PlateScope = 'all' | 'suspects';

/**
 * The in-thread detector also exposes its stages for the evaluation script and tests; the
 * agent uses only the Detector interface.
 */
export interface InThreadDetector extends Detector {
  /** Plate candidates (best first) in any region of an image, in image pixels. */
  locatePlates(image: RgbImage, region: Box): Promise<PlateLocation[]>;
  /** The plate reader on given plate locations (e.g. ground-truth boxes); text as read, before formats. */
  readPlates(image: RgbImage, plates: readonly PlateLocation[]): Promise<PlateTextRead[]>;
  /** The plate stage itself (formats, counts). */
  readonly plateStage: PlateStage;
  /** P(no_helmet) per head box; null when the helmet model is a generic detector. */
  scoreHeads(image: RgbImage, heads: readonly Box[]): Promise<number[] | null>;
}

export interface DetectorOptions {
  /** Replaces onnxruntime-node's session creation (tests). */
  sessionFactory?: SessionFactory;
  /** Overrides models.plates_for: read plates of every motorcycle, or only of those with a rider not judged helmeted. */
  plates?: PlateScope;
  riderRule?: RiderRule;
  /** Monotonic milliseconds for the step timings. */
  now?: () => number;
  /** Where the scene detector looks: `whole` (default), `regions` (motion-gated, live) or `tiles` (still images). */
  scan?: ScanMode;
}

type ModelKey = 'scene' | 'helmet' | 'plate_locator' | 'plate_reader';

/** `file@` + the first 8 hex digits of the file's sha256. */
export function modelId(file: string): string {
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  return `${basename(file)}@${sha.slice(0, 8)}`;
}

export function checkFrame(frame: Frame): void {
  const want = frame.width * frame.height * 3;
  if (!(frame.width > 0 && frame.height > 0) || frame.data.length !== want) {
    throw new AgentError(
      'RSA_FRAME_INVALID',
      `frame ${frame.seq}: ${frame.data.length} bytes for ${frame.width}x${frame.height} RGB24 (want ${want})`,
    );
  }
  const f = frame.full;
  if (f && !(f.width > 0 && f.height > 0 && f.data.length === yuvBytes(f.width, f.height))) {
    throw new AgentError('RSA_FRAME_INVALID', `frame ${frame.seq}: plate picture of ${f.data.length} bytes for ${f.width}x${f.height} yuv420p (want ${yuvBytes(f.width, f.height)})`);
  }
}

export async function createDetector(loaded: LoadedConfig, logger: Logger, options: DetectorOptions = {}): Promise<InThreadDetector> {
  const m = loaded.config.models;
  const log = logger.child({ stage: 'detect' });
  for (const { field, file } of modelFiles(loaded)) {
    if (!existsSync(file)) throw new AgentError('RSA_MODEL_MISSING', `${field}: model file not found: ${file}`);
  }
  const files: Partial<Record<ModelKey, string>> = {
    scene: resolveModelPath(loaded.modelsDir, m.scene.path),
    helmet: resolveModelPath(loaded.modelsDir, m.helmet.type === 'detector' ? m.helmet.detector.path : m.helmet.path),
    plate_reader: resolveModelPath(loaded.modelsDir, m.plate_reader.path),
  };
  if (m.plate_locator.type === 'detector') files.plate_locator = resolveModelPath(loaded.modelsDir, m.plate_locator.detector.path);
  if (m.plate_locator.type === 'ppocr_det' || m.plate_locator.type === 'plate_detector') files.plate_locator = resolveModelPath(loaded.modelsDir, m.plate_locator.path);
  if (m.plate_reader.type === 'ppocr_rec') {
    const keys = resolveModelPath(loaded.modelsDir, m.plate_reader.keys);
    if (!existsSync(keys)) throw new AgentError('RSA_MODEL_MISSING', `models.plate_reader.keys: file not found: ${keys}`);
  }
  const modelIds: Record<string, string> = {};
  for (const [k, f] of Object.entries(files)) modelIds[k] = modelId(f);

  const opened = await openSessions(
    files as Record<string, string>,
    { provider: m.provider, requireGpu: m.require_gpu, intraOpThreads: m.intra_op_threads, allowSpinning: m.allow_spinning },
    log,
    options.sessionFactory,
  );
  const s = opened.sessions as Partial<Record<ModelKey, ModelSession>>;
  try {
    // The scene detector keeps boxes down to the riders' vehicle threshold; the pipeline applies
    // scene.score_threshold to everything but a rider's fallback vehicle.
    const scene = new ObjectDetector(s.scene!, { ...m.scene, score_threshold: Math.min(m.scene.score_threshold, m.riders.vehicle_score_threshold, m.riders.person_score_threshold ?? 1) }, 'scene');
    const c = loaded.config;
    const scanner = new SceneScanner(scene, options.scan ?? 'whole', { motion: c.motion, regions: c.regions, nmsIou: m.scene.nms_iou });
    const helmet = helmetJudge(s.helmet!, m.helmet);
    const plateStage = createPlateStage(loaded, s);
    log.info({ provider: opened.provider, models: modelIds, threads: m.intra_op_threads, scan: scanner.mode }, 'detector ready');
    return new Pipeline({
      provider: opened.provider,
      fallbackReason: opened.fallbackReason,
      modelIds,
      sessions: Object.values(opened.sessions),
      scanner,
      helmet,
      plateStage,
      plateBudget: new PlateBudget({ settleReads: c.plates.per_track.settle_reads, maxGapFrames: c.plates.per_track.max_gap_frames, minConfidence: c.rules.min_plate_confidence }),
      plates: options.plates ?? m.plates_for,
      riderRule: options.riderRule ?? DEFAULT_RIDER_RULE,
      riderVehicles: {
        sceneThreshold: m.scene.score_threshold,
        vehicleThreshold: m.riders.vehicle_score_threshold,
        personThreshold: m.riders.person_score_threshold ?? m.scene.score_threshold,
        vehicleClasses: m.riders.vehicle_classes,
      },
      now: options.now ?? (() => performance.now()),
    });
  } catch (err) {
    await Promise.allSettled(Object.values(opened.sessions).map((x) => x.release()));
    throw err;
  }
}

/** The judge of config models.helmet. */
function helmetJudge(session: ModelSession, config: ModelsConfig['helmet']): HelmetJudge {
  if (config.type === 'classifier') return new HelmetClassifier(session, config);
  if (config.type === 'head_detector') return new HeadDetectorJudge(session, config);
  return new HelmetDetector(session, config);
}

interface PipelineParts {
  provider: Provider;
  fallbackReason: string | null;
  modelIds: Record<string, string>;
  sessions: ModelSession[];
  scanner: SceneScanner;
  helmet: HelmetJudge;
  plateStage: PlateStage;
  plateBudget: PlateBudget;
  plates: PlateScope;
  riderRule: RiderRule;
  riderVehicles: { sceneThreshold: number; vehicleThreshold: number; personThreshold: number; vehicleClasses: readonly number[] };
  now: () => number;
}

class Pipeline implements InThreadDetector {
  readonly provider: Provider;
  readonly fallbackReason: string | null;
  readonly modelIds: Readonly<Record<string, string>>;
  private busy = false;
  private closed = false;

  constructor(private readonly p: PipelineParts) {
    this.provider = p.provider;
    this.fallbackReason = p.fallbackReason;
    this.modelIds = p.modelIds;
  }

  async analyze(frame: Frame): Promise<FrameAnalysis> {
    if (this.closed) throw new Error('detector is closed');
    if (this.busy) throw new Error('detector: analyze() called while another frame is in flight');
    this.busy = true;
    try {
      return await this.run(frame);
    } finally {
      this.busy = false;
    }
  }

  private async run(frame: Frame): Promise<FrameAnalysis> {
    checkFrame(frame);
    const p = this.p;
    const sw = new Stopwatch(p.now);
    const t0 = p.now();
    const { detections: found, scan } = await p.scanner.detect(frame, sw);

    sw.start();
    const { detections, vehicles: motos, riders: assignment, persons } = findRiderVehicles(found, { ...p.riderVehicles, rule: p.riderRule });
    const riderPersons: Detection[] = [];
    const riderOf: number[] = [];
    assignment.forEach((list, m) => list.forEach((pi) => (riderPersons.push(persons[pi]!), riderOf.push(m))));
    sw.lap('riders');

    const verdicts = await p.helmet.judge(frame, riderPersons, sw);
    const riders: Rider[][] = motos.map(() => []);
    riderPersons.forEach((person, i) => verdicts[i]!.forEach((helmet) => riders[riderOf[i]!]!.push({ person, helmet })));

    const wanted = riders.map((rs) => p.plates === 'all' || rs.some((r) => r.helmet.verdict !== 'helmet'));
    const ticket = p.plateBudget.plan(frame.seq, motos.map((d) => d.box), wanted);
    const plates = await p.plateStage.run(frame, motos, ticket.search, detections, sw, frame.full);
    p.plateBudget.record(ticket, plates.motorcycles);
    const motorcycles: MotorcycleObservation[] = motos.map((motorcycle, i) => ({ motorcycle, riders: riders[i]!, plate: plates.motorcycles[i]! }));
    const timings = { ...sw.timings, total: p.now() - t0 };
    const plateSearches = { searched: ticket.searched, skipped: ticket.skipped };
    return { frame, motorcycles, detections, otherPlates: plates.others, timings, scan, plateSearches };
  }

  get plateStage(): PlateStage {
    return this.p.plateStage;
  }

  async locatePlates(image: RgbImage, region: Box): Promise<PlateLocation[]> {
    return this.p.plateStage.locateIn(image, region, new Stopwatch(this.p.now));
  }

  async readPlates(image: RgbImage, plates: readonly PlateLocation[]): Promise<PlateTextRead[]> {
    return (await this.p.plateStage.readBoxes(image, plates, new Stopwatch(this.p.now))).map((x) => x.read);
  }

  async scoreHeads(image: RgbImage, heads: readonly Box[]): Promise<number[] | null> {
    return (await this.p.helmet.scoreHeads?.(image, heads, new Stopwatch(this.p.now))) ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.p.sessions.map((s) => s.release()));
  }
}
