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
