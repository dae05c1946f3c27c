import { z } from 'zod';

const Point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

export const RulesSchema = z
  .strictObject({
    min_no_helmet_frames: z
      .number()
      .int()
      .min(1)
      .max(100)
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
  })
  .describe('Tracking and the helmet rule.');

export const DedupSchema = z
  .strictObject({
    window_s: z.number().positive().max(86_400).default(60).describe('Same plate, same violation type within this window: one violation.'),
    max_plate_distance: z.number().int().min(0).max(4).default(1).describe('Edit distance (after folding confusable characters) under which two plates are the same.'),
  })
  .describe('Dropping repeated violations of the same plate.');
