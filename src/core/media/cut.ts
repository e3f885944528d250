/**
 * Pieces of the source video through ffmpeg: one frame at full detail (for the frame view, which
 * otherwise only has the small stored frames) and a span as an mp4 (an event's clip for a report).
 * Both write to a temporary name and rename, so a killed ffmpeg or a full disk never leaves a
 * half-written file under the final name.
 */
import { spawn } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../../shared/envelope.js';
import { mediaTools } from './ffmpeg-locate.js';

function runFfmpeg(args: string[], what: string, timeoutMs: number): Promise<void> {
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

async function atomically(outPath: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.part`;
  try {
    await write(tmp);
    await rename(tmp, outPath);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
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
