// The installer page in a real browser: headless Chromium (Debian's) opens /ui/ on the real CLI
// replaying the demo clip into a real MariaDB database. The page shows a frame with boxes; a
// zone drawn with mouse clicks becomes a fragment the schema accepts and that check-config
// passes, and the page writes it into the config file (agent run with --allow-config-write,
// backup kept); a violation appears in the list with its evidence thumbnails, delivered. Where
// the detector looked (regions, motion boxes) is drawn, with a scan line from the health report.
// Screenshots go to $ROADSIDE_SCREENSHOT_DIR (docs/ for the README) or the test's temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, hasChromium, launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { exampleConfig, type RawConfig } from '../helpers/config.js';
import { hasMedia, hasModels, mediaDir, modelsDir, repoRoot } from '../helpers/env.js';
import { canConnect, createTestDatabase, freePort, skipNotice, type TestDatabase } from '../helpers/mariadb.js';

const missing = [
  hasChromium ? null : `${chromiumPath} (apt-get install chromium, or set ROADSIDE_CHROMIUM)`,
  hasModels ? null : `the models in ${modelsDir}`,
  hasMedia ? null : `the demo clip in ${mediaDir}`,
  (await canConnect()) ? null : 'MariaDB on 127.0.0.1:3306',
].filter((m): m is string => m !== null);
const env = { ...process.env, ROADSIDE_MODELS_DIR: modelsDir };

/**
 * A config that makes a violation out of the demo clip whatever helmet model is shipped: the
 * no-helmet threshold is put so low that any rider counts as bare-headed, in two frames. The page
 * is what is tested here, not the helmet model (test/integration/replay-nhutanh.test.ts is).
 */
function demoConfig(dir: string, port: number, database: string): RawConfig {
  const raw = exampleConfig();
  delete raw.$schema;
  raw.camera.id = 'ui-cam';
  raw.camera.source = { url: join(mediaDir, 'in/nhutanh_test1.mp4'), loop: true, realtime: true };
  raw.models.helmet.threshold = 0.05;
  if ('helmet_threshold' in raw.models.helmet) raw.models.helmet.helmet_threshold = 0.05;
  raw.rules.min_no_helmet_frames = 2;
  raw.queue.state_dir = join(dir, 'state');
  raw.central = { ...raw.central, database, flush_interval_ms: 200 };
  raw.operate = { ...raw.operate, log_file: join(dir, 'ui-cam.log'), log_stdout: false, health: { host: '127.0.0.1', port } };
  return raw;
}

/** Where a point given in detect-frame pixels is on the page. */
async function onPage(page: Page, x: number, y: number): Promise<[number, number]> {
  const box = (await page.locator('#view').boundingBox())!;
  return [box.x + (x * box.width) / 1280, box.y + (y * box.height) / 720];
}

