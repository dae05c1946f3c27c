import { z } from 'zod';

export const BackoffSchema = z
  .strictObject({
    initial_s: z.number().positive().max(600).default(1).describe('First delay after a failure, seconds.'),
    max_s: z.number().positive().max(3600).default(60).describe('Cap on the delay, seconds.'),
    factor: z.number().min(1).max(10).default(2).describe('Growth per consecutive failure.'),
    jitter: z.number().min(0).max(1).default(0.2).describe('Random share of each delay (0.2 = ±20%).'),
  })
  .describe('Exponential backoff with jitter and a cap.');

export const SourceSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .describe(
        'rtsp:// or rtsps:// camera URL (credentials allowed; never logged), http(s):// MJPEG URL, or a path to a video file (relative to this config file).',
      ),
    rtsp_transport: z.enum(['tcp', 'udp']).default('tcp').describe('RTSP transport; TCP survives lossy links.'),
    timeout_s: z.number().positive().max(120).default(10).describe('Socket timeout for opening and reading the stream, seconds.'),
    wallclock_timestamps: z
      .boolean()
      .default(true)
      .describe(
        "Cameras only (rtsp, http): stamp frames with the time they arrive (ffmpeg -use_wallclock_as_timestamps 1, as Frigate's RTSP presets do), so a camera whose frames carry broken or missing timestamps still gives frames at detect.fps.",
      ),
    loop: z.boolean().default(false).describe('Video files only: start again at the end.'),
    realtime: z.boolean().default(true).describe('Video files only: pace at the file\'s own rate (true) or as fast as possible (false).'),
    hwaccel: z
      .enum(['none', 'auto', 'cuda', 'vaapi', 'qsv', 'videotoolbox'])
      .default('none')
      .describe('Hardware decode passed to ffmpeg as -hwaccel; off by default.'),
    hwaccel_device: z.string().optional().describe('Device for -hwaccel_device, e.g. /dev/dri/renderD128.'),
  })
  .describe('Where frames come from.');

export const CameraSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." and "-" only, at most 64, starting with a letter or digit')
      .describe('Camera id: the systemd instance name, the queue file name and camera_id centrally.'),
    location: z.string().min(1).max(255).describe('Human description of the place; camera_location centrally.'),
    source: SourceSchema,
    detect: z
      .strictObject({
        width: z.number().int().min(64).max(3840).default(1280).describe('Width ffmpeg scales frames to (plates are read at this size).'),
        height: z.number().int().min(64).max(2160).default(720).describe('Height ffmpeg scales frames to.'),
        fps: z.number().positive().max(30).default(5).describe('Frames per second handed to detection.'),
      })
      .prefault({})
      .describe('Frame size and rate delivered by ffmpeg.'),
    plate_pixels: z
      .strictObject({
        width: z.number().int().min(64).max(7680).multipleOf(2).describe('Width of the plate picture: the camera\'s own (even).'),
        height: z.number().int().min(64).max(4320).multipleOf(2).describe('Height of the plate picture: the camera\'s own (even).'),
      })
      .nullable()
      .default(null)
      .describe(
        "A second picture of every frame at the camera's own resolution (YUV 4:2:0, from the same ffmpeg), used only where a frame has a suspect motorcycle: its plate is located and read there, and its plate evidence crop cut from it. Set it to the camera's stream size when that is larger than detect (a 1080p camera with a 720p detect size: plates have 1.5x the pixels). Costs about 1.5 ms of ffmpeg CPU and 3 MB of pipe per 1080p frame. null: plates are read on the detect frame.",
      ),
    stall_timeout_s: z.number().positive().max(600).default(15).describe('No frame for this long: kill ffmpeg and reconnect.'),
    reconnect: BackoffSchema.prefault({}),
  })
  .describe('The camera this agent process watches.');
