/**
 * Import a video: probe it, decode it to small frames, store them in batched transactions.
 * On failure or cancel the half-written video is removed, so the library never shows a partial import.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEFAULT_FRAME_SIZE, type IngestOptions, type IngestResult, type JobProgress } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import type { FrameRecord, Store, VideoOutcome } from '../store/store.js';
import { ProgressMeter } from '../jobs/progress.js';
import { abortError, decodeFrames } from './decode.js';
import { probeVideo, type VideoProbe } from './probe.js';

export interface IngestHooks {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  /** Frames per stored clip (one transaction each). */
  clipFrames?: number;
}

async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal }) as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

const describeStoreError = (e: unknown, path: string): Error => {
  const code = (e as { code?: string }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC')
    return new AppError('DiskFullError', `The disk is full: importing ${basename(path)} stopped and nothing was kept. Free some space and import again.`);
  return e as Error;
};

/**
 * What decoding showed beyond the probe: the span really decoded (first frame to the end of the last),
 * whether the file ended early (a truncated copy: more than 5% or one sampling slot short of the
 * duration its container states), and notes for a picture scaled up to the stored size.
 */
export function decodeOutcome(
  probe: Pick<VideoProbe, 'durationSec' | 'startSec' | 'fps' | 'frameCountEstimate'>,
  sampledFps: number,
  frames: number,
  lastPts: number,
  picture: { width: number; height: number },
  size: number,
): VideoOutcome {
  const notes: string[] = [];
  if (picture.width < size || picture.height < size) notes.push(`The picture (${picture.width}x${picture.height}) is smaller than the stored ${size}x${size} frames: it was scaled up, so fine detail is invented, not seen.`);
  const decodedSec = Number.isFinite(lastPts) ? Math.max(0, lastPts - probe.startSec) + 1 / probe.fps : frames / sampledFps;
  const missing = probe.durationSec - decodedSec;
  const endedEarly = missing > Math.max(0.05 * probe.durationSec, 1 / sampledFps + 1 / probe.fps);
  if (endedEarly)
    notes.push(`The file ended early: ${decodedSec.toFixed(1)} s of the ${probe.durationSec.toFixed(1)} s its header states could be decoded (a truncated or partly copied file). What was decoded is kept: drop it from the library if you do not want it (from a terminal, ingest --drop-short refuses such files).`);
  return { durationSec: endedEarly ? decodedSec : probe.durationSec, endedEarly, notes };
}

export async function ingestVideo(store: Store, inputPath: string, options: IngestOptions = {}, hooks: IngestHooks = {}): Promise<IngestResult> {
  const path = resolve(inputPath);
  const size = options.size ?? DEFAULT_FRAME_SIZE;
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage('probing');
  const probe = await probeVideo(path);
  if (hooks.signal?.aborted) throw abortError();
  const crop = options.crop;
  if (crop && (crop.x + crop.width > probe.width || crop.y + crop.height > probe.height))
    throw new AppError(
      'CropError',
      `The region ${crop.width}x${crop.height} at (${crop.x}, ${crop.y}) does not fit inside the ${probe.width}x${probe.height} picture of ${basename(path)}.`,
    );
  const sampledFps = options.fps && options.fps < probe.fps ? options.fps : probe.fps;
  const expected = options.fps && options.fps < probe.fps ? Math.max(1, Math.round(probe.durationSec * sampledFps)) : probe.frameCountEstimate;
  const channels = 3 as const;

  const videoId = store.beginVideo({
    path,
    name: basename(path),
    sizeBytes: probe.sizeBytes,
    codec: probe.codec,
    width: probe.width,
    height: probe.height,
    sourceFps: probe.fps,
    durationSec: probe.durationSec,
    sampledFps,
    frameSize: size,
    channels,
  });
  const hashing = sha256File(path, hooks.signal);
  hashing.catch(() => undefined);
  const clipFrames = hooks.clipFrames ?? 128;
  const frameBytes = size * size * channels;
  let batch: FrameRecord[] = [];
  let pixels = new Uint8Array(clipFrames * frameBytes);
  let done = 0;
  let lastPts = NaN;
  const flush = () => {
    store.appendFrames(videoId, batch, pixels.subarray(0, batch.length * frameBytes));
    batch = [];
    pixels = new Uint8Array(clipFrames * frameBytes);
  };
  try {
    meter.stage('decoding', expected);
    const decodeOpts = { size, channels, ...(crop ? { crop } : {}), ...(options.fps && options.fps < probe.fps ? { fps: options.fps } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) };
    for await (const f of decodeFrames(path, decodeOpts)) {
      pixels.set(f.data, batch.length * frameBytes);
      batch.push({ index: f.index, ptsSec: f.ptsSec, sourceFrame: Math.max(0, Math.round((f.ptsSec - probe.startSec) * probe.fps)) });
      if (batch.length === clipFrames) flush();
      done++;
      if (Number.isFinite(f.ptsSec)) lastPts = f.ptsSec;
      meter.update(done, Math.max(expected, done));
    }
    if (batch.length) flush();
    const hash = await hashing;
    const outcome = decodeOutcome(probe, sampledFps, done, lastPts, crop ?? { width: probe.width, height: probe.height }, size);
    store.finishVideo(videoId, hash, outcome);
    meter.finish(done);
    return {
      videoId,
      frameCount: done,
      endedEarly: outcome.endedEarly ? { decodedSec: outcome.durationSec!, probedSec: probe.durationSec } : null,
      notes: outcome.notes ?? [],
    };
  } catch (e) {
    try {
      store.deleteVideo(videoId);
    } catch {
      // Left as 'ingesting' with this process as owner; recoverInterrupted() removes it at the next start.
    }
    if (hooks.signal?.aborted) throw abortError();
    throw describeStoreError(e, path);
  }
}
