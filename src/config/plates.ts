import { z } from 'zod';
import { expandPattern } from '../plate/formats.js';

const Pattern = z
  .string()
  .min(1)
  .max(64)
  .superRefine((p, ctx) => {
    try {
      expandPattern(p);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  })
  .describe('Slots of one plate format: @ a letter, # a digit, * either, A-Z/0-9 that character; {n} or {m,n} repeats the slot before it.');

export const PlatesSchema = z
  .strictObject({
    formats: z
      .record(z.string().min(1).max(64), z.array(Pattern).min(1).max(64))
      .default({})
      .describe(
        'Plate formats per region, keyed by the name the plate reader\'s region head uses (e.g. "Vietnam", "Brazil"), or "other" for reads of every region without its own entry (e.g. India, which the reader has no region for). A read is repaired by slot (a digit slot reading O becomes 0) or rejected when no format of its region fits. Empty: every read is kept as read.',
      ),
    other_regions: z
      .enum(['all_formats', 'accept', 'reject'])
      .default('accept')
      .describe(
        'Reads whose region has no formats listed (or is not known confidently) and no "other" entry: checked against every listed format, kept as read, or rejected.',
      ),
    min_region_confidence: z.number().min(0).max(1).default(0.5).describe('Region head probability under which the region counts as not known.'),
    max_repairs: z.number().int().min(0).max(4).default(2).describe('Most slots a format may repair in one read; a read needing more does not fit that format.'),
    vehicle_classes: z
      .array(z.number().int().min(0).max(1000))
      .max(16)
      .default([])
      .describe('Scene class ids besides the motorcycle whose plates are read too (e.g. COCO car 2, bus 5, truck 7); they get no helmet verdict.'),
    whole_frame: z
      .enum(['never', 'no_large_vehicle'])
      .default('never')
      .describe(
        'Also search the whole frame for plates when no searched vehicle covers a quarter of it (close-ups where the vehicle fills the frame and the scene detector sees only the background).',
      ),
    per_track: z
      .strictObject({
        settle_reads: z
          .number()
          .int()
          .min(0)
          .max(50)
          .default(3)
          .describe('A motorcycle whose plate has been read alike this many times (each at rules.min_plate_confidence or surer) is not searched again while it stays in view; 0: never settled.'),
        max_gap_frames: z
          .number()
          .int()
          .min(0)
          .max(50)
          .default(3)
          .describe(
            'After searches that read no plate, a motorcycle waits one frame more per failed search before the next, up to this many frames (at once when it has grown by a fifth: nearer, a larger plate); 0: no waiting, searched on every frame until its plate settles.',
          ),
      })
      .prefault({})
      .describe("How often a motorcycle's plate is searched while it stays in view: locating a plate is the chain's dearest step."),
  })
  .describe('Plate formats and which vehicles\' plates are read.');
