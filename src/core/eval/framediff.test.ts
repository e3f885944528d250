import { describe, expect, it } from 'vitest';
import { fitFrameDiff, frameDiffPatches, type GrayFrames, scoreFrameDiff } from './baselines.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13, s ^= s >>> 17, s ^= s << 5) >>> 0) / 4294967296;
}

function grayOf(count: number, size: number, pixel: (frame: number, x: number, y: number) => number): GrayFrames {
  const d = size * size;
  const data = new Float32Array(count * d);
  for (let f = 0; f < count; f++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[f * d + y * size + x] = pixel(f, x, y);
  return { data, count, size };
}

/** Mean |a − b| over one patch, written out directly. */
function bruteDiff(g: GrayFrames, a: number, b: number, x0: number, y0: number, patch: number): number {
  const d = g.size * g.size;
  let s = 0;
  for (let y = y0; y < y0 + patch; y++) for (let x = x0; x < x0 + patch; x++) s += Math.abs(g.data[a * d + y * g.size + x]! - g.data[b * d + y * g.size + x]!);
  return s / (patch * patch);
}

/** numpy's default (linear) quantile. */
function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

describe('frame-difference baseline', () => {
  const size = 16;
  const patch = 4;
  const stride = 2;
  const grid = (size - patch) / stride + 1; // 7
  const r = rng(7);
  const noise = grayOf(30, size, () => r());

  it('patch values are the mean |f(t) − f(t−1)| of each patch; a clip start takes the next frame\'s difference', () => {
    const { values, patches } = frameDiffPatches(noise, patch, stride, [10, 20]);
    expect(patches).toBe(grid * grid);
    for (const t of [0, 1, 9, 10, 11, 19, 20, 29]) {
      const [a, b] = t === 0 || t === 10 || t === 20 ? [t + 1, t] : [t, t - 1];
      for (const j of [0, 3, 24, 48]) {
        const want = bruteDiff(noise, a, b, (j % grid) * stride, Math.floor(j / grid) * stride, patch);
        expect(values[t * patches + j]).toBeCloseTo(want, 5);
      }
    }
    // Without clip starts frame 10 is compared with frame 9.
    const plain = frameDiffPatches(noise, patch, stride).values;
    expect(plain[10 * patches]).toBeCloseTo(bruteDiff(noise, 10, 9, 0, 0, patch), 5);
  });

  it('fits each patch\'s 99.9th percentile floored at half the frame-wide one, and scores the mean of the 5 largest ratios', () => {
    // Motion only in the top-left corner during training: elsewhere the patch percentile is ~0 and the floor decides.
    const train = grayOf(200, size, (f, x, y) => (x < 4 && y < 4 ? (f % 2) * 0.5 : 0.3));
    const m = fitFrameDiff(train, { patch, stride });
    const { values, patches } = frameDiffPatches(train, patch, stride);
    const all = Array.from(values);
    const floor = 0.5 * quantile(all, 0.999);
    expect(m.floor).toBeCloseTo(floor, 6);
    for (let j = 0; j < patches; j++) {
      const col = Array.from({ length: train.count }, (_, t) => values[t * patches + j]!);
      expect(m.scale[j]).toBeCloseTo(Math.max(quantile(col, 0.999), floor), 6);
    }
    expect(m.scale[0]).toBeCloseTo(0.5, 6); // the moving corner: every difference is 0.5 over the whole patch
    expect(m.scale[patches - 1]).toBeCloseTo(floor, 6);

    // Test: frames 0..4 as in training, then a blob moves in the bottom-right corner.
    const test = grayOf(10, size, (f, x, y) => (x < 4 && y < 4 ? (f % 2) * 0.5 : f >= 5 && x >= 12 && y >= 12 && (x + f) % 2 ? 0.9 : 0.3));
    const s = scoreFrameDiff(m, test);
    const tv = frameDiffPatches(test, patch, stride).values;
    for (let t = 0; t < test.count; t++) {
      const ratios = Array.from({ length: patches }, (_, j) => tv[t * patches + j]! / m.scale[j]!).sort((a, b) => b - a);
      expect(s[t]).toBeCloseTo((ratios[0]! + ratios[1]! + ratios[2]! + ratios[3]! + ratios[4]!) / 5, 6);
    }
    // Motion as in training stays at or under its own tail (ratio ≤ 1); motion where training had none stands out.
    for (let t = 1; t < 5; t++) expect(s[t]).toBeLessThanOrEqual(1 + 1e-6);
    for (let t = 6; t < 10; t++) expect(s[t]).toBeGreaterThan(1.2);
  });

  it('a scene cut between joined training clips does not set the scale when the clip starts are given', () => {
    // Two static clips of different brightness joined at frame 100, with a little noise.
    const rr = rng(3);
    const train = grayOf(200, size, (f) => (f < 100 ? 0.2 : 0.8) + 0.01 * rr());
    const cut = fitFrameDiff(train, { patch, stride });
    const clean = fitFrameDiff(train, { patch, stride, clipStarts: [100] });
    expect(Math.max(...cut.scale)).toBeGreaterThan(0.1); // the cut (0.6) leaks into the tail of 200 frames
    expect(Math.max(...clean.scale)).toBeLessThan(0.02);
  });

  it('defaults to 8x8 patches with stride 4 at 64x64, and rejects a patch that does not fit', () => {
    const g = grayOf(3, 64, (f, x) => (f * x) / 200);
    const m = fitFrameDiff(g);
    expect([m.patch, m.stride, m.top, m.scale.length]).toEqual([8, 4, 5, 15 * 15]);
    expect(() => fitFrameDiff(noise, { patch: 20 })).toThrow(RangeError);
    expect(() => scoreFrameDiff(m, noise)).toThrow(/64×64/);
  });
});
