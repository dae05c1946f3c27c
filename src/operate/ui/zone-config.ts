/**
 * The zone and minimum sizes the installer draws, turned into a config fragment and checked
 * against the same schema and cross-checks as the config file itself (the fragment is merged
 * into the camera's file as it is on disk, and the whole result validated).
 *
 * The page works in detect-frame pixels (what it draws on); `rules.zone` holds coordinates
 * normalised to the frame (0..1), so the pixels are divided here by camera.detect's size.
 *
 * Writing is allowed only when the agent was started with --allow-config-write: the old file is
 * first copied to `<file>.<UTC timestamp>.bak`, the new one is written beside it and renamed over
 * it (a reader never sees half a file), with the old file's mode. The change applies at the next
 * start of the agent.
 */
import { copyFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { ConfigError, validateConfig, type ConfigProblem } from '../../config/load.js';
import { AgentError } from '../../shared/errors.js';

export interface ZoneRequest {
  /** Polygon in detect-frame pixels, or null for the whole frame. */
  zone_px: Array<[number, number]> | null;
  min_motorcycle_px: number;
  min_rider_px: number;
}

export interface RulesFragment {
  rules: { zone: Array<[number, number]> | null; min_motorcycle_px: number; min_rider_px: number };
}

export type ZoneCheck =
  | { ok: true; fragment: RulesFragment }
  | { ok: false; fragment: RulesFragment | null; problems: ConfigProblem[] };

const MAX_POINTS = 64;
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** The request's shape, before the schema sees the fragment; problems name the field. */
function parseRequest(body: unknown): ZoneRequest | ConfigProblem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ path: '', message: 'expected a JSON object' }];
  const b = body as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(b))
    if (!['zone_px', 'min_motorcycle_px', 'min_rider_px'].includes(key)) problems.push({ path: key, message: 'unknown key' });
  const zone = b.zone_px;
  const isPoint = (p: unknown): p is [number, number] =>
    Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (zone !== null && !(Array.isArray(zone) && zone.every(isPoint))) problems.push({ path: 'zone_px', message: 'expected null or a list of [x, y] pixel points' });
  else if (zone !== null && zone.length > MAX_POINTS) problems.push({ path: 'zone_px', message: `at most ${MAX_POINTS} points` });
  for (const key of ['min_motorcycle_px', 'min_rider_px'] as const)
    if (typeof b[key] !== 'number') problems.push({ path: key, message: 'expected a number of pixels' });
  return problems.length > 0 ? problems : (b as unknown as ZoneRequest);
}

export function fragmentOf(req: ZoneRequest, detect: { width: number; height: number }): RulesFragment {
  return {
    rules: {
      zone: req.zone_px === null ? null : req.zone_px.map(([x, y]) => [r4(x / detect.width), r4(y / detect.height)]),
      min_motorcycle_px: req.min_motorcycle_px,
      min_rider_px: req.min_rider_px,
    },
  };
}

function readRaw(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function merged(raw: Record<string, unknown>, fragment: RulesFragment): Record<string, unknown> {
  const rules = typeof raw.rules === 'object' && raw.rules !== null ? raw.rules : {};
  return { ...raw, rules: { ...rules, ...fragment.rules } };
}

/** Validates the fragment merged into the config file as it is now on disk. */
export function checkZone(body: unknown, configFile: string, detect: { width: number; height: number }): ZoneCheck {
  const req = parseRequest(body);
  if (Array.isArray(req)) return { ok: false, fragment: null, problems: req };
  const fragment = fragmentOf(req, detect);
  try {
    validateConfig(merged(readRaw(configFile), fragment), configFile);
    return { ok: true, fragment };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, fragment, problems: err.problems };
    return { ok: false, fragment, problems: [{ path: '', message: `cannot read the config file: ${(err as Error).message}` }] };
  }
}

export interface WriteResult {
  file: string;
  backup: string;
}

/** Writes a checked fragment into the file, keeping a backup of the old one. */
export function writeZone(fragment: RulesFragment, configFile: string, now: Date): WriteResult {
  const backup = `${configFile}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
  const tmp = `${configFile}.tmp-${process.pid}`;
  try {
    const raw = readRaw(configFile);
    const mode = statSync(configFile).mode & 0o777;
    copyFileSync(configFile, backup);
    writeFileSync(tmp, JSON.stringify(merged(raw, fragment), null, 2) + '\n', { mode });
    renameSync(tmp, configFile);
    return { file: configFile, backup };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new AgentError('RSA_UI_CONFIG_WRITE', `cannot write ${configFile}: ${(err as Error).message}`, { cause: err });
  }
}
