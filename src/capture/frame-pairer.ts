// Pairs each detect frame from ffmpeg's stdout with its plate picture from the plate socket
// (camera.plate_pixels). Both come from one fps filter, so the n-th picture of a run belongs to
// the n-th frame: pairing is by that index, never by arrival, and a picture that comes too late
// for its frame is dropped rather than given to a later one. A frame waits for its picture
// (ffmpeg writes the picture right after the frame); one that has waited behind `maxWaiting`
// newer frames goes on without it, so a stuck socket can delay frames but never stop them.

/** Frames that may wait for their pictures before the oldest goes on without one. */
export const PAIR_WAIT = 3;

export interface PairerHooks {
  /** A frame in run order, with its picture or null. */
  emit(frame: Buffer, picture: Buffer | null): void;
  /** A picture whose frame went on without it: its buffer can be reused. */
  drop(picture: Buffer): void;
}

export class FramePairer {
  private readonly frames: Array<{ n: number; buf: Buffer }> = [];
  private readonly pictures: Array<{ n: number; buf: Buffer }> = [];
  private frameCount = 0;
  private pictureCount = 0;
  /** Frames that went on without their picture, and pictures dropped for it. */
  unpaired = 0;

  constructor(
    private readonly hooks: PairerHooks,
    private readonly maxWaiting = PAIR_WAIT,
  ) {}

  frame(buf: Buffer): void {
    const n = this.frameCount++;
    this.dropPicturesBefore(n);
    const picture = this.pictures[0]?.n === n ? this.pictures.shift()! : null;
    if (picture) {
      this.hooks.emit(buf, picture.buf);
      return;
    }
    this.frames.push({ n, buf });
    if (this.frames.length > this.maxWaiting) this.goWithout(this.frames.shift()!);
  }

  picture(buf: Buffer): void {
    const n = this.pictureCount++;
    while (this.frames.length > 0 && this.frames[0]!.n < n) this.goWithout(this.frames.shift()!);
    const frame = this.frames[0]?.n === n ? this.frames.shift()! : null;
    if (frame) this.hooks.emit(frame.buf, buf);
    else if (n < this.frameCount) this.hooks.drop(buf); // its frame already went on
    else this.pictures.push({ n, buf });
  }

  /** The run ended: frames still waiting go on without pictures, pictures left over are dropped. */
  flush(): void {
    while (this.frames.length > 0) this.goWithout(this.frames.shift()!);
    for (const p of this.pictures.splice(0)) this.hooks.drop(p.buf);
  }

  private goWithout(frame: { buf: Buffer }): void {
    this.unpaired++;
    this.hooks.emit(frame.buf, null);
  }

  private dropPicturesBefore(n: number): void {
    while (this.pictures.length > 0 && this.pictures[0]!.n < n) this.hooks.drop(this.pictures.shift()!.buf);
  }
}
