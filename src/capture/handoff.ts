import { sourceKind } from '../config/load.js';
import type { CaptureCamera, FfmpegInvocation } from './ffmpeg-args.js';
import { PAIR_WAIT } from './frame-pairer.js';

export type Handoff = 'latest' | 'lossless';

/**
 * The hand-off a camera's source calls for: lossless for a file read as fast as possible
 * (nothing to keep up with, so no frame should be decoded only to be dropped), latest-frame-wins
 * for everything else (live cameras, files played in real time).
 */
export function defaultHandoff(camera: Pick<CaptureCamera, 'source'>): Handoff {
  return sourceKind(camera.source.url) === 'file' && !camera.source.realtime ? 'lossless' : 'latest';
}

/**
 * Frames a lossless hand-off lets ffmpeg write ahead of what the consumer took: one, or with
 * plate pictures one more for each frame that may wait for its picture. ffmpeg may write a
 * frame or two before the picture of the one before, and a window of one would leave both
 * sides waiting for each other.
 */
export function losslessWindow(invocation: Pick<FfmpegInvocation, 'plate'>): number {
  return invocation.plate ? 1 + PAIR_WAIT : 1;
}
