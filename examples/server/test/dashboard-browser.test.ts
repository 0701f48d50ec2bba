import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from './demo-helpers.js';

// The dashboard in Debian's Chromium, driven by playwright-core, against the demo: the charts must
// draw real data (checked on the screenshot's pixels), hostile names must stay text, and a dead
// letter must replay from its button. Chromium comes from `scripts/install-chromium.sh`; in CI a
// missing Chromium fails this suite, elsewhere it is skipped with the reason printed.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM && !IN_CI) console.warn(`[dashboard-browser] skipped: no Chromium at ${CHROMIUM} (install it with scripts/install-chromium.sh, or set CHROMIUM_PATH)`);

/** Where the screenshots go, to look at them. */
const SHOTS = process.env.DASHBOARD_SCREENSHOTS ?? join(tmpdir(), 'tributary-dashboard-screenshots');

/** Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) into RGBA pixels. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      colorType = data[9]!;
      if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) throw new Error(`unsupported PNG: bit depth ${bitDepth}, color type ${colorType}, interlace ${data[12]}`);
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (line[i]! + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set([cur[x * bpp]!, cur[x * bpp + 1]!, cur[x * bpp + 2]!, bpp === 4 ? cur[x * bpp + 3]! : 255], (y * width + x) * 4);
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/**
 * Pixels that carry colour: saturated ones (bars, lines, points). Axes, grid lines, text and the
 * background are white or grey and do not count, so an empty chart scores zero.
 */
