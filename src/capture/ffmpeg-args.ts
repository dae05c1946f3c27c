/**
 * Pure builders of ffmpeg's command line for a camera source. Nothing here spawns anything, so
 * every case is a row in a table test.
 *
 * What ffmpeg is asked to do, whatever the source: decode the video stream only, drop it to
 * `detect.fps` with the fps filter, scale it to exactly `detect.width` x `detect.height`, and
 * write packed RGB24 (`rawvideo`) to stdout. With camera.plate_pixels, the same frames also go,
 * at the camera's size in yuv420p, to the capture stage's unix socket (plate pictures). Because
 * the scale targets are fixed, a camera that changes its resolution mid-stream still yields
 * frames of `width * height * 3` bytes.
 * Decoding is paced with one decoder thread and one filter thread: on a 2-core box an
 * unthrottled ffmpeg steals the CPU that detection needs. Live sources are stamped with the
 * wall clock at arrival (camera.source.wallclock_timestamps), so broken camera timestamps
 * cannot starve the fps filter. A camera URL with credentials is handed over in a private
 * ffconcat list file rather than on the command line (sourceListPath), so `ps` does not show
 * the password to other local users.
 */
import type { CameraConfig } from '../config/schema.js';
import { sourceKind, type SourceKind } from '../config/load.js';
import { yuvBytes } from '../shared/yuv.js';

/** The parts of the camera section that capture reads. */
export type CaptureCamera = Pick<CameraConfig, 'id' | 'source' | 'detect' | 'stall_timeout_s' | 'reconnect'> & Partial<Pick<CameraConfig, 'plate_pixels'>>;

/** The second output: the same frames at the camera's resolution in yuv420p, for plates (camera.plate_pixels). */
export interface PlateOutput {
  /** `unix:<socket path>`: ffmpeg listens there (`-listen 1`) and the capture stage connects to read. */
  readonly target: string;
  readonly outputOptions: readonly string[];
  readonly width: number;
  readonly height: number;
  /** Bytes of one picture: width * height * 3 / 2. */
  readonly frameBytes: number;
}

export interface FfmpegInvocation {
  /** URL or file path exactly as ffmpeg needs it, credentials included: never log it unredacted. */
  readonly input: string;
  /**
   * Set when the URL carries credentials: ffmpeg reads the URL (and its input options) from
   * this ffconcat list at `input` instead of its command line, which every local user can read
   * in /proc. The capture stage writes it (0600, in a 0700 directory) before each start.
   */
  readonly sourceList?: { path: string; text: string };
  /** Options placed before `-i` (global options first). */
  readonly inputOptions: readonly string[];
  /** Options after `-i`, up to the output target. */
  readonly outputOptions: readonly string[];
  /** Always stdout. */
  readonly output: 'pipe:1';
  /** Set when camera.plate_pixels asks for a camera-resolution picture and a socket path was given. */
  readonly plate?: PlateOutput;
  readonly kind: SourceKind;
  /** Bytes of one frame: width * height * 3. */
  readonly frameBytes: number;
  readonly width: number;
  readonly height: number;
}

export interface ArgsOptions {
  /**
   * Where a camera URL with credentials goes instead of the command line (an ffconcat list
   * file); without it the URL is passed on the command line as it is.
   */
  sourceListPath?: string;
  /** Decoder threads (`-threads`); 1 paces ffmpeg next to detection. 0 lets ffmpeg decide. */
  decodeThreads?: number;
  /** ffmpeg's own log level. `info` prints the stream description once at start (capture reads
   * the camera's native size from it) and every warning after that; never per-frame stats. */
  logLevel?: 'error' | 'warning' | 'info';
  /** Unix socket the capture stage listens on for the camera-resolution plate pictures. */
  plateSocketPath?: string;
}

export function frameBytes(width: number, height: number): number {
  return width * height * 3;
}

/** Seconds → the microseconds that ffmpeg's `-timeout` takes for rtsp and http (ffmpeg ≥ 5). */
export function timeoutMicros(seconds: number): string {
  return String(Math.round(seconds * 1_000_000));
}

/** Formats a rate without float noise: 5 → "5", 2.5 → "2.5", 1/3 → "0.333333". */
function rate(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : String(Number(fps.toFixed(6)));
}

