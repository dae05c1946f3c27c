import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { describeError } from '../shared/errors.js';
import { redactText } from '../shared/redact.js';
import { centralHosts, hostLabel, type CentralHost } from './central.js';
import { CENTRAL_SCHEMA_VERSION, checkCentral, describeSchemaCheck } from '../flush/central-schema.js';
import { readPassword } from './credentials.js';
import type { CameraConfig, CentralConfig } from './schema.js';
import { sourceKind, type LoadedConfig } from './load.js';
import { modelFiles } from './model-files.js';

export interface ProbeResult {
  /** Config field the probe checks, e.g. `camera.source.url`. */
  field: string;
  ok: boolean;
  detail: string;
}

/** Each model file exists and loads in ONNX Runtime (CPU; provider choice is checked at run). */
export async function probeModels(loaded: LoadedConfig): Promise<ProbeResult[]> {
  const ort = await import('onnxruntime-node');
  const results: ProbeResult[] = [];
  for (const { field, file } of modelFiles(loaded)) {
    try {
      await access(file, constants.R_OK);
    } catch {
      results.push({ field, ok: false, detail: `model file not found or not readable: ${file}` });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
      results.push({ field, ok: true, detail: `${file} loads (inputs ${session.inputNames.join(',')}; outputs ${session.outputNames.join(',')})` });
      await session.release();
    } catch (err) {
      results.push({ field, ok: false, detail: `${file} does not load in ONNX Runtime: ${describeError(err)}` });
    }
  }
  return results;
}

export interface FfprobeOptions {
  ffprobe?: string;
  timeoutMs?: number;
}

/**
 * What to tell the installer about camera.plate_pixels, given the size the camera really sends:
 * plates read at that size when it is larger than detect; never a picture larger than the camera's.
 */
export function platePixelsAdvice(camera: Pick<CameraConfig, 'detect' | 'plate_pixels'>, width: number, height: number): string | null {
  if (!(width > 0 && height > 0)) return null;
  const { detect, plate_pixels: full } = camera;
  const larger = width > detect.width || height > detect.height;
  const size = `{ "width": ${width - (width % 2)}, "height": ${height - (height % 2)} }`;
  if (!full) return larger ? `the stream is larger than the detect size ${detect.width}x${detect.height}: set camera.plate_pixels to ${size} to read plates at the camera's resolution` : null;
  if (full.width > width || full.height > height) return `camera.plate_pixels ${full.width}x${full.height} is larger than the stream: set it to ${size}, or null (upscaled pixels read no better)`;
  if (full.width !== width - (width % 2) || full.height !== height - (height % 2)) return `camera.plate_pixels ${full.width}x${full.height} is smaller than the stream (${width}x${height}): plates are read on pixels scaled down to it`;
  return null;
}

/** The camera answers ffprobe with a video stream within the timeout. */
export async function probeCamera(loaded: LoadedConfig, options: FfprobeOptions = {}): Promise<ProbeResult> {
  const field = 'camera.source.url';
  const src = loaded.config.camera.source;
  const timeoutMs = options.timeoutMs ?? src.timeout_s * 1000 + 2000;
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0'];
  const kind = sourceKind(src.url);
  if (kind === 'rtsp') args.push('-rtsp_transport', src.rtsp_transport);
  if (kind !== 'file') args.push('-timeout', String(Math.round(src.timeout_s * 1e6)));
  args.push(src.url);
  const shown = redactText(src.url);
  return new Promise((resolve) => {
    const child = spawn(options.ffprobe ?? 'ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ field, ok: false, detail: `${shown}: no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ field, ok: false, detail: `cannot run ffprobe: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n')[0] ?? '';
      if (code === 0 && line) {
        const [, width, height] = line.split(',').map(Number);
        const advice = platePixelsAdvice(loaded.config.camera, width ?? 0, height ?? 0);
        resolve({ field, ok: true, detail: `${shown} answers: ${line.replace(/,/g, ' ')}${advice ? `; ${advice}` : ''}` });
      } else {
        const why = redactText(err.trim().split('\n').slice(-2).join(' | ')) || `ffprobe exited ${code} with no video stream`;
        // Answers, but not with a video (as `run` exits 78 for it): a config error, not an outage.
        const notVideo = (code === 0 && !line) || /Invalid data found when processing input|moov atom not found/.test(err);
        resolve({ field: notVideo ? `${field} (not a video)` : field, ok: false, detail: `${shown}: ${why}` });
      }
    });
  });
}

/** MySQL accepts a connection with the configured credentials (on every host of central.hosts). */
export async function probeCentral(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult> {
  const c = loaded.config.central;
  let password: string | undefined;
  try {
    password = readPassword(c, env).password;
  } catch (err) {
    return { field: 'central.password_file', ok: false, detail: describeError(err) };
  }
  const results = await Promise.all(centralHosts(c).map((at) => probeCentralHost(c, at, password)));
  const failed = results.find((r) => !r.ok);
  if (failed) return { ...failed, detail: results.map((r) => r.detail).join('; ') };
  return { field: 'central', ok: true, detail: results.map((r) => r.detail).join('; ') };
}

async function probeCentralHost(c: CentralConfig, at: CentralHost, password: string | undefined): Promise<ProbeResult> {
  const where = `${c.user}@${hostLabel(at)}/${c.database}`;
  const mysql = await import('mysql2/promise');
  let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
  try {
    conn = await mysql.createConnection({
      host: at.host,
      port: at.port,
      user: c.user,
      password,
      database: c.database,
      connectTimeout: c.connect_timeout_ms,
      ...(c.tls.enabled
        ? { ssl: { rejectUnauthorized: c.tls.reject_unauthorized, ...(c.tls.ca_file ? { ca: readFileSync(c.tls.ca_file) } : {}) } }
        : {}),
    });
    const [rows] = await conn.query({ sql: 'SELECT VERSION() AS v', timeout: c.query_timeout_ms });
    const version = (rows as Array<{ v: string }>)[0]?.v ?? '?';
    const session = { query: async <T>(sql: string, values?: unknown) => (await conn!.query({ sql, values: values as never, timeout: c.query_timeout_ms }))[0] as T };
    const schema = describeSchemaCheck(await checkCentral(session));
    if (schema) return { field: 'central.schema', ok: false, detail: `${where} (server ${version}): ${schema}` };
    return { field: 'central', ok: true, detail: `${where} accepts the connection (server ${version}); schema version ${CENTRAL_SCHEMA_VERSION} with every table and column` };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const field =
      code === 'ER_ACCESS_DENIED_ERROR' ? 'central.user / password' : code === 'ER_BAD_DB_ERROR' ? 'central.database' : c.hosts ? 'central.hosts' : 'central.host';
    return { field, ok: false, detail: `${where}: ${describeError(err)}` };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}
