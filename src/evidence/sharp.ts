/**
 * sharp (libvips), loaded on first use: an agent encodes a few evidence JPEGs a minute, often
 * none for a long while, and libvips costs ~18 MB of resident memory (its libraries, threads and
 * state) from the moment it is imported. Loaded once, with the settings every caller wants.
 */
import type SharpModule from 'sharp';

export type Sharp = typeof SharpModule;

let loading: Promise<Sharp> | null = null;

export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then((m) => {
    const sharp = m.default;
    // libvips' operation cache and a thread per core buy nothing here but resident memory on a
    // box that runs one agent per camera.
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return loading;
}
