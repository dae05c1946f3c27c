// `replay` end to end on the real models and media (../shared): capture (ffmpeg) → detect →
// violations → evidence files. Skipped, loudly, without the models or the clip.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/commands/replay.js';
import { samePlate } from '../../src/dedup/plate-match.js';
import { hasMedia, hasModels, mediaDir, modelsDir, repoRoot, skipNotice } from '../helpers/env.js';

const skip = skipNotice('replay integration tests (real models and media)', hasModels && hasMedia, `${modelsDir} and ${mediaDir}`);
const clip = resolve(mediaDir, 'in/nhutanh_test1.mp4');
const START = '2023-09-10T12:36:52Z';
const CLIP_MS = 24 * 200;

interface Line {
  id: string;
  type: string;
  trackId: number;
  plateText: string | null;
  frameCount: number;
  occurredAt: number;
  firstSeenAt: number;
  lastSeenAt: number;
  cameraId: string;
  evidence: Array<{ kind: string; file: string; sha256: string; width: number; height: number }>;
}

interface Summary {
  frames: number;
  dropped: number;
  violations: number;
  candidates: number;
  duplicates: { same_plate_in_window: number; same_track: number };
  plate_searches: { searched: number; skipped: number };
}

let dir: string;

/** A config from the repo's example with `over` applied to its models and rules. */
function writeConfig(name: string, over: { helmetThreshold?: number; rules?: Record<string, unknown>; plates?: Record<string, unknown> } = {}): string {
  const c = JSON.parse(readFileSync(resolve(repoRoot, 'config.json'), 'utf8')) as {
    $schema?: string;
    models: { dir?: string; plates_for: string; helmet: { threshold: number; helmet_threshold: number } };
    rules: Record<string, unknown>;
    plates: Record<string, unknown>;
  };
  delete c.$schema;
  c.models.dir = modelsDir;
  if (over.helmetThreshold !== undefined) {
    c.models.helmet.threshold = over.helmetThreshold;
    c.models.helmet.helmet_threshold = Math.min(c.models.helmet.helmet_threshold, over.helmetThreshold);
    c.models.plates_for = 'all';
  }
  Object.assign(c.rules, over.rules ?? {});
  Object.assign(c.plates, over.plates ?? {});
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

async function replay(video: string, config: string, out: string): Promise<{ code: number; lines: Line[]; summary: Summary }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await replayCommand(
    video,
    { config, out: join(dir, out), start: START, logLevel: 'warn' },
    { out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} },
  );
  const last = stderr.filter((l) => l.startsWith('replay: {')).at(-1);
  if (code !== 0 || !last) throw new Error(`replay exited ${code}:\n${stderr.join('\n')}`);
  return { code, lines: stdout.map((l) => JSON.parse(l) as Line), summary: JSON.parse(last.slice('replay: '.length)) as Summary };
}

async function checkEvidence(line: Line, out: string): Promise<void> {
  expect(line.evidence.map((e) => e.kind).slice(0, 2)).toEqual(['frame', 'rider']);
  for (const e of line.evidence) {
    const jpeg = readFileSync(join(dir, out, e.file));
    expect(createHash('sha256').update(jpeg).digest('hex')).toBe(e.sha256);
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', e.width, e.height]);
  }
}

/** What two runs of the same input must agree on (ids and file names are made fresh). */
const comparable = (l: Line) => ({ ...l, id: undefined, evidence: l.evidence.map((e) => ({ ...e, file: undefined })) });

