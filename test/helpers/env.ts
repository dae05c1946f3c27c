// Where tests find the real models and media (../shared beside the checkout, or the
// ROADSIDE_MODELS_DIR / ROADSIDE_MEDIA_DIR environment variables), and whether they are there.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export const repoRoot = root;
export const modelsDir = resolve(process.env.ROADSIDE_MODELS_DIR ?? resolve(root, '../shared/models'));
export const mediaDir = resolve(process.env.ROADSIDE_MEDIA_DIR ?? resolve(root, '../shared/media'));
export const datasetsDir = resolve(root, '../shared/datasets');

export const hasModels = existsSync(resolve(modelsDir, 'coco/yolox_nano.onnx'));
export const hasMedia = existsSync(resolve(mediaDir, 'in/nhutanh_test1.mp4'));

/** Says once, loudly, why a suite that needs the real models or media is skipped. */
export function skipNotice(what: string, present: boolean, where: string): boolean {
  if (!present) console.warn(`SKIPPED: ${what}: not found at ${where} (set ROADSIDE_MODELS_DIR / ROADSIDE_MEDIA_DIR)`);
  return !present;
}
