/**
 * Streamed decode: ffmpeg (a child process) turns a video into small square RGB frames on stdout,
 * and its showinfo filter reports each output frame's exact timestamp on stderr. Frames are yielded
 * one by one with their index and pts; nothing is held beyond a pipe's worth.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CropRect } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { mediaTools } from './ffmpeg-locate.js';

export interface DecodeOptions {
  /** Square output size in pixels. */
  size: number;
  /** Sample at this rate; undefined keeps every decoded frame. */
  fps?: number;
  /** 3 (RGB) or 1 (gray). */
  channels?: 1 | 3;
  signal?: AbortSignal;
  /** Threads for ffmpeg's decoder (0 = ffmpeg decides). */
  threads?: number;
  /** Keep only this rectangle of the source picture (region of interest), before scaling. */
  crop?: CropRect;
}

export interface DecodedFrame {
  /** Index among the output frames, from 0. */
  index: number;
  /** Presentation time in seconds, as ffmpeg reports it. */
  ptsSec: number;
  /** size × size × channels bytes, row-major, interleaved channels. Owned by the caller. */
  data: Uint8Array;
}

/** ffmpeg arguments for decoding to raw frames; shared with the ingest benchmark so both measure the same work. */
export function decodeArgs(path: string, o: { size: number; fps?: number; channels?: 1 | 3; threads?: number; showinfo?: boolean; crop?: CropRect }): string[] {
  const pix = (o.channels ?? 3) === 1 ? 'gray' : 'rgb24';
  const filters = [
    // Sampling keeps real source frames (and their true timestamps): the first frame in each 1/fps slot.
    // (The fps filter would instead re-time frames onto a grid, so a timestamp would not name its source frame.)
    ...(o.crop ? [`crop=${o.crop.width}:${o.crop.height}:${o.crop.x}:${o.crop.y}`] : []),
    ...(o.fps ? [`select='isnan(prev_selected_t)+gt(floor(t*${o.fps}+1e-6)\\,floor(prev_selected_t*${o.fps}+1e-6))'`] : []),
    `scale=${o.size}:${o.size}:flags=area`,
    `format=${pix}`,
    ...(o.showinfo === false ? [] : ['showinfo']),
  ];
  return [
    '-hide_banner', '-nostdin', '-v', 'info',
    '-threads', String(o.threads ?? 0),
    '-i', path,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', filters.join(','),
    '-vsync', '0',
    '-f', 'rawvideo', '-pix_fmt', pix, 'pipe:1',
  ];
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[\d.e+-]+)/;

export async function* decodeFrames(path: string, o: DecodeOptions): AsyncGenerator<DecodedFrame> {
  const { ffmpeg } = mediaTools();
  const channels = o.channels ?? 3;
  const frameBytes = o.size * o.size * channels;
  if (o.signal?.aborted) throw abortError();
  const proc = spawn(ffmpeg.path, decodeArgs(path, { ...o, channels }), { stdio: ['ignore', 'pipe', 'pipe'] });

  const pts: number[] = [];
  const tail: string[] = [];
  let stderrDone = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const lines = createInterface({ input: proc.stderr });
  lines.on('line', (line) => {
    const m = line.includes('showinfo') ? SHOWINFO.exec(line) : null;
    if (m) {
      pts.push(Number(m[3]));
      notify();
    } else if (line.trim()) {
      tail.push(line.trim());
      if (tail.length > 12) tail.shift();
    }
  });
  lines.on('close', () => {
    stderrDone = true;
    notify();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  const onAbort = () => proc.kill('SIGKILL');
  o.signal?.addEventListener('abort', onAbort, { once: true });

  let index = 0;
  let pending: Buffer = Buffer.alloc(0);
  const nextPts = async (): Promise<number> => {
    while (pts.length === 0 && !stderrDone) await new Promise<void>((r) => (wake = r));
    const p = pts.shift();
    // Should showinfo's line be missing, fall back to the previous timestamp plus one frame period.
    return p ?? (o.fps ? index / o.fps : NaN);
  };
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let off = 0;
      while (pending.length - off >= frameBytes) {
        const data = new Uint8Array(frameBytes);
        data.set(pending.subarray(off, off + frameBytes));
        off += frameBytes;
        const ptsSec = await nextPts();
        yield { index, ptsSec, data };
        index++;
      }
      pending = pending.subarray(off);
      if (o.signal?.aborted) throw abortError();
    }
    const code = await exited;
    if (o.signal?.aborted) throw abortError();
    if (code !== 0) {
      throw new AppError('DecodeError', `ffmpeg could not decode ${path} (exit ${code}): ${tail.slice(-3).join(' ') || 'no message'}`);
    }
    if (index === 0) throw new AppError('DecodeError', `No frames could be decoded from ${path}: ${tail.slice(-3).join(' ') || 'the stream is empty'}`);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    lines.close();
  }
}

export function abortError(): Error {
  const e = new Error('The job was canceled.');
  e.name = 'AbortError';
  return e;
}
