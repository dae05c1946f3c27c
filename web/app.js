// The installer page: polls the agent (live frame about once a second, state and violations
// every two seconds), draws the overlay and the zone, and checks/writes the zone fragment.
import { drawOverlay, drawSizes, drawZone } from './draw.js';
import { drawScan, scanLine } from './scan.js';

const $ = (id) => document.getElementById(id);
const canvas = $('view');
const ctx = canvas.getContext('2d');
const state = { settings: null, overlay: null, detect: null, image: null, points: [], drawing: false, drag: -1, sizes: { minMoto: 0, minRider: 0 }, checked: null };

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (r.status === 401) location.reload();
  return r.json();
}

function text(id, value) {
  $(id).textContent = value;
}

function render() {
  if (state.image) ctx.drawImage(state.image, 0, 0, canvas.width, canvas.height);
  else {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  const shown = state.overlay && state.image;
  const scan = shown ? drawScan(ctx, state.overlay.scan) : { regions: 0, motion: 0 };
  Object.assign(canvas.dataset, { regions: String(scan.regions), motion: String(scan.motion), scan: shown ? (state.overlay.scan?.mode ?? '') : '' });
  const n = shown ? drawOverlay(ctx, state.overlay, state.sizes) : 0;
  canvas.dataset.boxes = String(n);
  canvas.dataset.riders = String(state.overlay?.riders.length ?? 0);
  drawSizes(ctx, canvas.height, state.sizes);
  drawZone(ctx, state.points, !state.drawing || state.points.length >= 3);
}

function showTracks(overlay) {
  const body = $('tracks').tBodies[0];
  body.replaceChildren(
    ...overlay.tracks.map((t) => {
      const tr = document.createElement('tr');
      const verdict = t.riders.length ? t.riders.join(', ') : '—';
      const cells = [`#${t.id}${t.seen ? '' : ' (not in this frame)'}`, 'motorcycle', verdict, t.plate ?? '—', String(t.hits), String(t.noHelmetFrames), t.decided ? 'violation' : '—'];
      for (const v of cells) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function pollLive() {
  const { overlay } = await getJson('/ui/api/live');
  if (!overlay || overlay.seq === state.overlay?.seq) return;
  const img = new Image();
  img.src = `/ui/api/frame.jpg?seq=${overlay.seq}`;
  await img.decode();
  if (canvas.width !== overlay.width || canvas.height !== overlay.height) {
    canvas.width = overlay.width;
    canvas.height = overlay.height;
  }
  state.overlay = overlay;
  state.image = img;
  canvas.dataset.seq = String(overlay.seq);
  text('frame-info', `frame ${overlay.seq} · ${new Date(overlay.capturedAt).toLocaleTimeString()} · ${overlay.detections.length} detections, ${overlay.tracks.length} tracks`);
  showTracks(overlay);
  text('scan-info', scanLine(overlay.scan, state.detect));
  render();
}

function fmtAge(s) {
  return s === null ? 'never' : `${s} s ago`;
}

async function pollStatus() {
  const { health: h, settings } = await getJson('/ui/api/status');
  if (!state.settings) initSettings(settings);
  state.detect = h.detect ?? null;
  text('scan-info', scanLine(state.overlay?.scan ?? null, state.detect));
  text('camera-state', `${h.camera.state}${h.camera.last_frame_age_s === null ? '' : ` (last frame ${h.camera.last_frame_age_s} s ago)`}`);
  text('fps', `${h.camera.fps.in} / ${h.camera.fps.processed} / ${h.camera.fps.dropped}`);
  text('provider', h.provider);
  text('queue-depth', `${h.queue.depth} pending, ${h.queue.dead_letters} dead`);
  text('central', h.central.reachable === null ? 'not tried yet' : `${h.central.reachable ? 'reachable' : 'UNREACHABLE'}, last delivery ${fmtAge(h.central.last_delivery_age_s)}`);
  text('health', h.status === 'ok' ? `ok${h.warnings.length ? ` · ${h.warnings.join('; ')}` : ''}` : h.problems.join('; '));
}

function initSettings(s) {
  state.settings = s;
  const { width, height } = s.camera.detect;
  text('camera-id', s.camera.id);
  text('camera-location', s.camera.location);
  text('detect-size', `${width}×${height}`);
  state.points = (s.rules.zone ?? []).map(([x, y]) => [Math.round(x * width), Math.round(y * height)]);
  state.sizes = { minMoto: s.rules.min_motorcycle_px, minRider: s.rules.min_rider_px };
  $('min-moto').value = String(state.sizes.minMoto);
  $('min-rider').value = String(state.sizes.minRider);
  $('write').hidden = !s.config_writable;
  showPoints();
  render();
}

function stateLine(v) {
  if (v.state === 'delivered') return 'delivered';
  if (v.state === 'dead') return 'dead letter';
  return v.attempts > 0 ? `queued (${v.attempts} attempts)` : 'queued';
}

async function pollViolations() {
  const { recent, queue, central } = await getJson('/ui/api/violations');
  text('queue-info', `queue ${queue.depth} · dead letters ${queue.dead_letters} · central ${central.reachable === false ? 'unreachable' : central.reachable ? 'reachable' : 'unknown'}`);
  const list = $('violation-list');
  const have = new Map([...list.children].map((li) => [li.dataset.id, li]));
  const items = recent.map((v) => {
    const li = have.get(v.id) ?? violationItem(v);
    const s = li.querySelector('.state');
    s.textContent = stateLine(v);
    s.className = `state ${v.state}`;
    li.dataset.state = v.state;
    li.querySelector('.reason').textContent = v.reason ?? '';
    return li;
  });
  list.replaceChildren(...items);
}

function violationItem(v) {
  const li = document.createElement('li');
  li.dataset.id = v.id;
  const head = document.createElement('div');
  const plate = v.plate ? `${v.plate} (${v.plateConfidence.toFixed(2)})` : 'no plate read';
  head.textContent = `${new Date(v.occurredAt).toLocaleString()} · ${plate} · no helmet ${v.confidence.toFixed(2)} over ${v.frames} frames · track #${v.trackId} · `;
  const s = document.createElement('span');
  head.append(s);
  s.className = 'state';
  const reason = document.createElement('div');
  reason.className = 'reason';
  const thumbs = document.createElement('div');
  thumbs.className = 'thumbs';
  for (const e of v.evidence) {
    const img = document.createElement('img');
    img.src = `/ui/api/evidence/${v.id}/${e.kind}.jpg`;
    img.alt = `${e.kind} ${e.width}×${e.height}`;
    img.title = img.alt;
    img.dataset.kind = e.kind;
    thumbs.append(img);
  }
  li.append(head, reason, thumbs);
  return li;
}

function showPoints() {
  text('points', state.points.length ? `zone (px): ${state.points.map(([x, y]) => `(${x}, ${y})`).join(' ')}` : 'zone: the whole frame');
}

function framePoint(e) {
  const r = canvas.getBoundingClientRect();
  return [Math.round(((e.clientX - r.left) * canvas.width) / r.width), Math.round(((e.clientY - r.top) * canvas.height) / r.height)];
}

function nearPoint([x, y]) {
  const reach = (14 * canvas.width) / canvas.getBoundingClientRect().width;
  return state.points.findIndex(([px, py]) => Math.abs(px - x) <= reach && Math.abs(py - y) <= reach);
}

function edited() {
  state.checked = null;
  $('write').disabled = true;
  $('zone-verdict').dataset.ok = '';
  text('zone-verdict', 'Changed: Check it.');
  showPoints();
  render();
}

canvas.addEventListener('mousedown', (e) => {
  const p = framePoint(e);
  const i = nearPoint(p);
  if (i >= 0) state.drag = i;
  else if (state.drawing) {
    state.points.push(p);
    edited();
  }
});
canvas.addEventListener('mousemove', (e) => {
  if (state.drag < 0) return;
  state.points[state.drag] = framePoint(e);
  render();
});
window.addEventListener('mouseup', () => {
  if (state.drag >= 0) edited();
  state.drag = -1;
});

$('draw').addEventListener('click', () => {
  state.drawing = !state.drawing;
  $('draw').setAttribute('aria-pressed', String(state.drawing));
  $('draw').textContent = state.drawing ? 'Done' : 'Draw';
  edited();
});
$('undo').addEventListener('click', () => {
  state.points.pop();
  edited();
});
$('clear').addEventListener('click', () => {
  state.points = [];
  edited();
});
for (const [id, key] of [['min-moto', 'minMoto'], ['min-rider', 'minRider']])
  $(id).addEventListener('input', () => {
    state.sizes[key] = Number($(id).value);
    edited();
  });

function request() {
  return { zone_px: state.points.length ? state.points : null, min_motorcycle_px: state.sizes.minMoto, min_rider_px: state.sizes.minRider };
}

async function post(path) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request()) });
  return r.json();
}

function showResult(res, okText) {
  $('zone-verdict').dataset.ok = String(res.ok);
  text('zone-verdict', res.ok ? okText : `Not accepted: ${res.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`);
  // One point per line, ready to paste.
  text('fragment', res.fragment ? JSON.stringify(res.fragment, null, 2).replace(/\[\s+(-?[\d.e-]+),\s+(-?[\d.e-]+)\s+\]/g, '[$1, $2]') : '');
}

$('check').addEventListener('click', async () => {
  const res = await post('/ui/api/zone/check');
  state.checked = res.ok ? res.fragment : null;
  $('write').disabled = !(res.ok && res.writable);
  showResult(res, res.writable ? 'Accepted by the config schema. Write it, or paste it into the camera config.' : 'Accepted by the config schema. Paste this into the camera config (the page is read-only), then restart the agent.');
});
$('write').addEventListener('click', async () => {
  const res = await post('/ui/api/zone/write');
  showResult(res, `Written; the old file is kept as ${res.backup}. Restart the agent to apply it.`);
});

function every(ms, job) {
  const run = () => job().catch((err) => console.warn(err)).finally(() => setTimeout(run, ms));
  run();
}
every(2000, pollStatus);
every(1000, pollLive);
every(2000, pollViolations);
