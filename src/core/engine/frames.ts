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
 * Frames for a conditional model (kind 'cvae'): each frame's pixels followed, per pixel, by its
 * predecessor's, NHWC with 2·channels channels. `prev` holds each current frame's predecessor in the
 * same order (the first frame of a video is its own predecessor).
 */
export function pairFrames(cur: { data: Uint8Array; count: number; size: number; channels: number }, prev: Uint8Array): Uint8Array {
  const { size, channels, count } = cur;
  const pixels = size * size;
  if (prev.length !== cur.data.length) throw new RangeError(`pairFrames: ${cur.data.length} current bytes, ${prev.length} previous`);
  const out = new Uint8Array(cur.data.length * 2);
  for (let f = 0; f < count; f++)
    for (let p = 0; p < pixels; p++) {
      const src = (f * pixels + p) * channels;
      const dst = src * 2;
      for (let c = 0; c < channels; c++) {
        out[dst + c] = cur.data[src + c]!;
        out[dst + channels + c] = prev[src + c]!;
      }
    }
  return out;
}

/** frameBatches for a conditional model: each batch's frames paired with their predecessors (pairFrames). */
export function* pairedFrameBatches(store: Store, videoId: number, batch: number): Generator<{ first: number; count: number; pixels: Uint8Array }> {
  const v = store.getVideo(videoId);
  const bytes = v.frameSize * v.frameSize * 3;
  let last: Uint8Array | null = null;
  for (const b of frameBatches(store, videoId, batch)) {
    const prev = new Uint8Array(b.count * bytes);
    prev.set(last ?? b.pixels.subarray(0, bytes), 0);
    prev.set(b.pixels.subarray(0, (b.count - 1) * bytes), bytes);
    last = b.pixels.slice((b.count - 1) * bytes, b.count * bytes);
    yield { first: b.first, count: b.count, pixels: pairFrames({ data: b.pixels, count: b.count, size: v.frameSize, channels: 3 }, prev) };
  }
}
