/**
 * Reads picture sizes from the stream description ffmpeg prints at log level `info`:
 *
 *   Input #0, rtsp, from 'rtsp://…':
 *     Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 1920x1080, 25 fps, …
 *   Output #0, rawvideo, to 'pipe:':
 *     Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, …), 640x360 [SAR 1:1 DAR 16:9], …
 *
 * The input size tells the operator what the camera really sends (a 1080p main stream costs
 * far more to decode than a sub-stream); the output size checks that frames are cut right.
 */
export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface StreamSizes {
  input?: Size;
  /** Output #0: the detect frames on stdout. */
  output?: Size;
  /** Output #1: the plate pictures on the plate socket (camera.plate_pixels). */
  plate?: Size;
}

const STREAM = /Stream #\d+:\d+\S*: Video: (.*)$/;
const SIZE = /(?:^|[\s,(])(\d{1,5})x(\d{1,5})(?=[\s,[\]]|$)/;

/** Parses a stderr line; `section` is the last Input/Output header seen (see StreamInfoParser). */
export function parseVideoStreamLine(line: string): Size | null {
  const stream = STREAM.exec(line);
  if (!stream?.[1]) return null;
  const size = SIZE.exec(stream[1]);
  const width = Number(size?.[1] ?? 0);
  const height = Number(size?.[2] ?? 0);
  return width > 0 && height > 0 ? { width, height } : null;
}

/** Follows ffmpeg's Input/Output sections across lines. */
export class StreamInfoParser {
  private section: 'input' | 'output' | 'plate' | null = null;

  push(line: string): StreamSizes | null {
    if (/^Input #\d+/.test(line)) {
      this.section = 'input';
      return null;
    }
    const output = /^Output #(\d+)/.exec(line);
    if (output) {
      this.section = output[1] === '0' ? 'output' : 'plate';
      return null;
    }
    const size = this.section ? parseVideoStreamLine(line) : null;
    if (!size || !this.section) return null;
    return { [this.section]: size };
  }

  reset(): void {
    this.section = null;
  }
}
