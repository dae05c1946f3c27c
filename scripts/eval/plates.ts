// openalpr car plates (`openalpr/<region>/*.txt`: file, x, y, w, h, plate), end to end through
// the pipeline's own plate locator and reader on the regions of the scene's cars.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InThreadDetector } from '../../src/detect/detector.js';
import { loadImageFrame } from '../../src/detect/image.js';
import type { PlateLocation } from '../../src/detect/plate.js';
import { normalizePlateText, plateMatchKey } from '../../src/detect/plate-text.js';
import { boxArea, clipBox, expandBox, intersectionArea, iou } from '../../src/shared/box.js';
import type { Box, Frame, FrameAnalysis } from '../../src/shared/types.js';

export interface PlateRegionResult {
  n: number;
  images: number;
  found: number;
  exact: number;
  exact_folded: number;
  /** The reader alone on the ground-truth boxes. */
  reader_on_gt_exact: number;
}

interface PlateGt {
  file: string;
  box: Box;
  text: string;
}

const whole = (f: Frame): Box => ({ x1: 0, y1: 0, x2: f.width, y2: f.height });

function openalpr(dir: string): PlateGt[] {
  const out: PlateGt[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split(/\r?\n/)) {
      const [img, x, y, w, h, text] = line.split('\t');
      if (!img || !text) continue;
      const bx = Number(x), by = Number(y);
      out.push({ file: join(dir, img), box: { x1: bx, y1: by, x2: bx + Number(w), y2: by + Number(h) }, text: normalizePlateText(text) });
    }
  }
  return out;
}

/** Car/bus/truck (COCO 2/5/7) lower parts, or the whole image when the scene detector finds none. */
function plateRegions(a: FrameAnalysis, f: Frame): Box[] {
  const vehicles = a.detections.filter((d) => d.classId === 2 || d.classId === 5 || d.classId === 7);
  if (vehicles.length === 0) return [whole(f)];
  return vehicles.map((v) => {
    const h = v.box.y2 - v.box.y1;
    return clipBox(expandBox({ ...v.box, y1: v.box.y1 + 0.35 * h }, 0.05), f.width, f.height);
  });
}

const matches = (gt: Box, b: Box): boolean => iou(gt, b) > 0.3 || intersectionArea(gt, b) / Math.max(boxArea(gt), 1) > 0.6;

export async function evalOpenalpr(d: InThreadDetector, mediaDir: string): Promise<Record<string, PlateRegionResult>> {
  const out: Record<string, PlateRegionResult> = {};
  for (const region of ['eu', 'br', 'us']) {
    const dir = join(mediaDir, 'openalpr', region);
    if (!existsSync(dir)) continue;
    const gts = openalpr(dir);
    const byFile = new Map<string, PlateGt[]>();
    for (const g of gts) byFile.set(g.file, [...(byFile.get(g.file) ?? []), g]);
    const r: PlateRegionResult = { n: gts.length, images: byFile.size, found: 0, exact: 0, exact_folded: 0, reader_on_gt_exact: 0 };
    for (const [file, list] of byFile) {
      const f = await loadImageFrame(file);
      const onGt = await d.readPlates(f, list.map((g) => ({ box: g.box, rows: [g.box], score: 1 })));
      onGt.forEach((x, i) => (r.reader_on_gt_exact += x.text === list[i]!.text ? 1 : 0));
      const a = await d.analyze(f);
      const located: PlateLocation[] = [];
      for (const box of plateRegions(a, f)) located.push(...(await d.locatePlates(f, box)).slice(0, 2));
      const reads = await d.readPlates(f, located);
      for (const g of list) {
        const hit = located.map((l, i) => ({ l, text: reads[i]!.text })).filter((x) => matches(g.box, x.l.box));
        if (hit.length > 0) r.found++;
        if (hit.some((x) => x.text === g.text)) r.exact++;
        if (hit.some((x) => plateMatchKey(x.text) === plateMatchKey(g.text))) r.exact_folded++;
      }
    }
    out[region] = r;
  }
  return out;
}
