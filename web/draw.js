// Drawing the live view: the frame, then what detect and the tracker saw, then the zone.
// Everything is in detect-frame pixels, the canvas's own size.

const COLOURS = { motorcycle: '#4285f4', person: '#aaaaaa', helmet: '#34a853', no_helmet: '#ea4335', unknown: '#fbbc04', plate: '#fbbc04', zone: '#00e5ff', small: '#666666' };

const shorter = (b) => Math.min(b[2] - b[0], b[3] - b[1]);

function box(ctx, b, colour, width, label) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
  if (!label) return;
  ctx.font = '16px system-ui, sans-serif';
  const w = ctx.measureText(label).width + 8;
  const y = b[1] > 20 ? b[1] - 20 : b[3];
  ctx.fillStyle = colour;
  ctx.fillRect(b[0], y, w, 20);
  ctx.fillStyle = '#000';
  ctx.fillText(label, b[0] + 4, y + 15);
}

/** Draws the overlay (tracks matched in this frame only); returns how many boxes it drew. */
export function drawOverlay(ctx, overlay, sizes) {
  let n = 0;
  for (const d of overlay.detections) {
    if (d.role !== 'motorcycle' && d.role !== 'person') continue;
    const min = d.role === 'motorcycle' ? sizes.minMoto : sizes.minRider;
    const small = shorter(d.box) < min;
    box(ctx, d.box, small ? COLOURS.small : COLOURS[d.role], 2, small ? `${d.role} (small)` : null);
    n += 1;
  }
  for (const r of overlay.riders) {
    box(ctx, r.head, COLOURS[r.verdict] ?? COLOURS.unknown, 3, `${r.verdict.replace('_', ' ')} · p ${r.noHelmetScore.toFixed(2)}`);
    n += 1;
  }
  for (const p of overlay.plates) {
    box(ctx, p.box, COLOURS.plate, 2, p.text ? `${p.text} ${p.confidence.toFixed(2)}` : null);
    n += 1;
  }
  for (const t of overlay.tracks) {
    if (!t.seen) continue;
    const bad = t.riders.includes('no_helmet');
    box(ctx, t.box, COLOURS.motorcycle, 3, `#${t.id} motorcycle${bad ? ' · no helmet' : ''}${t.plate ? ` · ${t.plate}` : ''}`);
    n += 1;
  }
  return n;
}

/** The minimum sizes as two squares in the bottom-left corner, to compare with the boxes. */
export function drawSizes(ctx, height, sizes) {
  ctx.lineWidth = 2;
  ctx.font = '14px system-ui, sans-serif';
  let x = 10;
  for (const [label, px, colour] of [['min motorcycle', sizes.minMoto, COLOURS.motorcycle], ['min rider', sizes.minRider, COLOURS.person]]) {
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, height - 10 - px, px, px);
    ctx.fillStyle = colour;
    ctx.fillText(`${label} ${px}px`, x, height - 14 - px);
    x += Math.max(px, 110) + 16;
  }
}

export function drawZone(ctx, points, closed) {
  if (points.length === 0) return;
  ctx.strokeStyle = COLOURS.zone;
  ctx.fillStyle = 'rgba(0, 229, 255, 0.12)';
  ctx.lineWidth = 3;
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  if (closed && points.length >= 3) {
    ctx.closePath();
    ctx.fill();
  }
  ctx.stroke();
  ctx.fillStyle = COLOURS.zone;
  for (const [x, y] of points) ctx.fillRect(x - 6, y - 6, 12, 12);
}
