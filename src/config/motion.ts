import { z } from 'zod';

const Point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

export const MotionSchema = z
  .strictObject({
    frame_height: z
      .number()
      .int()
      .min(36)
      .max(360)
      .default(90)
      .describe('Height of the grey copy motion is found on (width follows the frame\'s aspect); smaller is cheaper and blinder.'),
    threshold: z
      .number()
      .int()
      .min(1)
      .max(255)
      .default(25)
      .describe('Grey-level difference (0-255) from the background at which a pixel of the grey copy counts as changed; higher is less sensitive.'),
    contour_area: z
      .number()
      .int()
      .min(1)
      .max(10000)
      .default(8)
      .describe('Changed areas smaller than this many grey-copy pixels are ignored (camera noise, rain drops).'),
    learning_rate: z
      .number()
      .min(0.001)
      .max(0.5)
      .default(0.05)
      .describe('Share of each frame blended into the running-average background (0.05 at 5 fps: a parked object fades into the background in ~4 s).'),
    lighting_threshold: z
      .number()
      .min(0.1)
      .max(1)
      .default(0.6)
      .describe('When this share of the picture changes at once (lights, exposure jump), the background is reset and the frame counts as no motion.'),
    mask: z
      .array(z.array(Point).min(3))
      .max(32)
      .default([])
      .describe('Polygons in normalised frame coordinates (0..1) where motion is ignored: the camera\'s timestamp overlay, trees, flags.'),
  })
  .describe('Motion detection on a small grey copy of each frame (live sources).');

export const RegionsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Live sources: run the scene detector only on squares around motion and tracked objects, cut at full detail; false: the whole frame every frame.'),
    size_scale: z
      .number()
      .min(1)
      .max(3)
      .default(1)
      .describe('Smallest region side as a multiple of the scene model\'s input size (1 = full detail).'),
    max_regions: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(3)
      .describe('More regions than this in one frame: scan the whole frame instead (same cost, nothing cut).'),
    whole_frame_motion: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.4)
      .describe('Share of the picture in motion above which the whole frame is scanned.'),
    whole_every_frames: z
      .number()
      .int()
      .min(0)
      .max(10000)
      .default(25)
      .describe('A whole-frame pass every this many frames so nothing stays unseen (0: never).'),
    recheck_frames: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(4)
      .describe('A tracked object that stopped moving is re-checked every this many frames (keep under rules.track_timeout_s × fps).'),
    stationary_after_checks: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(5)
      .describe('A stopped object found in the same place at this many re-checks in a row is stationary (parked): from then on only the whole-frame passes and motion on it look at it again (0: never).'),
    tiles: z
      .boolean()
      .default(true)
      .describe('Still images (the detect verb): the whole image plus overlapping tiles at full detail, detections merged.'),
    tile_scale: z
      .number()
      .min(1)
      .max(4)
      .default(1.5)
      .describe('Tile side as a multiple of the scene model\'s input size.'),
  })
  .describe('Where the scene detector looks in each frame.');
