/**
 * Pieces of the source video through ffmpeg: one frame at full detail (for the frame view, which
 * otherwise only has the small stored frames) and a span as an mp4 (an event's clip for a report).
 * Both write to a temporary name and rename, so a killed ffmpeg or a full disk never leaves a
 * half-written file under the final name. The temporary name is unique per call, one cut per output
 * file is in flight at a time (parallel requests for one frame share it), and at most MAX_FFMPEG cuts
 * run at once (the rest wait their turn), so a burst of requests never starts a burst of ffmpegs.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../../shared/envelope.js';
import { replaceAtomically } from '../atomic-write.js';
import { mediaTools } from './ffmpeg-locate.js';

/** Most ffmpeg cuts running at once (frames and clips together). */
export const MAX_FFMPEG = 2;
let running = 0;
let peak = 0;
const waiting: Array<() => void> = [];

/** The most cuts that ran at once since the process started (for tests). */
export const peakConcurrentCuts = (): number => peak;

async function slot<T>(work: () => Promise<T>): Promise<T> {
  while (running >= MAX_FFMPEG) await new Promise<void>((r) => waiting.push(r));
  running++;
  peak = Math.max(peak, running);
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const inFlight = new Map<string, Promise<void>>();

/** One write per output file at a time: a second caller for the same file waits for the first. */
function once(outPath: string, write: () => Promise<void>): Promise<void> {
  const existing = inFlight.get(outPath);
  if (existing) return existing;
  const p = write().finally(() => inFlight.delete(outPath));
  inFlight.set(outPath, p);
  return p;
}

function runFfmpeg(args: string[], what: string, timeoutMs: number): Promise<void> {
  return slot(() => spawnFfmpeg(args, what, timeoutMs));
}

function spawnFfmpeg(args: string[], what: string, timeoutMs: number): Promise<void> {
  const ffmpeg = mediaTools().ffmpeg.path;
  return new Promise((resolve, reject) => {
    const proc = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(new AppError('MediaError', `Could not run ffmpeg for ${what}: ${e.message}`));
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const detail = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500) || (signal ? `killed by ${signal}` : `exit code ${code}`);
      if (/No space left on device/i.test(stderr)) return reject(new AppError('DiskFullError', `The disk is full: free some space and try ${what} again.`));
      if (/No such file or directory/i.test(stderr)) return reject(new AppError('NotFoundError', `The source video is no longer where it was imported from, so ${what} is not possible: ${detail}`));
      reject(new AppError('MediaError', `ffmpeg failed on ${what}: ${detail}`));
    });
  });
}

/** One write per output file at a time, written atomically (core/atomic-write.ts). */
function atomically(outPath: string, write: (tmp: string) => Promise<void>): Promise<void> {
  return once(outPath, () => replaceAtomically(outPath, write));
}

/** The source frame at `ptsSec` as a PNG at most `maxWidth` pixels wide (never upscaled). */
export async function sourceFramePng(sourcePath: string, ptsSec: number, outPath: string, maxWidth = 960): Promise<void> {
  await atomically(outPath, (tmp) =>
    runFfmpeg(
      ['-ss', ptsSec.toFixed(6), '-i', sourcePath, '-map', '0:v:0', '-frames:v', '1', '-vf', `scale='min(${maxWidth},iw)':-2:flags=bicubic`, '-f', 'image2', '-c:v', 'png', tmp],
      'the full-size frame',
      30_000,
    ),
  );
}

/** The span [startSec, endSec) of the source as an H.264 mp4 (MPEG-4 Part 2 where this ffmpeg lacks libx264). */
export async function cutClip(sourcePath: string, startSec: number, endSec: number, outPath: string): Promise<void> {
  const common = ['-ss', startSec.toFixed(6), '-i', sourcePath, '-t', Math.max(0.04, endSec - startSec).toFixed(6), '-map', '0:v:0', '-an', '-sn', '-dn'];
  await atomically(outPath, async (tmp) => {
    try {
      await runFfmpeg([...common, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', tmp], 'the clip', 300_000);
    } catch (e) {
      if (!(e instanceof AppError) || e.name !== 'MediaError' || !/libx264|Unknown encoder/i.test(e.message)) throw e;
      await runFfmpeg([...common, '-c:v', 'mpeg4', '-q:v', '3', '-pix_fmt', 'yuv420p', '-f', 'mp4', tmp], 'the clip', 300_000);
    }
  });
}
