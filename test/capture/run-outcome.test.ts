import { describe, expect, it } from 'vitest';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';
import { classifyRun } from '../../src/capture/run-outcome.js';

const camera = (over: Partial<CaptureCamera['source']> = {}): CaptureCamera => ({
  id: 'cam',
  source: { url: 'rtsp://127.0.0.1/live', rtsp_transport: 'tcp', timeout_s: 5, wallclock_timestamps: false, loop: false, realtime: true, hwaccel: 'none', ...over },
  detect: { width: 320, height: 180, fps: 5 },
  stall_timeout_s: 4,
  reconnect: { initial_s: 1, max_s: 30, factor: 2, jitter: 0 },
});
const exit = (code: number | null, signal: NodeJS.Signals | null = null) => ({ code, signal });

describe('classifyRun: how one ffmpeg run ended', () => {
  it.each([
    { what: 'opened, stalled, no frame: broken timestamps suspected', f: { exit: exit(null, 'SIGKILL'), frames: 0, stalled: true, opened: true }, line: 'x.mp4: Invalid data found when processing input', kind: 'rtsp', code: 'RSA_CAMERA_STALLED', reason: /opened but delivered no frame in 4 s \(broken frame timestamps/, outcome: 'failed' },
    { what: 'stalled after frames', f: { exit: exit(null, 'SIGTERM'), frames: 12, stalled: true, opened: true }, line: 'x.mp4: Invalid data found when processing input', kind: 'rtsp', code: 'RSA_CAMERA_STALLED', reason: /^no frame for 4 s$/, outcome: 'failed' },
    { what: 'end of a file played once', f: { exit: exit(0), frames: 24, stalled: false, opened: true }, line: 'x.mp4: Invalid data found when processing input', kind: 'file', code: 'RSA_CAMERA_UNREACHABLE', reason: /^end of file$/, outcome: 'finished' },
    { what: 'opened, ended with no frame', f: { exit: exit(0), frames: 0, stalled: false, opened: true }, line: 'x.mp4: Invalid data found when processing input', kind: 'rtsp', code: 'RSA_CAMERA_UNREACHABLE', reason: /ended without delivering a single frame/, outcome: 'failed' },
    { what: 'camera closed the connection', f: { exit: exit(0), frames: 40, stalled: false, opened: true }, line: 'x.mp4: Invalid data found when processing input', kind: 'rtsp', code: 'RSA_CAMERA_UNREACHABLE', reason: /camera closed the connection/, outcome: 'failed' },
    { what: 'not a video at all', f: { exit: exit(1), frames: 0, stalled: false, opened: false }, line: 'x.mp4: Invalid data found when processing input', kind: 'file', code: 'RSA_CAMERA_NOT_VIDEO', reason: /^not a video: .*Invalid data found/, outcome: 'failed' },
    { what: 'another failure names the last stderr line', f: { exit: exit(1), frames: 0, stalled: false, opened: false }, line: 'Connection refused', kind: 'rtsp', code: 'RSA_CAMERA_UNREACHABLE', reason: /^ffmpeg failed \(exit code 1\): Connection refused$/, outcome: 'failed' },
  ] as const)('$what', ({ f, line, kind, code, reason, outcome }) => {
    const out = classifyRun({ ...f, stderr: (n) => [line].slice(-n) }, camera(), kind);
    expect(out.code).toBe(code);
    expect(out.reason).toMatch(reason);
    expect(out.kind).toBe(outcome);
  });

  it('does not suspect timestamps when wall-clock timestamps are already on', () => {
    const out = classifyRun({ exit: exit(null, 'SIGKILL'), frames: 0, stalled: true, opened: true, stderr: () => [] }, camera({ wallclock_timestamps: true }), 'rtsp');
    expect(out.reason).toBe('the stream opened but delivered no frame in 4 s');
  });
});
