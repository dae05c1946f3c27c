// Stopping one ffmpeg process: SIGTERM now, SIGKILL after the grace if it is still there.
// Asking twice is asking once.
import type { Logger } from '../shared/logger.js';
import type { FfmpegProcess } from './ffmpeg-process.js';

export type TerminateReason = 'stall' | 'stop' | 'size';

const terminating = new WeakSet<FfmpegProcess>();

/** `beforeSignal`: what must happen first (a gated ffmpeg blocked on its pipe must be able to write its way out). */
export function terminateFfmpeg(proc: FfmpegProcess, why: TerminateReason, graceMs: number, log: Logger, beforeSignal?: () => void): void {
  if (terminating.has(proc)) return;
  terminating.add(proc);
  beforeSignal?.();
  proc.kill('SIGTERM');
  let done = false;
  const timer = setTimeout(() => {
    if (done) return;
    log.warn({ event: 'ffmpeg_kill', signal: 'SIGKILL', why, pid: proc.pid(), grace_ms: graceMs }, 'ffmpeg ignored SIGTERM: sending SIGKILL');
    proc.kill('SIGKILL');
  }, graceMs);
  void proc.exited.then(() => {
    done = true;
    clearTimeout(timer);
  });
}
