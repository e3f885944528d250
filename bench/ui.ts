/**
 * bench:ui — redraw times of the review UI's two big canvases under zoom and pan, in Debian's Chromium
 * (through Playwright, launched as the e2e "web" project launches it), against the 16 ms frame budget:
 * the real ChangeTimeline with 1,000,000 frames and 10,000 events, the real LatentScatter with 100,000
 * points, and the real EventQueue holding those 10,000 events (J steps and fast scrolls).
 *
 *   npm run bench:ui    # env: CHROMIUM_PATH (else /usr/bin/chromium), BENCH_UI_RUNS (1),
 *                       #      BENCH_UI_SCREENSHOT (a .png path: the page after the sequences)
 *
 * The page (bench/ui/) is built here with the project's Vite and Svelte plugin into a temporary folder
 * and served from 127.0.0.1; nothing is fetched from outside. Each sequence is 60 steps (wheel notches,
 * or 12 px pointer moves of a drag) after 5 warm-up steps; see bench/ui/main.ts for what one step's
 * redraw time includes. It also prints the interval between animation frames during each sequence.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chromium } from '@playwright/test';
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { build } from 'vite';
import { chromiumPath } from '../playwright.config.js';
import { tempDir } from '../test/helpers.js';
import type { Measured, UiBench } from './ui/protocol.js';

const root = resolve(import.meta.dirname, '..');
const RUNS = Math.max(1, Number(process.env.BENCH_UI_RUNS ?? 1));
const BUDGET_MS = 16;

const tmp = tempDir('lw-bench-ui-');
process.stdout.write('building the bench page... ');
await build({
  root: join(root, 'bench/ui'),
  base: './',
  logLevel: 'warn',
  configFile: false,
  plugins: [svelte({ configFile: join(root, 'svelte.config.js') })],
  build: { outDir: tmp.dir, emptyOutDir: true, reportCompressedSize: false },
});

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
  const file = normalize(join(tmp.dir, rel));
  if (!file.startsWith(tmp.dir + sep) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;

if (!chromiumPath) console.log('\nno Chromium at CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser: trying Playwright\'s own');
const browser = await chromium.launch({
  ...(chromiumPath ? { executablePath: chromiumPath } : {}),
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const rows: Array<{ name: string; redraw: number[]; frames: number[] }> = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  process.stdout.write('loading 1,000,000 frames and 100,000 points... ');
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  console.log(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const info = await page.evaluate(() => (globalThis as unknown as { uiBench: UiBench }).uiBench.info());
  const sequences = [
    ['timeline zoom', 'timelineZoom'],
    ['timeline pan', 'timelinePan'],
    ['scatter zoom', 'scatterZoom'],
    ['scatter pan', 'scatterPan'],
    ['queue J step', 'queueStep'],
    ['queue scroll', 'queueScroll'],
  ] as const;
  for (let run = 0; run < RUNS; run++) {
    for (const [name, fn] of sequences) {
      const m: Measured = await page.evaluate((f) => (globalThis as unknown as { uiBench: UiBench }).uiBench[f](), fn);
      // The first steps of a sequence warm up (JIT, buffers): left out.
      const row = rows.find((r) => r.name === name) ?? rows[rows.push({ name, redraw: [], frames: [] }) - 1]!;
      row.redraw.push(...m.redraw.slice(5));
      row.frames.push(...m.frames.slice(5));
    }
  }
  if (errors.length) throw new Error(`the bench page failed: ${errors.join('; ')}`);
  if (process.env.BENCH_UI_SCREENSHOT) await page.screenshot({ path: process.env.BENCH_UI_SCREENSHOT, fullPage: true });

  const quantile = (values: number[], q: number) => {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] ?? NaN;
  };
  const ms = (v: number) => v.toFixed(1).padStart(8);
  console.log(`\n${info.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? 'Chromium'}, GPU off, devicePixelRatio ${info.devicePixelRatio}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()})`);
  console.log(`timeline: ${info.frames.toLocaleString('en')} frames and ${info.events.toLocaleString('en')} events, 1200 x 120 px; scatter: ${info.points.toLocaleString('en')} points, 900 x 600 px; event queue: the same ${info.events.toLocaleString('en')} events, 380 x 600 px; ${RUNS} run(s)\n`);
  console.log('sequence         steps   redraw median   redraw p95   frame interval median   p95   within 16 ms');
  for (const r of rows) {
    const p95 = quantile(r.redraw, 0.95);
    console.log(
      `${r.name.padEnd(15)} ${String(r.redraw.length).padStart(6)}   ${ms(quantile(r.redraw, 0.5))} ms   ${ms(p95)} ms   ${ms(quantile(r.frames, 0.5))} ms        ${ms(quantile(r.frames, 0.95)).trim()} ms   ${p95 <= BUDGET_MS ? 'yes (p95)' : 'NO'}`,
    );
  }
  console.log('\nredraw: event handling + drawing + rasterising the canvas (one pixel read back), per step.');
  console.log('frame interval: time between animation frames while the sequence ran (16.7 ms at 60 Hz when nothing is late).');
} finally {
  await browser.close();
  server.close();
  tmp.cleanup();
}
