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
