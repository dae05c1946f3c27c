import { z } from 'zod';

const Point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

export const RulesSchema = z
  .strictObject({
    min_no_helmet_frames: z
      .number()
      .int()
      .min(1)
      .max(100)
      // 3, measured with the shipped models on ../shared/media/in/nhutanh_test1.mp4 (24 frames at
      // 5 fps: one motorcycle pass of 17 frames, a helmeted rider with a bare-headed passenger):
      // the helmeted rider's no-helmet score stays at or under 0.40 in 15 of his 17 frames but
      // jumps to 0.50 and 0.69 in the two frames where the bike leaves the picture at the bottom
      // edge (head crop cut off). 3 keeps such two-frame spikes from becoming a violation even
      // with models.helmet.threshold lowered to 0.5, while a pass through view lasts ~3 s (15+
      // frames at 5 fps), so a bare head flagged in only one frame of five still reaches it.
      // Higher values lose riders seen briefly at the edge of the picture.
      .default(3)
      .describe('Frames in which a rider of a motorcycle track must be judged no_helmet before the track is a violation.'),
    track_timeout_s: z.number().positive().max(60).default(2).describe('A track unseen this long has ended.'),
    max_delay_s: z.number().positive().max(600).default(10).describe('A violation is emitted at the latest this long after its track began, even if the track goes on.'),
    iou_match: z.number().min(0.01).max(0.99).default(0.3).describe('Minimum IoU between a track\'s predicted box and a detection to continue the track.'),
    zone: z
      .array(Point)
      .min(3)
      .nullable()
      .default(null)
      .describe('Polygon in normalised frame coordinates (0..1) where violations count; null for the whole frame.'),
    min_motorcycle_px: z.number().int().min(0).max(4000).default(40).describe('Motorcycle boxes smaller than this (shorter side, detect-size pixels) are ignored.'),
    min_rider_px: z.number().int().min(0).max(4000).default(24).describe('Rider boxes smaller than this (shorter side) are not judged.'),
    // false: on a static 30-s replay of a street CCTV frame whose riders all wear helmets
    // (../shared/media/vn/huyhoanlee_test.jpg) the agent recorded 2 violations, a parked motorbike
    // at a food stall with a person box on its seat and a side mirror taken for a rider's head,
    // both tracks "still"; the demo clip's violations travel "towards" / "across" either way.
    record_parked: z
      .boolean()
      .default(false)
      .describe('Record a violation whose motorcycle did not move while in view (travel direction still: parked, or stopped from its first sight). false: counted as parked, not recorded.'),
    min_plate_confidence: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'Plate reads under this OCR confidence are ignored when choosing a track\'s plate: a wrong plate could merge two bikes in dedup, a missing one is still recorded once per track.',
      ),
  })
  .describe('Tracking and the helmet rule.');

export const DedupSchema = z
  .strictObject({
    window_s: z.number().positive().max(86_400).default(60).describe('Same plate, same violation type within this window: one violation.'),
    max_plate_distance: z.number().int().min(0).max(4).default(1).describe('Edit distance (after folding confusable characters) under which two plates are the same.'),
  })
  .describe('Dropping repeated violations of the same plate.');
