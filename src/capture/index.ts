export { createFrameSource, defaultHandoff, FrameSource, type CaptureState, type CaptureStats, type FrameSourceOptions, type Handoff } from './frame-source.js';
export { FrameGate } from './frame-gate.js';
export { buildFfmpegArgs, toArgv, frameBytes, type CaptureCamera, type FfmpegInvocation, type ArgsOptions } from './ffmpeg-args.js';
export { fluentFfmpegSpawner, type FfmpegSpawner, type FfmpegProcess, type FfmpegExit, type FfmpegHandlers } from './ffmpeg-process.js';
export { backoffDelayMs } from './backoff.js';
