// The types that cross stages. Stages import each other's types only from here; only
// src/agent.ts knows every stage.

/** One raw frame as ffmpeg hands it over: packed RGB24, `width * height * 3` bytes. */
export interface Frame {
  /** Monotonic per frame source, counting from 0; a gap means frames were dropped. */
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Epoch ms (injected clock) when the last byte of the frame arrived. */
  readonly capturedAt: number;
  /**
   * The same picture at the camera's resolution (camera.plate_pixels), when capture has one:
   * plates are located and read on it, and their evidence crops cut from it.
   */
  readonly full?: YuvPicture;
}

/** A packed RGB24 picture: a frame, a crop of one, a model's input image. */
export interface RgbPicture {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A planar yuv420p picture as ffmpeg writes it: the Y plane, then U and V at half size each way. */
export interface YuvPicture {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Axis-aligned box in frame pixels; x2/y2 exclusive. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export type Role = 'person' | 'motorcycle' | 'helmet' | 'no_helmet' | 'plate';

export interface Detection {
  readonly box: Box;
  readonly score: number;
  readonly classId: number;
  /** null when the class is not mapped to a role in the model's config. */
  readonly role: Role | null;
}

export type HelmetVerdictKind = 'helmet' | 'no_helmet' | 'unknown';

export interface HelmetVerdict {
  readonly verdict: HelmetVerdictKind;
  /** Probability (or detector score) that the rider wears no helmet, 0..1. */
  readonly noHelmetScore: number;
  /** The head region the verdict was made on, in frame pixels. */
  readonly headBox: Box;
}

export interface Rider {
  readonly person: Detection;
  readonly helmet: HelmetVerdict;
}

export interface PlateRead {
  readonly box: Box;
  /** Normalised: upper-case A-Z0-9 only, rows merged top to bottom. */
  readonly text: string;
  /** What the OCR model produced before normalisation. */
  readonly raw: string;
  /** 0..1; the product (or mean) of per-character confidences. */
  readonly confidence: number;
  /** The plate's region (country) by the reader's region head, and its probability; null without one. */
  readonly region?: string | null;
  readonly regionConfidence?: number | null;
  /** Characters the plate format repaired (e.g. O read in a digit slot). */
  readonly repaired?: number;
}

/** A plate read outside a motorcycle: another vehicle class, or a whole-frame search (vehicle null). */
export interface OtherPlate {
  readonly vehicle: Detection | null;
  readonly plate: PlateRead;
}

/** One motorcycle in one frame with everything the detect stage found about it. */
export interface MotorcycleObservation {
  readonly motorcycle: Detection;
  readonly riders: readonly Rider[];
  readonly plate: PlateRead | null;
}

/** Where the scene detector looked in a frame, and the motion it was steered by. */
export interface SceneScan {
  /** `whole`: the frame letterboxed whole; `regions`: squares around motion and tracked objects; `tiles`: whole + tiles (still images); `none`: no inference. */
  readonly mode: 'whole' | 'regions' | 'tiles' | 'none';
  /** The areas the scene detector ran on, in frame pixels (the whole frame included when it did). */
  readonly regions: readonly Box[];
  /** Motion boxes in frame pixels; empty when motion is not used. */
  readonly motion: readonly Box[];
  /** Share of the picture in motion, 0..1; null when motion is not used. */
  readonly motionFraction: number | null;
}

export interface FrameAnalysis {
  readonly frame: Frame;
  readonly motorcycles: readonly MotorcycleObservation[];
  /** Every scene detection (persons, motorcycles, others) after NMS, for drawing and debugging. */
  readonly detections: readonly Detection[];
  /** Plates of other vehicles and of whole-frame searches, when the config asks for them. */
  readonly otherPlates?: readonly OtherPlate[];
  /** Milliseconds per step (e.g. `scene.model`, `scene.pre`, `helmet.model`, `plate.ocr`). */
  readonly timings: Readonly<Record<string, number>>;
  /** Where the scene detector looked; absent from detectors that always scan the whole frame. */
  readonly scan?: SceneScan;
  /** Motorcycles whose plate was wanted: searched now, or skipped by plates.per_track. */
  readonly plateSearches?: { readonly searched: number; readonly skipped: number };
}

export type ViolationType = 'no_helmet';

export type EvidenceKind = 'frame' | 'rider' | 'plate';

export interface Evidence {
  readonly kind: EvidenceKind;
  readonly jpeg: Buffer;
  /** Hex sha256 of `jpeg`. */
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
}

/** One violation, as committed to the queue on the box and delivered centrally. */
export interface Violation {
  /** UUIDv7 made on the box: the idempotency key centrally. */
  readonly id: string;
  readonly type: ViolationType;
  readonly cameraId: string;
  readonly cameraLocation: string;
  readonly plateText: string | null;
  readonly plateConfidence: number | null;
  /** The plate's region (country) by the reader's region head; null when unknown or no plate. Absent in records queued by older versions. */
  readonly plateRegion?: string | null;
  /** Direction of travel of the track: towards / away from the camera, across, or still. */
  readonly travelDirection?: 'towards' | 'away' | 'across' | 'still' | null;
  /** Heading in the image, degrees: 0 = right, 90 = down the picture, -90 = up; null when still. */
  readonly headingDeg?: number | null;
  /** Confidence of the violation itself (e.g. the mean no-helmet score over its frames). */
  readonly detectionConfidence: number;
  /** Epoch ms (UTC) of the frame chosen as evidence. */
  readonly occurredAt: number;
  /** Epoch ms of the first and last frame of the track. */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** Frames of the track in which the violation was observed. */
  readonly frameCount: number;
  readonly trackId: number;
  /** Model identities by role, e.g. `{ scene: "yolox_nano.onnx@c789161e" }`. */
  readonly models: Readonly<Record<string, string>>;
  readonly agentVersion: string;
  readonly evidence: readonly Evidence[];
}

/** An open motorcycle track as the rules see it (the installer page draws these). */
export interface TrackView {
  readonly id: number;
  readonly box: Box;
  readonly hits: number;
  /** Epoch ms of the track's last matched frame. */
  readonly lastSeenAt: number;
  /** Frames in which a rider was judged no_helmet. */
  readonly noHelmetFrames: number;
  /** The riders' verdicts in the track's last frame. */
  readonly riders: readonly HelmetVerdictKind[];
  /** The track's best plate read so far (the one a violation would carry). */
  readonly plate: string | null;
  /** The track has met the rule (its violation was decided). */
  readonly decided: boolean;
}
