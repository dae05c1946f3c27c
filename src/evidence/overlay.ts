// The boxes and labels drawn on the full-frame evidence, as an SVG that sharp composites onto
// the frame. Pure: tests check what is drawn without decoding an image.
import type { Box } from '../shared/types.js';

export type Tone = 'violation' | 'ok' | 'unsure' | 'vehicle' | 'plate' | 'other';

export interface OverlayBox {
  readonly box: Box;
  readonly label: string | null;
  readonly tone: Tone;
  /** Thin and dashed (head regions, other road users). */
  readonly faint?: boolean;
}

const COLOURS: Record<Tone, string> = {
  violation: '#ff2a2a',
  ok: '#21d07a',
  unsure: '#ffb000',
  vehicle: '#2aa8ff',
  plate: '#ff3ef5',
  other: '#b0b0b0',
};

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A box clipped to the frame, in whole pixels. */
export function visibleBox(b: Box, width: number, height: number): Box {
  const x1 = clamp(Math.round(b.x1), 0, width - 1);
  const y1 = clamp(Math.round(b.y1), 0, height - 1);
  return { x1, y1, x2: clamp(Math.round(b.x2), x1 + 1, width), y2: clamp(Math.round(b.y2), y1 + 1, height) };
}

/**
 * One SVG the size of the frame: every box clipped to the frame, its label on a filled tab above
 * the box (below its top edge when there is no room), and an optional caption along the top.
 */
export function overlaySvg(width: number, height: number, boxes: readonly OverlayBox[], caption: string | null = null): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 240));
  const font = Math.max(12, Math.round(Math.min(width, height) / 40));
  const parts: string[] = [];
  for (const ob of boxes) {
    const b = visibleBox(ob.box, width, height);
    const colour = COLOURS[ob.tone];
    const sw = ob.faint ? Math.max(1, Math.round(stroke / 2)) : stroke;
    const dash = ob.faint ? ` stroke-dasharray="${sw * 3},${sw * 2}"` : '';
    parts.push(
      `<rect x="${b.x1}" y="${b.y1}" width="${b.x2 - b.x1}" height="${b.y2 - b.y1}" fill="none" stroke="${colour}" stroke-width="${sw}"${dash}/>`,
    );
    if (ob.label) {
      const tabH = font + 6;
      const tabW = Math.min(width - b.x1, Math.round(ob.label.length * font * 0.62) + 8);
      const tabY = b.y1 - tabH >= 0 ? b.y1 - tabH : b.y1;
      parts.push(`<rect x="${b.x1}" y="${tabY}" width="${tabW}" height="${tabH}" fill="${colour}"/>`);
      parts.push(
        `<text x="${b.x1 + 4}" y="${tabY + font}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="#000">${escapeXml(ob.label)}</text>`,
      );
    }
  }
  if (caption) {
    const h = font + 10;
    parts.push(`<rect x="0" y="0" width="${width}" height="${h}" fill="#000" fill-opacity="0.6"/>`);
    parts.push(
      `<text x="6" y="${font + 3}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="#fff">${escapeXml(caption)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
