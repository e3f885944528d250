/** Test footage made on the spot with ffmpeg: nothing binary is committed. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTools } from '../src/core/media/ffmpeg-locate.js';

/** Colour of frame k in the solid-colour test clip. */
export const solidColour = (k: number): [number, number, number] => [(k * 37) % 256, 255 - ((k * 23) % 256), (k * 61 + 40) % 256];

/**
 * Encode `frames` frames of `width`x`height` at `fps`: each frame is one solid colour (solidColour(k)),
 * nearly lossless (x264 qp 0, 4:4:4), so decoded pixels can be checked to within a few levels.
 */
export async function makeSolidClip(path: string, o: { frames: number; fps: number; width?: number; height?: number; colour?: (k: number) => [number, number, number] }): Promise<void> {
  const W = o.width ?? 48;
  const H = o.height ?? 32;
  const colour = o.colour ?? solidColour;
  const { ffmpeg } = mediaTools();
  const ff = spawn(
    ffmpeg.path,
    ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(o.fps), '-i', '-', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv444p', path],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((ok, bad) => ff.on('close', (c) => (c === 0 ? ok() : bad(new Error(`ffmpeg: ${err}`)))));
  const buf = Buffer.alloc(W * H * 3);
  for (let k = 0; k < o.frames; k++) {
    const c = colour(k);
    for (let i = 0; i < W * H; i++) buf.set(c, i * 3);
    if (!ff.stdin.write(buf)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
}

/** A busy synthetic clip (ffmpeg's testsrc2) made fast: for jobs that must run long enough to cancel. */
export async function makeTestsrcClip(path: string, o: { seconds: number; fps?: number; width?: number; height?: number }): Promise<void> {
  const { ffmpeg } = mediaTools();
  const size = `${o.width ?? 640}x${o.height ?? 480}`;
  const ff = spawn(ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${o.fps ?? 25}`, '-t', String(o.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((ok, bad) => ff.on('close', (c) => (c === 0 ? ok() : bad(new Error(`ffmpeg: ${err}`)))));
}

export function tempDir(prefix = 'lw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
