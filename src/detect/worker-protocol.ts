// Messages between the worker-thread detector and its worker. Frames travel as transferred
// ArrayBuffers (no copy) and come back inside the analysis the same way.
import type { LoadedConfig } from '../config/load.js';
import type { Frame, FrameAnalysis } from '../shared/types.js';
import type { PlateScope } from './detector.js';
import type { ScanMode } from './scene-scan.js';
import type { Provider } from './session.js';

export interface WorkerInit {
  loaded: LoadedConfig;
  plates?: PlateScope;
  scan: ScanMode;
}

export interface WireError {
  code?: string;
  message: string;
  stack?: string;
}

export type ToWorker = { type: 'analyze'; id: number; frame: FrameAnalysis['frame'] } | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; provider: Provider; fallbackReason: string | null; modelIds: Record<string, string> }
  | { type: 'init-error'; error: WireError }
  | { type: 'result'; id: number; analysis: FrameAnalysis }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'log'; line: string }
  | { type: 'closed' };

export function toWire(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { message: err.message, stack: err.stack, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { message: String(err) };
}

/** The ArrayBuffer to transfer for a view, or null when it must be copied (shared or partial). */
export function transferable(data: Uint8Array): ArrayBuffer | null {
  const buf = data.buffer;
  if (!(buf instanceof ArrayBuffer)) return null;
  return data.byteOffset === 0 && data.byteLength === buf.byteLength ? buf : null;
}

/**
 * A frame as it crosses to or from the worker: its buffers (the frame's and its plate picture's)
 * in the transfer list when they can be moved, copies where they cannot.
 */
export function frameForTransfer(frame: Frame): { frame: Frame; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const moved = (data: Uint8Array): Uint8Array => {
    const buf = transferable(data);
    // A copy (Buffer#slice would be a view on the same memory).
    if (!buf || transfer.includes(buf)) return new Uint8Array(data);
    transfer.push(buf);
    return data;
  };
  const data = moved(frame.data);
  const full = frame.full ? { full: { ...frame.full, data: moved(frame.full.data) } } : {};
  return { frame: { ...frame, data, ...full }, transfer };
}
