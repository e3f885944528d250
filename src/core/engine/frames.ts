/** Frames of a stored video as one training set, evenly subsampled when there are more than needed. */
import { AppError } from '../../shared/envelope.js';
import type { Store } from '../store/store.js';

export interface LoadedFrames {
  data: Uint8Array;
  count: number;
  size: number;
  channels: number;
  /** Stored frame index of each loaded frame. */
  indices: Int32Array;
}

export function loadFrames(store: Store, videoId: number, maxFrames = Infinity): LoadedFrames {
  const v = store.getVideo(videoId);
  if (v.status !== 'ready') throw new AppError('NotReadyError', `${v.name} is not ready (${v.status}).`);
  if (v.frameCount === 0) throw new AppError('TrainingInputError', `${v.name} has no frames to learn from.`);
  const take = Math.min(v.frameCount, Math.max(1, Math.floor(maxFrames)));
  const picks = new Int32Array(take);
  for (let i = 0; i < take; i++) picks[i] = Math.floor((i * v.frameCount) / take);
  const channels = 3;
  const bytes = v.frameSize * v.frameSize * channels;
  const data = new Uint8Array(take * bytes);
  let k = 0;
  for (const clip of store.iterateClips(videoId)) {
    while (k < take && picks[k]! < clip.firstIndex + clip.count) {
      const off = (picks[k]! - clip.firstIndex) * bytes;
      data.set(clip.pixels.subarray(off, off + bytes), k * bytes);
      k++;
    }
    if (k === take) break;
  }
  if (k !== take) throw new AppError('StoreError', `${v.name}: expected ${take} stored frames, found ${k}.`);
  return { data, count: take, size: v.frameSize, channels, indices: picks };
}

/** Stream a video's frames in batches of up to `batch` consecutive frames (for scoring). */
export function* frameBatches(store: Store, videoId: number, batch: number): Generator<{ first: number; count: number; pixels: Uint8Array }> {
  const v = store.getVideo(videoId);
  const bytes = v.frameSize * v.frameSize * 3;
  let buf = new Uint8Array(batch * bytes);
  let n = 0;
  let first = 0;
  for (const clip of store.iterateClips(videoId)) {
    for (let i = 0; i < clip.count; i++) {
      if (n === 0) first = clip.firstIndex + i;
      buf.set(clip.pixels.subarray(i * bytes, (i + 1) * bytes), n * bytes);
      if (++n === batch) {
        yield { first, count: n, pixels: buf };
        buf = new Uint8Array(batch * bytes);
        n = 0;
      }
    }
  }
  if (n) yield { first, count: n, pixels: buf.subarray(0, n * bytes) };
}

/** One stored frame of one video. */
export interface FramePick {
  videoId: number;
  index: number;
}

/** Frames from any videos (all of one stored size), in the order given; repeats allowed. */
export function gatherFrames(store: Store, picks: readonly FramePick[]): LoadedFrames & { videoIds: Int32Array } {
  if (picks.length === 0) throw new AppError('TrainingInputError', 'No frames to learn from.');
  const sizes = new Set(picks.map((p) => p.videoId)).values();
  let size = 0;
  for (const id of sizes) {
    const v = store.getVideo(id);
    if (size && v.frameSize !== size) throw new AppError('TrainingInputError', `${v.name} was stored at ${v.frameSize} px, the others at ${size} px: a model needs one frame size.`);
    size = v.frameSize;
  }
  const bytes = size * size * 3;
  const data = new Uint8Array(picks.length * bytes);
  // Per video: the distinct indices wanted, and where each lands in the output.
  const byVideo = new Map<number, Map<number, number[]>>();
  picks.forEach((p, k) => {
    let m = byVideo.get(p.videoId);
    if (!m) byVideo.set(p.videoId, (m = new Map()));
    const slots = m.get(p.index);
    if (slots) slots.push(k);
    else m.set(p.index, [k]);
  });
  for (const [videoId, wanted] of byVideo) {
    const order = [...wanted.keys()].sort((a, b) => a - b);
    let j = 0;
    for (const clip of store.iterateClips(videoId)) {
      while (j < order.length && order[j]! < clip.firstIndex) j++; // not stored: reported below
      while (j < order.length && order[j]! < clip.firstIndex + clip.count) {
        const off = (order[j]! - clip.firstIndex) * bytes;
        for (const k of wanted.get(order[j]!)!) data.set(clip.pixels.subarray(off, off + bytes), k * bytes);
        wanted.delete(order[j]!);
        j++;
      }
      if (j === order.length) break;
    }
    if (wanted.size) throw new AppError('StoreError', `${store.getVideo(videoId).name}: frame ${[...wanted.keys()][0]} is not stored.`);
  }
  return {
    data,
    count: picks.length,
    size,
    channels: 3,
    indices: Int32Array.from(picks, (p) => p.index),
    videoIds: Int32Array.from(picks, (p) => p.videoId),
  };
}

