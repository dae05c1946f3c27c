// The files a frame source keeps private while it runs, and the ffmpeg command that names them:
// the list file that hands a camera URL with credentials to ffmpeg (source-list.ts) and the unix
// socket ffmpeg writes the camera-resolution plate pictures to (plate-socket.ts). Both live in
// 0700 directories under the temp dir and are removed when capture stops.
import { sourceKind } from '../config/load.js';
import { yuvBytes } from '../shared/yuv.js';
import { buildFfmpegArgs, hasCredentials, type ArgsOptions, type CaptureCamera, type FfmpegInvocation } from './ffmpeg-args.js';
import { PlateSocket } from './plate-socket.js';
import { SourceListDir } from './source-list.js';

export class CaptureFiles {
  /** Private list file for a camera URL with credentials (kept off ffmpeg's command line). */
  readonly sourceList: SourceListDir | null;
  /** Where ffmpeg writes the plate pictures (camera.plate_pixels). */
  readonly plate: PlateSocket | null;
  readonly invocation: FfmpegInvocation;

  constructor(camera: CaptureCamera, args: ArgsOptions | undefined) {
    const { url } = camera.source;
    const listed = sourceKind(url) !== 'file' && hasCredentials(url) && !args?.sourceListPath;
    this.sourceList = listed ? new SourceListDir(camera.id) : null;
    const full = camera.plate_pixels;
    this.plate = full ? new PlateSocket(yuvBytes(full.width, full.height)) : null;
    this.invocation = buildFfmpegArgs(camera, {
      ...args,
      ...(this.sourceList ? { sourceListPath: this.sourceList.path } : {}),
      ...(this.plate ? { plateSocketPath: this.plate.path } : {}),
    });
  }

  /** Removes both (idempotent). */
  remove(): void {
    this.sourceList?.remove();
    this.plate?.close();
  }
}
