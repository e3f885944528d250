#!/usr/bin/env node
// Runs an unpacked bundle's commands the way a lab workstation would: info, demo, ingest, train
// --epochs 1, serve (one page load), each through bin/latentwatch. Node builtins only: test-bundle.mjs
// runs this file with the bundle's own Node inside a network namespace with a clean environment.
//   node bundle-check.mjs <unpacked bundle folder>
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve, sep } from 'node:path';

const install = resolve(process.argv[2] ?? '.');
const cli = join(install, 'bin', 'latentwatch');
const t0 = Date.now();
const say = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

function die(msg) {
  console.error(`bundle-check: FAILED: ${msg}`);
  process.exit(1);
}

function run(args, { json = false } = {}) {
  const r = spawnSync(cli, args, { encoding: 'utf8', env: process.env, timeout: 300_000 });
  if (r.status !== 0) die(`latentwatch ${args.join(' ')} exited ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout}\n${r.stderr}`);
  if (!json) return r.stdout;
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) die(`latentwatch ${args.join(' ')} printed no JSON:\n${r.stdout}`);
  return JSON.parse(line);
}

// 0. No network here: only loopback, and an outside address is unreachable.
const ifaces = Object.keys(networkInterfaces());
if (ifaces.some((i) => i !== 'lo')) die(`network interfaces present: ${ifaces.join(', ')} (expected only lo)`);
const netErr = await new Promise((done) => {
  const s = connect({ host: '192.0.2.1', port: 80, timeout: 3000 });
  s.on('connect', () => (s.destroy(), done('connected')));
  s.on('timeout', () => (s.destroy(), done('timeout')));
  s.on('error', (e) => done(e.code));
});
if (netErr === 'connected') die('reached 192.0.2.1:80: this is not an offline namespace');
say(`offline: interfaces [${ifaces.join(', ')}], outside connect -> ${netErr}`);

// 1. info: the bundled ffmpeg and ffprobe, not a system one.
const info = run(['info', '--json'], { json: true });
if (!info.ffmpeg) die(`no ffmpeg: ${info.ffmpegError}`);
if (!info.ffmpeg.path.startsWith(install + sep) || !info.ffmpeg.ffprobe.startsWith(install + sep)) die(`ffmpeg/ffprobe not from the bundle: ${info.ffmpeg.path}, ${info.ffmpeg.ffprobe}`);
say(`info: LatentWatch ${info.version} on Node ${info.node}; library ${info.db}; ffmpeg ${info.ffmpeg.path.slice(install.length + 1)}`);

// 2. demo clip (default place: the data folder), 3. ingest it.
const demoOut = run(['demo', '--seconds', '20']);
const demo = /^Wrote (.+) \(/m.exec(demoOut)?.[1];
if (!demo) die(`demo printed no path: ${demoOut}`);
if (demo.startsWith(install + sep)) die(`demo wrote into the install folder: ${demo}`);
say(`demo: ${demo}`);
const video = run(['ingest', demo, '--size', '32', '--json'], { json: true });
say(`ingest: video ${video.id}, ${video.frameCount} frames at ${video.frameSize}px (${video.framesPerSec.toFixed(0)} frames/s)`);

// 4. train one epoch.
const trained = run(['train', '--video', String(video.id), '--epochs', '1', '--json'], { json: true });
say(`train --epochs 1: ${JSON.stringify(trained).slice(0, 200)}`);

// 5. serve: read the URL, load the page once, stop.
await new Promise((done) => {
  const child = spawn(cli, ['serve', '--port', '0'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const timer = setTimeout(() => (child.kill('SIGKILL'), die(`serve printed no URL in 60 s:\n${out}\n${err}`)), 60_000);
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', async (d) => {
    out += d;
    const url = /^Open: (\S+)/m.exec(out)?.[1];
    if (!url || timer._done) return;
    timer._done = true;
    clearTimeout(timer);
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.status !== 200 || !/<html/i.test(body)) die(`GET ${url.replace(/token=[^&]+/, 'token=…')} -> ${res.status}`);
      say(`serve: GET ${url.replace(/token=[^&]+/, 'token=…')} -> ${res.status}, ${body.length} bytes of HTML`);
    } catch (e) {
      die(`fetching ${url}: ${e.message}`);
    }
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
  child.once('exit', (code) => {
    if (!timer._done) die(`serve exited ${code} before printing a URL:\n${out}\n${err}`);
  });
});
say('all commands ran offline');
