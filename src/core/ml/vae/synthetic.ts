/**
 * Synthetic "fixed camera" footage for tests and benchmarks: a static textured background with a
 * bright square moving across it. Deterministic for a given seed.
 */
import type { FrameSet } from './train.js';

export function movingSquares(count: number, size: number, channels: number, seed = 7): FrameSet {
  const per = size * size * channels;
  const data = new Uint8Array(count * per);
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  // background: smooth gradient with a little fixed texture
  const bg = new Uint8Array(per);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++)
        bg[(y * size + x) * channels + c] = Math.round(40 + (120 * (x + y)) / (2 * size) + 20 * c + 10 * rand());
  const side = Math.max(2, Math.round(size / 4));
  for (let f = 0; f < count; f++) {
    const frame = data.subarray(f * per, (f + 1) * per);
    frame.set(bg);
    const px = Math.round(((f * 1.7) % (size - side)) + 0);
    const py = Math.round((size - side) * (0.5 + 0.45 * Math.sin(f * 0.4)));
    for (let y = py; y < Math.min(size, py + side); y++)
      for (let x = px; x < Math.min(size, px + side); x++)
        for (let c = 0; c < channels; c++) frame[(y * size + x) * channels + c] = c === 0 ? 240 : 200 - 60 * c;
  }
  return { data, count, size, channels };
}

/**
 * Frames from three clearly distinct clusters, for mixture-prior tests: 0 dark and flat, 1 horizontal
 * stripes, 2 vertical stripes; each frame with its own uniform pixel noise (±noise) and a small brightness
 * jitter. Frames are interleaved (0, 1, 2, 0, 1, 2, ...); `labels` holds each frame's cluster.
 */
export function clusteredFrames(count: number, size: number, channels: number, seed = 3, noise = 12): FrameSet & { labels: Int32Array } {
  const per = size * size * channels;
  const data = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let f = 0; f < count; f++) {
    const c = f % 3;
    labels[f] = c;
    const jitter = (rand() - 0.5) * 20;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const base = c === 0 ? 50 : c === 1 ? (y % 4 < 2 ? 40 : 210) : x % 4 < 2 ? 40 : 210;
        for (let ch = 0; ch < channels; ch++) data[f * per + (y * size + x) * channels + ch] = Math.max(0, Math.min(255, Math.round(base + jitter + (rand() * 2 - 1) * noise)));
      }
  }
  return { data, count, size, channels, labels };
}
