// Where the scene detector looked: the frame's regions and motion boxes on the live view, and
// one line that puts this frame's scan next to the health report's recent numbers.

const COLOURS = { region: '#e040fb', motion: '#ff9100' };

/** Motion boxes (filled lightly), then the regions the detector ran on (dashed squares); returns how many of each it drew. */
export function drawScan(ctx, scan) {
  if (!scan) return { regions: 0, motion: 0 };
  ctx.lineWidth = 1;
  ctx.strokeStyle = COLOURS.motion;
  ctx.fillStyle = 'rgba(255, 145, 0, 0.1)';
  for (const b of scan.motion) {
    ctx.fillRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
    ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
  }
  if (scan.mode === 'none') return { regions: 0, motion: scan.motion.length };
  ctx.lineWidth = 2;
  ctx.setLineDash([10, 6]);
  ctx.strokeStyle = COLOURS.region;
  ctx.fillStyle = COLOURS.region;
  ctx.font = '13px system-ui, sans-serif';
  scan.regions.forEach((b, i) => {
    ctx.strokeRect(b[0] + 1, b[1] + 1, b[2] - b[0] - 2, b[3] - b[1] - 2);
    ctx.fillText(scan.mode === 'regions' ? `region ${i + 1}` : i === 0 ? 'whole frame' : `tile ${i}`, b[0] + 5, b[1] + 16);
  });
  ctx.setLineDash([]);
  return { regions: scan.regions.length, motion: scan.motion.length };
}

const MODES = { whole: 'whole frame', regions: 'motion regions', tiles: 'whole + tiles', none: 'no inference (nothing moving)' };
const pct = (f) => (f === null || f === undefined ? '—' : `${(f * 100).toFixed(1)} %`);

/** "scan: …" for this frame (`scan` from the live overlay) and the recent frames (`detect` from the health report). */
export function scanLine(scan, detect) {
  const n = scan && scan.mode !== 'none' ? scan.regions.length : 0;
  const now = scan ? `scan: ${MODES[scan.mode] ?? scan.mode}, ${n} region${n === 1 ? '' : 's'}, motion ${pct(scan.motionFraction)}` : 'scan: not reported';
  if (!detect) return now;
  const recent = `recent: motion ${pct(detect.motion_fraction)}, ${detect.regions_per_frame} regions/frame, ${detect.inference_ms_per_frame} ms inference/frame`;
  return `${now} · ${recent} · ${detect.frames_without_inference} of ${detect.frames} frames without inference`;
}
