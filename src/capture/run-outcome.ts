// How one ffmpeg run ended, from capture's point of view: pure, from what the run saw (its exit,
// frames, a stall, whether ffmpeg described the stream, its last stderr lines).
import type { ErrorCode } from '../shared/errors.js';
import type { CaptureCamera } from './ffmpeg-args.js';
import type { FfmpegExit } from './ffmpeg-process.js';
import type { SourceKind } from '../config/load.js';

export interface RunOutcome {
  readonly kind: 'finished' | 'failed' | 'stopped';
  readonly frames: number;
  readonly exit: FfmpegExit;
  readonly stalled: boolean;
  readonly code: ErrorCode;
  readonly reason: string;
}

export interface RunFacts {
  exit: FfmpegExit;
  frames: number;
  /** The stall watchdog killed ffmpeg. */
  stalled: boolean;
  /** ffmpeg opened the stream and described its video (the camera answered). */
  opened: boolean;
  /** The last n lines of ffmpeg's stderr (passwords scrubbed). */
  stderr: (n: number) => string[];
}

/** ffmpeg's words for an input that is not a video it can decode (not a passing network fault). */
const NOT_VIDEO = /Invalid data found when processing input|does not contain any stream|matches no streams|moov atom not found/;

export function classifyRun(f: RunFacts, camera: CaptureCamera, kind: SourceKind): RunOutcome {
  const { exit, frames, stalled, opened } = f;
  const base = { frames, exit, stalled };
  if (stalled && opened && frames === 0)
    return {
      ...base,
      kind: 'failed',
      code: 'RSA_CAMERA_STALLED',
      reason: `the stream opened but delivered no frame in ${camera.stall_timeout_s} s${kind !== 'file' && !camera.source.wallclock_timestamps ? ' (broken frame timestamps? try camera.source.wallclock_timestamps: true)' : ''}`,
    };
  if (stalled) return { ...base, kind: 'failed', code: 'RSA_CAMERA_STALLED', reason: `no frame for ${camera.stall_timeout_s} s` };
  if (exit.error) return { ...base, kind: 'failed', code: 'RSA_CAMERA_UNREACHABLE', reason: `ffmpeg could not start: ${exit.error.message}` };
  if (exit.code === 0) {
    if (kind === 'file' && !camera.source.loop) return { ...base, kind: 'finished', code: 'RSA_CAMERA_UNREACHABLE', reason: 'end of file' };
    if (opened && frames === 0)
      return { ...base, kind: 'failed', code: 'RSA_CAMERA_UNREACHABLE', reason: 'the stream opened but ended without delivering a single frame' };
    return { ...base, kind: 'failed', code: 'RSA_CAMERA_UNREACHABLE', reason: 'the stream ended (ffmpeg exited 0): the camera closed the connection' };
  }
  const notVideo = frames === 0 && !exit.signal ? f.stderr(8).find((l) => NOT_VIDEO.test(l)) : undefined;
  if (notVideo) return { ...base, kind: 'failed', code: 'RSA_CAMERA_NOT_VIDEO', reason: `not a video: ${notVideo}` };
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const last = f.stderr(1)[0];
  return { ...base, kind: 'failed', code: 'RSA_CAMERA_UNREACHABLE', reason: `ffmpeg failed (${how})${last ? `: ${last}` : ''}` };
}
