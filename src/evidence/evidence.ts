// The three evidence images of a violation: the full frame with the track's boxes drawn and
// labelled, the rider crop, and the plate crop (when a plate was read).
import type { Evidence, MotorcycleObservation, Rider } from '../shared/types.js';
import { padBox } from '../shared/box.js';
import { encodeEvidence } from './encode.js';
import { overlaySvg, type OverlayBox } from './overlay.js';
import { cropRaw, type RawImage } from './raw.js';

export interface EvidenceRequest {
  /** The best frame of the track (owned copy). */
  readonly frame: RawImage;
  readonly trackId: number;
  /** The track's observation in that frame. */
  readonly observation: MotorcycleObservation;
  /** The rider judged no_helmet in that frame. */
  readonly rider: Rider;
  /** Crop of the best read of the chosen plate text, possibly from another frame. */
  readonly plateCrop: RawImage | null;
  /** Line along the top of the full frame, e.g. camera and time. */
  readonly caption: string | null;
}

export interface EvidenceOptions {
  /** JPEG quality, 30..100. */
  readonly quality: number;
}

/** Share of a rider box added on each side of the rider crop, for context. */
export const RIDER_PAD = 0.15;
/** Crops are enlarged to at least these heights so they can be looked at. */
export const RIDER_MIN_HEIGHT = 160;
export const PLATE_MIN_HEIGHT = 64;

function verdictLabel(r: Rider): { label: string; tone: OverlayBox['tone'] } {
  const s = r.helmet.noHelmetScore.toFixed(2);
  if (r.helmet.verdict === 'no_helmet') return { label: `NO HELMET ${s}`, tone: 'violation' };
  if (r.helmet.verdict === 'helmet') return { label: `helmet ${s}`, tone: 'ok' };
  return { label: `unsure ${s}`, tone: 'unsure' };
}

export function overlayBoxes(trackId: number, o: MotorcycleObservation): OverlayBox[] {
  const boxes: OverlayBox[] = [
    { box: o.motorcycle.box, label: `#${trackId} motorcycle ${o.motorcycle.score.toFixed(2)}`, tone: 'vehicle' },
  ];
  for (const r of o.riders) {
    const { label, tone } = verdictLabel(r);
    boxes.push({ box: r.person.box, label, tone });
    boxes.push({ box: r.helmet.headBox, label: null, tone, faint: true });
  }
  if (o.plate) boxes.push({ box: o.plate.box, label: o.plate.text || '?', tone: 'plate' });
  return boxes;
}

export async function makeEvidence(req: EvidenceRequest, options: EvidenceOptions): Promise<Evidence[]> {
  const { frame } = req;
  const svg = overlaySvg(frame.width, frame.height, overlayBoxes(req.trackId, req.observation), req.caption);
  const riderBox = padBox(req.rider.person.box, RIDER_PAD, frame.width, frame.height);
  const jobs: Array<Promise<Evidence>> = [
    encodeEvidence('frame', frame, { quality: options.quality, overlay: svg }),
    encodeEvidence('rider', cropRaw(frame, riderBox), { quality: options.quality, minHeight: RIDER_MIN_HEIGHT }),
  ];
  if (req.plateCrop) jobs.push(encodeEvidence('plate', req.plateCrop, { quality: options.quality, minHeight: PLATE_MIN_HEIGHT }));
  return Promise.all(jobs);
}
