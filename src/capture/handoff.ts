import { sourceKind } from '../config/load.js';
import type { CaptureCamera } from './ffmpeg-args.js';

export type Handoff = 'latest' | 'lossless';

/**
 * The hand-off a camera's source calls for: lossless for a file read as fast as possible
 * (nothing to keep up with, so no frame should be decoded only to be dropped), latest-frame-wins
 * for everything else (live cameras, files played in real time).
 */
export function defaultHandoff(camera: Pick<CaptureCamera, 'source'>): Handoff {
  return sourceKind(camera.source.url) === 'file' && !camera.source.realtime ? 'lossless' : 'latest';
}