describe.skipIf(skipNotice('installer page in headless Chromium', missing.length === 0, `missing ${missing.join(', ')}`))(
  'the installer page in a real browser',
  () => {
    let dir: string;
    let db: TestDatabase;
    let agent: ChildProcess;
    let browser: TestBrowser;
    let page: Page;
    let configFile: string;
    let url: string;
    let shots: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rsa-ui-e2e-'));
      shots = resolve(repoRoot, process.env.ROADSIDE_SCREENSHOT_DIR ?? dir);
      mkdirSync(shots, { recursive: true });
      db = await createTestDatabase();
      const port = await freePort();
      configFile = join(dir, 'ui-cam.json');
      writeFileSync(configFile, JSON.stringify(demoConfig(dir, port, db.name), null, 2));
      const migrate = await runCli(['db', 'migrate', '--config', configFile], { env });
      expect(migrate.code, migrate.stderr).toBe(0);
      agent = spawn(process.execPath, [cliPath, 'run', '--config', configFile, '--allow-config-write'], { env, stdio: 'ignore' });
      url = `http://127.0.0.1:${port}/ui/`;
      browser = await launchBrowser();
      page = await browser.context.newPage();
      for (let i = 0; i < 120; i++) {
        const up = await fetch(url).then((r) => r.ok).catch(() => false);
        if (up) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await page.goto(url);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      if (agent && agent.exitCode === null) {
        const exited = new Promise((r) => agent.once('exit', r));
        agent.kill('SIGTERM');
        const guard = setTimeout(() => agent.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(guard);
      }
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('shows the live frame with detection and track boxes', async () => {
      // A frame with a rider judged (head box) and its motorcycle's track.
      const view = page.locator('#view');
      await expect
        .poll(async () => Number(await view.getAttribute('data-boxes')) >= 3 && Number(await view.getAttribute('data-riders')) >= 1, { timeout: 60_000, interval: 300 })
        .toBe(true);
      expect(await page.textContent('#camera-state')).toMatch(/^online/);
      expect(await page.textContent('#provider')).toBe('cpu');
      await page.waitForSelector('#tracks tbody tr', { timeout: 30_000 });
      await page.screenshot({ path: join(shots, 'installer-live.png') });
    }, 90_000);

    it("draws where the detector looked (regions, motion boxes) as the live JSON says, with the health report's detect numbers", async () => {
      // The frame the page shows, drawn from its overlay: as many region squares and motion boxes as its scan holds.
      const view = page.locator('#view');
      type Scan = { mode: string; regions: unknown[]; motion: unknown[]; motionFraction: number | null };
      const shown: { scan: Scan | null } = { scan: null };
      await expect
        .poll(
          async () => {
            const { overlay } = (await (await fetch(`${url}api/live`)).json()) as { overlay: { seq: number; scan: Scan | null } | null };
            if (!overlay || String(overlay.seq) !== (await view.getAttribute('data-seq'))) return 'page not on the latest frame yet';
            const scan = (shown.scan = overlay.scan);
            const drawn = { mode: await view.getAttribute('data-scan'), regions: Number(await view.getAttribute('data-regions')), motion: Number(await view.getAttribute('data-motion')) };
            const want = { mode: scan?.mode ?? '', regions: scan && scan.mode !== 'none' ? scan.regions.length : 0, motion: scan?.motion.length ?? 0 };
            return JSON.stringify(drawn) === JSON.stringify(want) && want.motion > 0 ? 'drawn' : `page ${JSON.stringify(drawn)}, live JSON ${JSON.stringify(want)}`;
          },
          { timeout: 30_000, interval: 300 },
        )
        .toBe('drawn');
      // regions on by default for a live source: motion is measured, the detector ran on regions or the whole frame.
      expect(shown.scan?.mode).toMatch(/^(regions|whole)$/);
      expect(shown.scan?.motionFraction).toBeTypeOf('number');
      await expect
        .poll(() => page.textContent('#scan-info'), { timeout: 10_000, interval: 300 })
        .toMatch(/^scan: [a-z +()]+, \d+ regions?, motion \d+\.\d % · recent: motion \d+\.\d %, [\d.]+ regions\/frame, [\d.]+ ms inference\/frame · \d+ of [1-9]\d* frames without inference$/);
      expect(await page.locator('.legend .k.region').textContent()).toMatch(/region/);
      expect(await page.locator('.legend .k.motion').textContent()).toBe('motion');
    }, 60_000);

    it('turns a zone drawn with mouse clicks into a fragment the schema and check-config accept, and writes it', async () => {
      const corners: Array<[number, number]> = [[100, 700], [300, 200], [1200, 200], [1270, 700]];
      await page.click('#clear');
      await page.click('#draw');
      for (const [x, y] of corners) await page.mouse.click(...(await onPage(page, x, y)));
      await page.click('#draw');
      // Edited: the second corner dragged to a new place.
      await page.mouse.move(...(await onPage(page, 300, 200)));
      await page.mouse.down();
      await page.mouse.move(...(await onPage(page, 340, 230)), { steps: 4 });
      await page.mouse.up();
      corners[1] = [340, 230];
      await page.fill('#min-moto', '60');
      await page.click('#check');
      await page.waitForSelector('#zone-verdict[data-ok="true"]', { timeout: 10_000 });
      const fragment = JSON.parse((await page.textContent('#fragment'))!) as { rules: { zone: Array<[number, number]>; min_motorcycle_px: number } };
      expect(fragment.rules.min_motorcycle_px).toBe(60);
      expect(fragment.rules.zone).toHaveLength(4);
      fragment.rules.zone.forEach(([x, y], i) => {
        expect(x).toBeCloseTo(corners[i]![0] / 1280, 2);
        expect(y).toBeCloseTo(corners[i]![1] / 720, 2);
      });
      await page.screenshot({ path: join(shots, 'installer-zone.png'), fullPage: true });

      // Pasted by hand into a copy of the camera's file, check-config (with its probes) passes.
      const pasted = join(dir, 'pasted.json');
      const raw = JSON.parse(readFileSync(configFile, 'utf8')) as RawConfig;
      writeFileSync(pasted, JSON.stringify({ ...raw, rules: { ...raw.rules, ...fragment.rules } }));
      const check = await runCli(['check-config', pasted], { env });
      expect(check.code, check.stdout + check.stderr).toBe(0);

      // Written by the page: the file holds the fragment, the old file is kept as a backup.
      const before = readFileSync(configFile, 'utf8');
      await page.click('#write');
      await expect.poll(() => page.textContent('#zone-verdict'), { timeout: 10_000 }).toMatch(/^Written/);
      const written = JSON.parse(readFileSync(configFile, 'utf8')) as RawConfig;
      expect(written.rules.zone).toEqual(fragment.rules.zone);
      expect(written.rules.min_motorcycle_px).toBe(60);
      const backups = readdirSync(dir).filter((f) => f.startsWith('ui-cam.json.') && f.endsWith('.bak'));
      expect(backups).toHaveLength(1);
      expect(readFileSync(join(dir, backups[0]!), 'utf8')).toBe(before);
      const recheck = await runCli(['check-config', '--no-probes', configFile], { env });
      expect(recheck.code, recheck.stderr).toBe(0);
    }, 90_000);

    it('lists the violation with its evidence thumbnails and its delivery to MariaDB', async () => {
      await page.waitForSelector('#violation-list li[data-state="delivered"]', { timeout: 90_000 });
      const item = page.locator('#violation-list li[data-state="delivered"]').first();
      type Img = { complete: boolean; naturalWidth: number; dataset: Record<string, string | undefined> };
      await expect
        .poll(() => item.locator('img').evaluateAll((imgs) => (imgs as unknown as Img[]).every((i) => i.complete && i.naturalWidth > 0)), { timeout: 10_000 })
        .toBe(true);
      const kinds = await item.locator('img').evaluateAll((imgs) => (imgs as unknown as Img[]).map((i) => i.dataset.kind));
      expect(kinds).toEqual(expect.arrayContaining(['frame', 'rider']));
      expect(await item.locator('.state').textContent()).toBe('delivered');
      const id = await item.getAttribute('data-id');
      const rows = await db.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM violations WHERE event_id = ?', [id]);
      expect(rows[0]!.n).toBe(1);
      // The README's picture: the violation next to a live frame with boxes, the zone, where the
      // detector looked and the motion. On the demo clip that is mostly the whole frame: its busy
      // traffic needs squares as tall as the frame; its few region frames (first pass) had no motorcycle.
      const view = page.locator('#view');
      const scanned = async () => Number(await view.getAttribute('data-regions')) >= 1 && Number(await view.getAttribute('data-motion')) >= 1;
      await expect.poll(async () => Number(await view.getAttribute('data-boxes')) >= 3 && (await scanned()), { timeout: 30_000, interval: 200 }).toBe(true);
      await page.evaluate('window.scrollTo(0, 0)'); // the zone steps scrolled the page
      await page.screenshot({ path: join(shots, 'installer-page.png') });
    }, 120_000);
  },
);