describe.skipIf(skip)('replay on the real models', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-it-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The clip's first motorcycle carries a bare-headed passenger behind a helmeted driver, the
  // second a bare-headed rider; the example config's head detector records both (tracks 1 and 2),
  // each from at least rules.min_no_helmet_frames frames. (Its earlier classifier recorded none.)
  it('reads every frame of the clip with the example config and records its bare-headed riders', async () => {
    const { lines, summary } = await replay(clip, writeConfig('default'), 'default');
    expect(summary).toMatchObject({ frames: 24, dropped: 0, violations: lines.length });
    expect(lines.map((l) => l.trackId).sort()).toEqual([1, 2]);
    for (const l of lines) {
      expect(l.frameCount).toBeGreaterThanOrEqual(3);
      await checkEvidence(l, 'default');
    }
  }, 120_000);

  // The clip's plates are never read (too small and blurred), so plates.per_track spaces out the
  // searches of each suspect motorcycle; what is recorded must not change.
  it('searches fewer plates with plates.per_track than on every frame, and records the same violations', async () => {
    const spaced = await replay(clip, writeConfig('per-track'), 'per-track');
    const every = await replay(clip, writeConfig('every-frame', { plates: { per_track: { settle_reads: 0, max_gap_frames: 0 } } }), 'every-frame');
    expect(every.summary.plate_searches.skipped).toBe(0);
    expect(spaced.summary.plate_searches.skipped).toBeGreaterThan(0);
    expect(spaced.summary.plate_searches.searched + spaced.summary.plate_searches.skipped).toBe(every.summary.plate_searches.searched);
    expect(spaced.lines.map(comparable)).toEqual(every.lines.map(comparable));
  }, 120_000);

  // At 0.3 more riders' frames count (any head the model is a little unsure of).
  it('with a loose helmet threshold finds the violation, writes its evidence and gives the same result twice', async () => {
    const config = writeConfig('loose', { helmetThreshold: 0.3 });
    const a = await replay(clip, config, 'loose-a');
    const b = await replay(clip, config, 'loose-b');
    expect(a.lines.length).toBeGreaterThanOrEqual(1);
    expect(a.summary).toMatchObject({ frames: 24, dropped: 0 });
    for (const l of a.lines) {
      expect(l).toMatchObject({ type: 'no_helmet', cameraId: 'demo-cam' });
      expect(l.frameCount).toBeGreaterThanOrEqual(3);
      const t0 = Date.parse(START);
      expect(l.occurredAt).toBeGreaterThanOrEqual(l.firstSeenAt);
      expect(l.occurredAt).toBeLessThanOrEqual(l.lastSeenAt);
      expect(l.lastSeenAt).toBeLessThan(t0 + CLIP_MS);
      await checkEvidence(l, 'loose-a');
    }
    expect(b.lines.map(comparable)).toEqual(a.lines.map(comparable));
  }, 120_000);

  it('on the clip looped five times: every pass tracked alike, plate-less violations once per track, plated ones deduplicated', async () => {
    const loop = join(dir, 'loop.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '4', '-i', clip, '-c', 'copy', loop]);
    const single = await replay(clip, writeConfig('single0', { helmetThreshold: 0.3, rules: { min_plate_confidence: 0 } }), 'single0');
    const looped = await replay(loop, writeConfig('loop0', { helmetThreshold: 0.3, rules: { min_plate_confidence: 0 } }), 'loop0');
    expect(looped.summary).toMatchObject({ frames: 120, dropped: 0 });
    // The same frames five times over: five times the candidate violations.
    expect(looped.summary.candidates).toBe(5 * single.summary.candidates);
    const d = looped.summary.duplicates;
    expect(looped.summary.violations + d.same_plate_in_window + d.same_track).toBe(looped.summary.candidates);
    // The whole loop is inside the 60 s window: no two kept violations share a plate.
    const plated = looped.lines.filter((l) => l.plateText !== null);
    for (let i = 0; i < plated.length; i++)
      for (let j = i + 1; j < plated.length; j++) expect(samePlate(plated[i]!.plateText!, plated[j]!.plateText!, 1)).toBe(false);
    const plateless = looped.lines.filter((l) => l.plateText === null);
    expect(new Set(plateless.map((l) => l.trackId)).size).toBe(plateless.length);
    for (const l of looped.lines) await checkEvidence(l, 'loop0');
  }, 240_000);
});
