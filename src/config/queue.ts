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
    jpeg_quality: z.number().int().min(30).max(100).default(85).describe('Quality of evidence JPEGs.'),
  })
  .describe('The store-and-forward queue on the box.');