function colouredPixels(png: Buffer): { coloured: number; total: number } {
  const { width, height, rgba } = decodePng(png);
  let coloured = 0;
  for (let i = 0; i < width * height; i++) {
    const r = rgba[i * 4]!;
    const g = rgba[i * 4 + 1]!;
    const b = rgba[i * 4 + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  return { coloured, total: width * height };
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('dashboard in headless Chromium', () => {
  let t: DemoServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const HOSTILE_SOURCE = '<img src=x onerror="window.__xss=1">Partner feed';
  const HOSTILE_TEXT = 'The export button is broken <img src=x onerror="window.__xss=2"> and "</script><script>window.__xss=3</script>" breaks the page';

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error(`Chromium is required in CI and was not found at ${CHROMIUM}: run scripts/install-chromium.sh before the tests`);
    t = await startDemoServer({ demo: { simulator: { postEveryMs: false }, widgetEveryMs: false, billingEveryMs: false, pullEvery: '1h' } });
    const ws = t.demo.workspaceId;
    // Attacker-controlled names and texts, through the public API.
    const created = await fetch(`${t.baseUrl}/v1/workspaces/${ws}/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.demo.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: HOSTILE_SOURCE, connector: 'webhook', config: {}, webhook: { scheme: 'none' } }),
    });
    expect(created.status).toBe(201);
    const sent = await fetch(`${t.baseUrl}/v1/workspaces/${ws}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.demo.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ externalId: 'xss-1', itemType: 'api.feedback', occurredAt: new Date().toISOString(), content: { title: '<svg onload="window.__xss=4">', text: HOSTILE_TEXT } }] }),
    });
    expect(sent.status).toBe(202);
    await t.until('the forum history pulled and analyzed', async () => {
      const runs = (await t.get(`/v1/workspaces/${ws}/sources/${t.demo.forumSourceId}/runs`)).body.items as { status: string }[];
      if (!runs.some((r) => r.status === 'succeeded')) return false;
      const items = (await t.get(`/v1/workspaces/${ws}/records?limit=1000&source=${t.demo.forumSourceId}`)).body.items as unknown[];
      return items.length === t.handle.simulator.forum.posts.length;
    });
    await t.until('a refused delivery dead-lettered', async () => ((await t.get(`/v1/workspaces/${ws}/dead-letters`)).body.items as unknown[]).length > 0);

    // A fresh profile per launch (playwright's own temporary user-data-dir), nothing from the network.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The page's CSP would block injected scripts anyway; bypassed here so the test proves the escaping itself.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1, bypassCSP: true });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, 30_000);

  it('opens with a pasted key and draws the charts with data', { timeout: 60_000 }, async () => {
    await page.goto(`${t.baseUrl}/`);
    await expect.poll(() => page.locator('#connect-form').isVisible()).toBe(true);
    await page.fill('#token', t.demo.apiKey);
    await page.click('#connect');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.locator('#connect-form').isVisible()).toBe(false);
    // The key is kept for this tab only.
    expect(await page.evaluate(() => sessionStorage.getItem('tributary.dashboard.token'))).toBe(t.demo.apiKey);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    const bars = await page.locator('#volume svg.chart rect.bar').count();
    const points = await page.locator('#sentiment svg.chart circle.pt').count();
    expect(bars).toBeGreaterThan(10);
    expect(points).toBeGreaterThan(5);
    expect(await page.locator('#volume svg .y-axis .tick').count()).toBeGreaterThan(2);
    expect(await page.locator('#volume svg .x-axis text').count()).toBeGreaterThan(3);
    expect(await page.locator('#topics tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#sources tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#alerts li.alert').count()).toBeGreaterThan(0);
    expect(await page.locator('#summary .card').count()).toBe(5);
    expect(await page.locator('#stages tbody tr').count()).toBe(5);

    const full = await page.screenshot({ fullPage: true });
    writeFileSync(join(SHOTS, 'dashboard.png'), full);
    for (const [id, min] of [
      ['volume', 2000],
      ['sentiment', 300],
    ] as const) {
      const shot = await page.locator(`#${id} svg.chart`).screenshot();
      writeFileSync(join(SHOTS, `${id}.png`), shot);
      const { coloured, total } = colouredPixels(shot);
      expect(total).toBeGreaterThan(50_000);
      expect(coloured, `${id} chart: coloured pixels`).toBeGreaterThan(min);
    }
    // The check tells an empty chart apart: the same chart with nothing to draw has no colour.
    // A string, evaluated as is in the page (a function would be rewritten by the test's transform).
    await page.evaluate(`import('/dashboard/render.js').then((R) => {
      document.getElementById('volume').innerHTML = R.volumeChart({ from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z', bucket: 'day', sentiment: [] });
    })`);
    const blank = await page.locator('#volume svg.chart').screenshot();
    writeFileSync(join(SHOTS, 'volume-empty.png'), blank);
    expect(colouredPixels(blank).coloured).toBe(0);
    console.info(`[dashboard-browser] screenshots in ${SHOTS}`);
  });

  it('shows hostile names and texts as text, running none of them', { timeout: 30_000 }, async () => {
    await page.click('#refresh');
    await page.waitForSelector('body[data-state="ready"]');
    const sourceNames = await page.locator('#sources .source-name').allTextContents();
    expect(sourceNames).toContain(HOSTILE_SOURCE);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(problems.filter((p) => p.startsWith('dialog') || p.includes('__xss'))).toEqual([]);
  });

  it('takes the key from the URL fragment the demo prints, and drops it from the address', { timeout: 30_000 }, async () => {
    const tab = await browser.newPage();
    try {
      await tab.goto(t.demo.dashboardUrl);
      await tab.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
      expect(new URL(tab.url()).hash).toBe('');
      expect(await tab.locator('#volume svg.chart rect.bar').count()).toBeGreaterThan(0);
      await tab.click('#forget');
      expect(await tab.evaluate(() => sessionStorage.length)).toBe(0);
      expect(await tab.locator('#connect-form').isVisible()).toBe(true);
    } finally {
      await tab.close();
    }
  });

  it('replays a dead letter from its button', { timeout: 30_000 }, async () => {
    await page.click('#refresh');
    await page.waitForSelector('#dead-letters button[data-action="replay"]');
    const rows = page.locator('#dead-letters tbody tr');
    const id = await rows.first().getAttribute('data-letter');
    const accepted = t.handle.simulator.crm.stats.accepted;
    await rows.first().locator('button[data-action="replay"]').click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/Updated|Replayed/);
    await expect.poll(async () => t.handle.simulator.crm.stats.accepted, { timeout: 15_000 }).toBeGreaterThan(accepted);
    await page.click('#refresh');
    await expect.poll(async () => page.locator(`#dead-letters tr[data-letter="${id}"]`).count(), { timeout: 15_000 }).toBe(0);
    // No count comparison with `before`: the demo keeps running, and its CRM keeps refusing some
    // messages, so new letters may arrive meanwhile. The replayed one is gone, and nothing failed.
    expect(problems).toEqual([]);
  });
});
