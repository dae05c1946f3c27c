// The private unix socket the plate pictures come through (camera.plate_pixels): ffmpeg listens
// on it (`-listen 1`) in a 0700 directory under the temp dir (the unit's PrivateTmp=yes makes it
// the service's own), and each run's capture connects to it, retrying until ffmpeg has bound
// it. Bytes are read straight into the picture buffers (net's `onread` with a buffer of our
// own): no chunk is allocated per read, so 3 MB a frame leave no garbage for the collector.
// A stale socket file from an ffmpeg that was killed is removed before each run.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpareBuffer } from './spare-buffer.js';

/** Between attempts to connect while ffmpeg starts, ms: 20, doubling up to 250 (a camera can take seconds to answer). */
const RETRY_MS = 20;
const RETRY_MAX_MS = 250;

export class PlateSocket {
  readonly path: string;
  private readonly dir: string;
  private connection: Socket | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempts = 0;
  private target: ((picture: Buffer) => void) | null = null;
  private current: Buffer | null = null;
  private filled = 0;
  /** The buffer of a picture nobody kept, reused for the next one. */
  readonly spare: SpareBuffer;

  constructor(readonly frameBytes: number) {
    // Short on purpose: a unix socket path holds at most 107 bytes.
    this.dir = mkdtempSync(join(tmpdir(), 'roadside-plate-'));
    this.path = join(this.dir, 'plate.sock');
    this.spare = new SpareBuffer(frameBytes);
  }

  /**
   * A run starts: its ffmpeg will listen on `path` (a file left by a killed one is removed);
   * connects as soon as it does and hands it each whole picture until `detach`.
   */
  attach(target: (picture: Buffer) => void): void {
    this.detach();
    rmSync(this.path, { force: true });
    this.target = target;
    this.attempts = 0;
    this.connect();
  }

  /** The run ended: no more pictures; a picture begun is dropped. */
  detach(): void {
    this.target = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.connection?.destroy();
    this.connection = null;
    this.filled = 0;
  }

  close(): void {
    this.detach();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private connect(): void {
    const socket = connect({ path: this.path, onread: { buffer: () => this.nextRead(), callback: (n) => this.read(n) } });
    this.connection = socket;
    socket.on('error', () => {
      // Not listening yet (or gone with its ffmpeg, whose exit capture reports): try again while the run lasts.
      if (this.connection !== socket || !this.target) return;
      this.connection = null;
      const wait = Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** this.attempts++);
      this.retry = setTimeout(() => {
        this.retry = null;
        if (this.target) this.connect();
      }, wait);
    });
  }

  /** Where the next read goes: the rest of the picture being filled. */
  private nextRead(): Uint8Array {
    this.current ??= this.spare.take();
    return this.current.subarray(this.filled);
  }

  /** `n` more bytes are in the picture; true: keep reading. */
  private read(n: number): boolean {
    this.filled += n;
    if (this.filled < this.frameBytes || !this.current) return true;
    const picture = this.current;
    this.current = null;
    this.filled = 0;
    if (this.target) this.target(picture);
    else this.spare.keep(picture);
    return true;
  }
}
