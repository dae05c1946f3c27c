import { z } from 'zod';

export const QueueSchema = z
  .strictObject({
    state_dir: z
      .string()
      .optional()
      .describe('Directory of the SQLite queue file (<camera>.sqlite). Default: $STATE_DIRECTORY, else /var/lib/roadside-agent.'),
    max_bytes: z
      .number()
      .int()
      .min(1_000_000)
      .default(2_000_000_000)
      .describe('Bound on stored bytes; over it the evidence of the oldest records is dropped first, never their metadata.'),
    hold: z
      .strictObject({
        max_records: z
          .number()
          .int()
          .min(10)
          .max(1_000_000)
          .default(5000)
          .describe('Violations held in memory while the queue cannot store them (disk full); beyond this the oldest is given up at ERROR with its metadata in the log.'),
        max_bytes: z
          .number()
          .int()
          .min(0)
          .max(1_000_000_000)
          .default(32_000_000)
          .describe('Bytes (metadata + JPEGs) held in memory; over it the evidence of the oldest held violations is dropped first, never their metadata.'),
      })
      .prefault({})
      .describe('Where violations wait, in memory, while the queue cannot store them (disk full, write errors); they are stored, oldest first, as soon as it can.'),
    jpeg_quality: z.number().int().min(30).max(100).default(85).describe('Quality of evidence JPEGs.'),
  })
  .describe('The store-and-forward queue on the box.');
