// The private unix socket ffmpeg writes the plate pictures to (camera.plate_pixels): a 0700
// directory under the temp dir (the unit's PrivateTmp=yes makes it the service's own), one
// listening socket for the life of the frame source, one connection per ffmpeg run. Each
// connection's bytes are cut into pictures of `frameBytes` (yuv420p at the camera's size) and
// handed to whoever the current run attached; a new connection replaces an old one.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FrameAssembler } from './frame-assembler.js';
import { SpareBuffer } from './spare-buffer.js';

export class PlateSocket {
  readonly path: string;
  private readonly dir: string;
  private readonly server: Server;
  private connection: Socket | null = null;
  private target: ((picture: Buffer) => void) | null = null;
  /** The buffer of a picture nobody kept, reused for the next one. */
  readonly spare: SpareBuffer;

  constructor(
    readonly frameBytes: number,
    private readonly log: Logger,
  ) {
    // Short on purpose: a unix socket path holds at most 107 bytes.
    this.dir = mkdtempSync(join(tmpdir(), 'roadside-plate-'));
    this.path = join(this.dir, 'plate.sock');
    this.spare = new SpareBuffer(frameBytes);
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ event: 'plate_socket_failed', err: String(err), path: this.path }, 'plate picture socket failed'));
    // Binding a unix socket is synchronous: ffmpeg can connect as soon as this returns.
    this.server.listen(this.path);
  }

  /** Where the current run's pictures go (null: nowhere, the run ended). */
  attach(target: ((picture: Buffer) => void) | null): void {
    this.target = target;
  }

  close(): void {
    this.connection?.destroy();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private accept(socket: Socket): void {
    this.connection?.destroy();
    this.connection = socket;
    const assembler = new FrameAssembler(this.frameBytes, () => this.spare.take(), (picture) => {
      if (this.connection === socket && this.target) this.target(picture);
      else this.spare.keep(picture);
    });
    socket.on('data', (chunk) => assembler.push(chunk));
    // ffmpeg's side of it ends with ffmpeg; its exit is what capture reports.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.connection === socket) this.connection = null;
    });
  }
}
