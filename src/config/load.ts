import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { AgentError } from '../shared/errors.js';
import { ConfigSchema, type Config } from './schema.js';

export interface ConfigProblem {
  /** Dotted path of the offending field, e.g. `camera.detect.fps`; empty for the whole file. */
  path: string;
  message: string;
}

/** A validated config with every path made absolute and every default decided. */
export interface LoadedConfig {
  config: Config;
  file: string;
  modelsDir: string;
  stateDir: string;
  queueFile: string;
  logFile: string | null;
}

export type SourceKind = 'rtsp' | 'http' | 'file';

export function sourceKind(url: string): SourceKind {
  if (/^rtsps?:\/\//i.test(url)) return 'rtsp';
  if (/^https?:\/\//i.test(url)) return 'http';
  return 'file';
}

export class ConfigError extends AgentError {
  readonly problems: ConfigProblem[];
  readonly file: string;

  constructor(file: string, problems: ConfigProblem[], code: 'RSA_CONFIG_READ' | 'RSA_CONFIG_INVALID' = 'RSA_CONFIG_INVALID') {
    super(code, `${file}: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`);
    this.problems = problems;
    this.file = file;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: 'unknown key' });
    } else if (issue.code === 'invalid_union' && 'errors' in issue && issue.errors.length > 0) {
      out.push({ path: formatPath(issue.path), message: issue.message });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/** Checks across fields, each a small named function; messages name the camera. */
const crossChecks: Array<(c: Config) => ConfigProblem | null> = [
  function helmetThresholdsOrdered(c) {
    const h = c.models.helmet;
    if (h.type !== 'detector' && h.helmet_threshold > h.threshold)
      return {
        path: 'models.helmet.helmet_threshold',
        message: `camera ${c.camera.id}: must not exceed models.helmet.threshold (${h.threshold})`,
      };
    return null;
  },
  function sceneDetectsRiders(c) {
    const roles = c.models.scene.classes;
    if (roles.person === undefined || roles.motorcycle === undefined)
      return { path: 'models.scene.classes', message: `camera ${c.camera.id}: the scene detector must map both "person" and "motorcycle"` };
    return null;
  },
  function platePixelsAboveDetect(c) {
    const { plate_pixels: full, detect } = c.camera;
    if (full && (full.width < detect.width || full.height < detect.height || (full.width === detect.width && full.height === detect.height)))
      return {
        path: 'camera.plate_pixels',
        message: `camera ${c.camera.id}: ${full.width}x${full.height} must be larger than the detect size ${detect.width}x${detect.height} (or null: plates are then read on the detect frame)`,
      };
    return null;
  },
  function reconnectCapAboveStart(c) {
    if (c.camera.reconnect.max_s < c.camera.reconnect.initial_s)
      return { path: 'camera.reconnect.max_s', message: `camera ${c.camera.id}: must be at least camera.reconnect.initial_s` };
    return null;
  },
  function shutdownOutlastsDrain(c) {
    if (c.operate.shutdown_deadline_s <= c.central.drain_deadline_s)
      return {
        path: 'operate.shutdown_deadline_s',
        message: `camera ${c.camera.id}: must be longer than central.drain_deadline_s (${c.central.drain_deadline_s} s), which runs inside it`,
      };
    return null;
  },
  function tlsCaNeedsTls(c) {
    if (c.central.tls.ca_file && !c.central.tls.enabled)
      return { path: 'central.tls.ca_file', message: `camera ${c.camera.id}: set central.tls.enabled to true to use a CA file` };
    return null;
  },
];

/** Validates an already-parsed value; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, file = '<config>'): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, zodProblems(result.error));
  const problems = crossChecks.map((check) => check(result.data)).filter((p): p is ConfigProblem => p !== null);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(abs, [{ path: '', message: `cannot read file: ${(err as Error).message}` }], 'RSA_CONFIG_READ');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(abs, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }], 'RSA_CONFIG_READ');
  }
  return resolveConfig(validateConfig(raw, abs), abs, env);
}

/** Makes every relative path absolute and decides the defaults that depend on the environment. */
export function resolveConfig(config: Config, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const base = dirname(file);
  if (sourceKind(config.camera.source.url) === 'file' && !isAbsolute(config.camera.source.url)) {
    config.camera.source.url = resolve(base, config.camera.source.url);
  }
  const modelsDir = resolve(base, config.models.dir ?? env.ROADSIDE_MODELS_DIR ?? '/var/lib/roadside-agent/models');
  // systemd's StateDirectory= / LogsDirectory= may list several paths separated by ':'.
  const stateDir = resolve(base, config.queue.state_dir ?? env.STATE_DIRECTORY?.split(':')[0] ?? '/var/lib/roadside-agent');
  let logFile: string | null = null;
  if (config.operate.log_file === undefined) {
    const logsDir = env.LOGS_DIRECTORY?.split(':')[0];
    logFile = logsDir ? join(logsDir, `${config.camera.id}.log`) : null;
  } else if (config.operate.log_file !== null) {
    logFile = resolve(base, config.operate.log_file);
  }
  if (config.central.password_file) config.central.password_file = resolve(base, config.central.password_file);
  if (config.central.tls.ca_file) config.central.tls.ca_file = resolve(base, config.central.tls.ca_file);
  return { config, file, modelsDir, stateDir, queueFile: join(stateDir, `${config.camera.id}.sqlite`), logFile };
}
