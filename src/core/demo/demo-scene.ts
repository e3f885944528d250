/**
 * The built-in demo footage: a fixed camera over a road with walkers crossing, a slow light drift,
 * sensor noise, and (in the second half) a red vehicle crossing the grass and a few seconds where the
 * lens is covered. Generated, never committed: `latentwatch demo` writes it with ffmpeg.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { mediaTools } from '../media/ffmpeg-locate.js';

export interface DemoOptions {
  seconds?: number;
  fps?: number;
  width?: number;
  height?: number;
  seed?: number;
}

export async function writeDemoClip(path: string, o: DemoOptions = {}): Promise<{ frames: number }> {
  const fps = o.fps ?? 10;
  const W = o.width ?? 320;
  const H = o.height ?? 240;
  const n = Math.round((o.seconds ?? 60) * fps);
  let s = (o.seed ?? 7) >>> 0 || 1;
  const rnd = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  const bg = new Float32Array(W * H * 3);
  const roadY0 = H * 0.45;
  const roadY1 = H * 0.68;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const c = y < H * 0.28 ? [150, 110, 90] : y > roadY0 && y < roadY1 ? [135, 135, 140] : [70, 130, 60];
      const tex = 12 * Math.sin(x * 0.37 + y * 0.21) * Math.sin(y * 0.53) + 6 * (rnd() - 0.5);
      for (let k = 0; k < 3; k++) bg[(y * W + x) * 3 + k] = c[k]! + tex;
    }
  const walkers = Array.from({ length: 5 }, () => ({
    x0: rnd() * W,
    y: roadY0 + 8 + rnd() * (roadY1 - roadY0 - 8),
    v: (rnd() < 0.5 ? -1 : 1) * (0.8 + rnd() * 1.5),
    w: 4 + rnd() * 3,
    h: 14 + rnd() * 6,
    col: [30 + rnd() * 60, 30 + rnd() * 60, 40 + rnd() * 90],
  }));
  const intruder = { start: Math.round(n * 0.6), end: Math.round(n * 0.6) + 3 * fps };
  const covered = { start: Math.round(n * 0.8), end: Math.round(n * 0.8) + 2 * fps };

  mkdirSync(dirname(path), { recursive: true });
  const { ffmpeg } = mediaTools();
  const ff = spawn(
    ffmpeg.path,
    ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(fps), '-i', '-', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-crf', '20', path],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((ok, bad) => {
    ff.on('error', bad);
    ff.on('close', (c) => (c === 0 ? ok() : bad(new Error(`ffmpeg could not write the demo clip (exit ${c}): ${err.trim()}`))));
  });
  const buf = Buffer.alloc(W * H * 3);
  for (let f = 0; f < n; f++) {
    const light = 1 + 0.06 * Math.sin((2 * Math.PI * f) / (fps * 30));
    for (let i = 0; i < buf.length; i++) buf[i] = Math.max(0, Math.min(255, bg[i]! * light + 6 * (rnd() - 0.5)));
    const paint = (x0: number, y0: number, w: number, h: number, col: number[]) => {
      for (let y = Math.max(0, y0 | 0); y < Math.min(H, y0 + h); y++)
        for (let x = Math.max(0, x0 | 0); x < Math.min(W, x0 + w); x++) for (let k = 0; k < 3; k++) buf[(y * W + x) * 3 + k] = col[k]!;
    };
    for (const w of walkers) {
      const span = W + 40;
      const cx = (((w.x0 + w.v * f) % span) + span) % span - 20;
      paint(cx - w.w / 2, w.y - w.h, w.w, w.h, w.col);
    }
    if (f >= intruder.start && f < intruder.end) paint(((f - intruder.start) * W) / (intruder.end - intruder.start), roadY1 + H * 0.12, W / 9, H / 12, [220, 40, 30]);
    if (f >= covered.start && f < covered.end) paint(W * 0.2, H * 0.15, W * 0.45, H * 0.5, [15, 15, 15]);
    if (!ff.stdin.write(buf)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
  return { frames: n };
}
