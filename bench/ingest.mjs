#!/usr/bin/env node
// bench:ingest — is `latentwatch ingest` as fast as ffmpeg itself?
// Generates a 1080p H.264 clip (default 2 minutes, --seconds N), then measures in one run, alternating,
// N rounds each:
//   bare:   ffmpeg decoding the clip to 64x64 rgb24 on a pipe (the same decoder, filters and size)
//   ingest: the whole `latentwatch ingest` command (start-up, probe, decode, hash, SQLite writes)
// and prints both rates in frames/s and their ratio (median of the rounds). Bar: ratio >= 0.9.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'latentwatch.mjs');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const seconds = arg('seconds', 120);
const rounds = arg('rounds', 3);
const size = arg('size', 64);

// The ffmpeg the app itself resolves (FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer, PATH): both sides use it.
const info = spawnSync(process.execPath, [cli, 'info', '--json'], { encoding: 'utf8' });
if (info.status !== 0) throw new Error(`latentwatch info failed (run npm run build first): ${info.stderr}${info.stdout}`);
const ffmpeg = JSON.parse(info.stdout).ffmpeg.path;
const dir = mkdtempSync(join(tmpdir(), 'lw-bench-ingest-'));
const clip = join(dir, 'clip-1080p.mp4');
console.log(`bench:ingest  ffmpeg: ${ffmpeg}`);
console.log(`generating ${seconds}s of 1920x1080 30 fps H.264 ...`);
const gen = spawnSync(ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30`, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', clip]);
if (gen.status !== 0) throw new Error(`could not generate the clip: ${gen.stderr}`);
const frames = seconds * 30;

function bare() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = ['-hide_banner', '-nostdin', '-v', 'error', '-threads', '0', '-i', clip, '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', `scale=${size}:${size}:flags=area,format=rgb24`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
    const p = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (d) => (bytes += d.length));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited ${code}`));
      resolve({ frames: bytes / (size * size * 3), seconds: (performance.now() - t0) / 1000 });
    });
  });
}

function ingest(i) {
  const db = join(dir, `bench-${i}.db`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'ingest', clip, '--db', db, '--size', String(size), '--json'], { encoding: 'utf8', env: { ...process.env, FFMPEG_PATH: ffmpeg } });
  const secs = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`latentwatch ingest failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  rmSync(db, { force: true });
  return { frames: out.frameCount, seconds: secs };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bareRates = [];
const ingestRates = [];
for (let i = 0; i < rounds; i++) {
  const b = await bare();
  const g = ingest(i);
  if (b.frames !== frames || g.frames !== frames) console.log(`  note: frame counts bare ${b.frames}, ingest ${g.frames}, expected ${frames}`);
  bareRates.push(b.frames / b.seconds);
  ingestRates.push(g.frames / g.seconds);
  console.log(`  round ${i + 1}: bare ${(b.frames / b.seconds).toFixed(1)} frames/s, ingest ${(g.frames / g.seconds).toFixed(1)} frames/s`);
}
rmSync(dir, { recursive: true, force: true });
const b = median(bareRates);
const g = median(ingestRates);
console.log(`\n1080p H.264 -> ${size}x${size} rgb24, ${frames} frames, median of ${rounds} rounds`);
console.log(`bare ffmpeg decode:  ${b.toFixed(1)} frames/s`);
console.log(`latentwatch ingest:  ${g.toFixed(1)} frames/s (whole command: start-up, probe, decode, hash, SQLite)`);
console.log(`ratio ingest/bare:   ${(g / b).toFixed(3)}  (bar: >= 0.9)`);