export function buildFfmpegArgs(camera: CaptureCamera, options: ArgsOptions = {}): FfmpegInvocation {
  const { source, detect } = camera;
  const kind = sourceKind(source.url);
  const threads = options.decodeThreads ?? 1;

  const input: string[] = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', options.logLevel ?? 'info'];
  if (threads > 0) input.push('-filter_threads', String(threads));

  // Options of the input itself; on the command line, or in the source list with the URL.
  const own: string[] = [];
  switch (kind) {
    case 'rtsp':
      own.push('-rtsp_transport', source.rtsp_transport, '-timeout', timeoutMicros(source.timeout_s));
      break;
    case 'http':
      own.push('-timeout', timeoutMicros(source.timeout_s));
      break;
    case 'file':
      if (source.loop) input.push('-stream_loop', '-1');
      if (source.realtime) input.push('-re');
      break;
  }
  // Cameras that stamp every frame alike (or not at all) give 0 frames through the fps filter;
  // arrival time is what a live source's frames mean anyway.
  if (kind !== 'file' && source.wallclock_timestamps) own.push('-use_wallclock_as_timestamps', '1');
  const listed = kind !== 'file' && options.sourceListPath !== undefined && hasCredentials(source.url);
  if (listed) input.push('-f', 'concat', '-safe', '0', '-protocol_whitelist', LIST_PROTOCOLS);
  else input.push(...own);
  if (source.hwaccel !== 'none') {
    input.push('-hwaccel', source.hwaccel);
    if (source.hwaccel_device) input.push('-hwaccel_device', source.hwaccel_device);
  }
  if (threads > 0) input.push('-threads', String(threads));

  // Scale while still in YUV, then convert only the small picture to RGB: 18.7 → 11.4 ms of
  // ffmpeg CPU per 1080p frame in bench/run.ts.
  const toDetect = `scale=${detect.width}:${detect.height},format=yuv420p`;
  const full = camera.plate_pixels && options.plateSocketPath ? camera.plate_pixels : null;
  const streams = ['-an', '-sn', '-dn'];
  const raw = (pixFmt: string): string[] => ['-pix_fmt', pixFmt, '-f', 'rawvideo'];
  const output = full
    ? [...streams, '-filter_complex', `fps=${rate(detect.fps)},split=2[d][p];[d]${toDetect}[detect];[p]scale=${full.width}:${full.height},format=yuv420p[plate]`, '-map', '[detect]', ...raw('rgb24')]
    : [...streams, '-vf', `fps=${rate(detect.fps)},${toDetect}`, ...raw('rgb24')];
  // Both branches leave one fps filter, so the n-th picture on the socket is the n-th frame's.
  const plate: PlateOutput | undefined = full
    ? { target: `unix:${options.plateSocketPath}`, outputOptions: ['-map', '[plate]', ...raw('yuv420p'), '-listen', '1'], width: full.width, height: full.height, frameBytes: yuvBytes(full.width, full.height) }
    : undefined;

  return {
    input: listed ? options.sourceListPath! : source.url,
    ...(listed ? { sourceList: { path: options.sourceListPath!, text: sourceListText(source.url, own) } } : {}),
    inputOptions: input,
    outputOptions: output,
    output: 'pipe:1',
    ...(plate ? { plate } : {}),
    kind,
    frameBytes: frameBytes(detect.width, detect.height),
    width: detect.width,
    height: detect.height,
  };
}

/** Protocols the concat demuxer may open for a listed camera URL (its default is files only). */
const LIST_PROTOCOLS = 'file,rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https,httpproxy,crypto';

/** Whether a URL carries a user or password (`scheme://user:password@host/...`). */
export function hasCredentials(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]+@/i.test(url);
}

/**
 * An ffconcat list with one entry: the URL and, as `option` lines, the input options that
 * would otherwise precede `-i` (pairs of `-name value`).
 */
export function sourceListText(url: string, own: readonly string[]): string {
  const quote = (v: string): string => `'${v.replace(/'/g, "'\\''")}'`;
  const lines = ['ffconcat version 1.0', `file ${quote(url)}`];
  for (let i = 0; i + 1 < own.length; i += 2) lines.push(`option ${own[i]!.slice(1)} ${quote(own[i + 1]!)}`);
  return lines.join('\n') + '\n';
}

/** The whole argv after `ffmpeg`, e.g. for a plain `ffmpeg` run in a benchmark. */
export function toArgv(invocation: FfmpegInvocation): string[] {
  const plate = invocation.plate ? [...invocation.plate.outputOptions, invocation.plate.target] : [];
  return [...invocation.inputOptions, '-i', invocation.input, ...invocation.outputOptions, invocation.output, ...plate];
}