/**
 * Frames for a conditional model (kind 'cvae'): each frame's pixels followed, per pixel, by those of
 * its k earlier frames (t−1 first), NHWC with (1 + k)·channels channels. `prevs[j]` holds, for each
 * current frame in the same order, frame t−1−j (a video's first frames repeat frame 0).
 */
export function stackFrames(cur: { data: Uint8Array; count: number; size: number; channels: number }, prevs: readonly Uint8Array[]): Uint8Array {
  const { size, channels, count } = cur;
  const pixels = size * size;
  for (const prev of prevs) if (prev.length !== cur.data.length) throw new RangeError(`stackFrames: ${cur.data.length} current bytes, ${prev.length} earlier`);
  const width = 1 + prevs.length;
  const out = new Uint8Array(cur.data.length * width);
  for (let f = 0; f < count; f++)
    for (let p = 0; p < pixels; p++) {
      const src = (f * pixels + p) * channels;
      const dst = src * width;
      for (let c = 0; c < channels; c++) out[dst + c] = cur.data[src + c]!;
      prevs.forEach((prev, j) => {
        for (let c = 0; c < channels; c++) out[dst + (1 + j) * channels + c] = prev[src + c]!;
      });
    }
  return out;
}

/** The earlier frames a conditional model is given for frame `index`: t−1 … t−k, clamped at the video's first frame. */
export const earlierIndices = (index: number, k: number): number[] => Array.from({ length: k }, (_, j) => Math.max(0, index - 1 - j));

/**
 * frameBatches for a model conditioned on k earlier frames (stackFrames); k = 0 is frameBatches itself.
 * Keeps the last k frames of the previous batch, so batching changes nothing.
 */
export function* conditionedFrameBatches(store: Store, videoId: number, batch: number, k: number): Generator<{ first: number; count: number; pixels: Uint8Array }> {
  if (!k) {
    yield* frameBatches(store, videoId, batch);
    return;
  }
  const v = store.getVideo(videoId);
  const bytes = v.frameSize * v.frameSize * 3;
  const history = new Map<number, Uint8Array>();
  for (const b of frameBatches(store, videoId, batch)) {
    const frame = (i: number): Uint8Array => (i >= b.first ? b.pixels.subarray((i - b.first) * bytes, (i - b.first + 1) * bytes) : history.get(i)!);
    const prevs = Array.from({ length: k }, (_, j) => {
      const out = new Uint8Array(b.count * bytes);
      for (let f = 0; f < b.count; f++) out.set(frame(Math.max(0, b.first + f - 1 - j)), f * bytes);
      return out;
    });
    for (let i = Math.max(0, b.first + b.count - k); i < b.first + b.count; i++) history.set(i, frame(i).slice());
    for (const i of [...history.keys()]) if (i < b.first + b.count - k) history.delete(i);
    yield { first: b.first, count: b.count, pixels: stackFrames({ data: b.pixels, count: b.count, size: v.frameSize, channels: 3 }, prevs) };
  }
}
