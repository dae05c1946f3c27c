// An annotated JPEG of one analysis: boxes and labels drawn as an SVG overlay composited by
// sharp. For people to look at (the detect verb), not on the hot path.
import { loadSharp } from '../evidence/sharp.js';
import type { Box, FrameAnalysis } from '../shared/types.js';

const COLOURS = { region: '#facc15', motion: '#22d3ee', motorcycle: '#1e90ff', person: '#aaaaaa', helmet: '#22c55e', no_helmet: '#ef4444', unknown: '#f59e0b', plate: '#e879f9' };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function rect(b: Box, colour: string, width: number, label?: string, fontSize = 14): string {
  const x = Math.round(b.x1);
  const y = Math.round(b.y1);
  const w = Math.max(1, Math.round(b.x2 - b.x1));
  const h = Math.max(1, Math.round(b.y2 - b.y1));
  let s = `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${width}"/>`;
  if (label) {
    const ty = y > fontSize + 4 ? y - 4 : y + h + fontSize;
    const tw = Math.ceil(label.length * fontSize * 0.62) + 6;
    s += `<rect x="${x}" y="${ty - fontSize}" width="${tw}" height="${fontSize + 4}" fill="${colour}" opacity="0.8"/>`;
    s += `<text x="${x + 3}" y="${ty}" font-family="DejaVu Sans Mono, monospace" font-size="${fontSize}" fill="#000">${esc(label)}</text>`;
  }
  return s;
}

/** Where the scene detector looked (yellow, unless the whole frame) and the motion that steered it (cyan). */
function scanParts(a: FrameAnalysis, font: number): string[] {
  const scan = a.scan;
  if (!scan) return [];
  const parts = scan.motion.map((m) => rect(m, COLOURS.motion, 1));
  scan.regions.forEach((r, i) => {
    const whole = r.x1 <= 0 && r.y1 <= 0 && r.x2 >= a.frame.width && r.y2 >= a.frame.height;
    if (!whole) parts.push(rect(r, COLOURS.region, 2, `${scan.mode} ${i + 1}`, font));
  });
  return parts;
}

/** SVG with every motorcycle, rider, head verdict and plate of the analysis (and the scanned regions). */
export function overlaySvg(a: FrameAnalysis): string {
  const { width, height } = a.frame;
  const line = Math.max(2, Math.round(width / 640));
  const font = Math.max(12, Math.round(width / 80));
  const parts: string[] = scanParts(a, font);
  const riders = new Set(a.motorcycles.flatMap((m) => m.riders.map((r) => r.person)));
  for (const d of a.detections) {
    if (d.role === 'person' && !riders.has(d)) parts.push(rect(d.box, COLOURS.person, 1));
  }
  for (const m of a.motorcycles) {
    parts.push(rect(m.motorcycle.box, COLOURS.motorcycle, line, `moto ${m.motorcycle.score.toFixed(2)}`, font));
    for (const r of m.riders) {
      parts.push(rect(r.person.box, COLOURS.person, line));
      parts.push(rect(r.helmet.headBox, COLOURS[r.helmet.verdict], line, `${r.helmet.verdict} ${r.helmet.noHelmetScore.toFixed(2)}`, font));
    }
    if (m.plate) parts.push(rect(m.plate.box, COLOURS.plate, line, m.plate.text, font));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export async function annotatedJpeg(a: FrameAnalysis, quality = 85): Promise<Buffer> {
  const { width, height, data } = a.frame;
  const sharp = await loadSharp();
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(overlaySvg(a)), top: 0, left: 0 }])
    .jpeg({ quality })
    .toBuffer();
}
