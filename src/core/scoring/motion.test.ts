import { describe, expect, it } from 'vitest';
import { frameMotion, MotionStream, motionGrid, patchMotion, patchScales, settleMotion, topKScaled } from './motion.js';

const S = 32;
/** `count` RGB frames of a grey background with a 4x4 white square at (x(t), y). */
function clip(count: number, x: (t: number) => number, y = 10): Uint8Array {
  const out = new Uint8Array(count * S * S * 3).fill(60);
  for (let t = 0; t < count; t++)
    for (let j = y; j < y + 4; j++) for (let i = x(t); i < x(t) + 4; i++) for (let c = 0; c < 3; c++) out[((t * S + j) * S + i) * 3 + c] = 255;
  return out;
}

describe('motion', () => {
  it('a 15 x 15 grid of overlapping patches at any size', () => {
    expect(motionGrid(64)).toEqual({ patch: 8, stride: 4, grid: 15 });
    expect(motionGrid(32).grid).toBe(15);
  });

  it('moves where the object moved, and nowhere on a still picture', () => {
    const { grid } = motionGrid(S);
    const moving = patchMotion(clip(3, (t) => 4 + 3 * t), 3, S);
    const still = patchMotion(clip(3, () => 4), 3, S);
    expect(Math.max(...still)).toBe(0);
    const row = moving.subarray(grid * grid, 2 * grid * grid);
    const best = row.indexOf(Math.max(...row));
    expect(Math.floor(best / grid)).toBeLessThanOrEqual(Math.ceil(13 / motionGrid(S).stride));
    expect(Math.max(...row)).toBeGreaterThan(0.05);
    // The first frame has no predecessor and takes the second's three-frame motion: its difference row
    // is the smaller of the second frame's two, so once settled the two frames have the same motion.
    const third = moving.subarray(2 * grid * grid, 3 * grid * grid);
    expect(Array.from(moving.subarray(0, grid * grid))).toEqual(Array.from(row, (v, p) => Math.min(v, third[p]!)));
    const settled = settleMotion(moving, 3, null);
    expect(Array.from(settled.subarray(0, grid * grid))).toEqual(Array.from(settled.subarray(grid * grid, 2 * grid * grid)));
  });

  it('streams across batches as if the video were one batch', () => {
    const frames = clip(6, (t) => 2 + 2 * t);
    const whole = patchMotion(frames, 6, S);
    const m = new MotionStream(S);
    const bytes = S * S * 3;
    const parts = [m.next(frames.subarray(0, 4 * bytes), 4), m.next(frames.subarray(4 * bytes), 2)];
    expect(Array.from([...parts[0]!, ...parts[1]!])).toEqual(Array.from(whole));
  });

  it('leaves ignored pixels out', () => {
    const ignore = new Uint8Array(S * S);
    for (let j = 0; j < S; j++) for (let i = 0; i < S / 2; i++) ignore[j * S + i] = 1;
    const m = patchMotion(clip(2, (t) => 2 + 3 * t), 2, S, { ignore });
    expect(Math.max(...m)).toBe(0);
  });

  it('gives exactly the direct computation: grey per pixel, |Δ| as float32, box sums of the masked |Δ|', () => {
    // The definition, pixel by pixel and patch by patch (no tables), on noisy frames with earlier frames
    // interleaved (pixel stride 6) and a mask: the fast path must give the same float32 bits.
    const size = 24;
    const n = size * size;
    let seed = 5;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const count = 4;
    const pixels = Uint8Array.from({ length: count * n * 6 }, rnd);
    const prev = Uint8Array.from({ length: n * 6 }, rnd);
    const ignore = Uint8Array.from({ length: n }, (_, p) => (p % 5 === 0 ? 1 : 0));
    const grey = (buf: Uint8Array, f: number) => Float32Array.from({ length: n }, (_, p) => (buf[(f * n + p) * 6]! + buf[(f * n + p) * 6 + 1]! + buf[(f * n + p) * 6 + 2]!) / 765);
    const { patch, stride, grid } = motionGrid(size);
    const expected: number[] = [];
    for (let f = 0; f < count; f++) {
      const a = f ? grey(pixels, f - 1) : grey(prev, 0);
      const b = grey(pixels, f);
      for (let gy = 0; gy < grid; gy++)
        for (let gx = 0; gx < grid; gx++) {
          let sum = 0;
          let w = 0;
          for (let y = gy * stride; y < gy * stride + patch; y++)
            for (let x = gx * stride; x < gx * stride + patch; x++)
              if (!ignore[y * size + x]) {
                sum += Math.fround(Math.abs(b[y * size + x]! - a[y * size + x]!));
                w++;
              }
          expected.push(Math.fround(sum / w));
        }
    }
    expect(Array.from(patchMotion(pixels, count, size, { pixelStride: 6, prev, ignore }))).toEqual(expected);
  });

  it('per-patch scales are floored at half the frame-wide level, and top-k divides by them', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i % 10 === 0 ? 1 : 0.1, 0, 0, 0]);
    const scale = patchScales(rows, 4);
    expect(scale[1]).toBeGreaterThan(0);
    expect(scale[1]).toBe(scale[2]);
    expect(topKScaled([0.5, 0, 0, 0], [0.5, 1, 1, 1], 1)).toBe(1);
    expect(topKScaled([1, 2, 3, 4], [1, 1, 1, 1], 2)).toBe(3.5);
  });
});

describe('three-frame motion', () => {
  it('keeps continuous motion and drops a one-off step (and the frame after it)', () => {
    // Patch differences of 5 frames, 1 patch: a step at frame 2 (one large difference), then steady motion from frame 3.
    const d = Float32Array.from([0, 0, 0.9, 0.5, 0.5]);
    expect(Array.from(settleMotion(d, 5, null))).toEqual([0, 0, 0.5, 0.5, 0.5].map(Math.fround));
    const step = Float32Array.from([0, 0, 0.9, 0, 0]);
    expect(Math.max(...settleMotion(step, 5, null))).toBe(0);
  });

  it('a batch’s last frame takes the next batch’s first difference', () => {
    const d = Float32Array.from([0.2, 0.4, 0.3, 0.1]); // 2 frames x 2 patches
    expect(Array.from(settleMotion(d, 2, Float32Array.from([0.05, 1])))).toEqual([0.2, 0.1, 0.05, 0.1].map(Math.fround));
    expect(Array.from(settleMotion(d, 2, null))).toEqual([0.2, 0.1, 0.3, 0.1].map(Math.fround));
  });
});

describe('one frame’s motion', () => {
  it('equals that frame’s row of the streamed three-frame motion', () => {
    const frames = clip(5, (t) => 2 + 3 * t);
    const bytes = S * S * 3;
    const d = patchMotion(frames, 5, S);
    const all = settleMotion(d, 5, null);
    const g2 = motionGrid(S).grid ** 2;
    const f = (i: number) => frames.subarray(i * bytes, (i + 1) * bytes);
    expect(Array.from(frameMotion(f(1), f(2), f(3), S))).toEqual(Array.from(all.subarray(2 * g2, 3 * g2)));
  });
});
