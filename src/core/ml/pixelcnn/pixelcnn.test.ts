import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/index.js';
import { causalMask, oneHotCodes, type PixelCnnConfig, pixelCnnLogits, pixelCnnWeightTensors, sampleCodes, scoreCodes } from './pixelcnn.js';
import { randomCodes, randomPixelCnnWeights, stripeCodes } from '../../../../test/ml/pixelcnn-fixtures.js';
import { trainPixelCnn } from './train-pixelcnn.js';

beforeAll(async () => {
  await selectBackend('wasm'); // training here: ~4x faster than the cpu backend
});

const logitsOf = (c: PixelCnnConfig, w: ReturnType<typeof randomPixelCnnWeights>, codes: Int32Array): Float32Array =>
  tf.tidy(() => pixelCnnLogits(c, w, oneHotCodes(c, codes, 1)).dataSync() as Float32Array);

describe('causal masks', () => {
  it('mask A keeps what is strictly before the centre, mask B adds the centre', () => {
    expect(Array.from(causalMask('vA', 3).data)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(causalMask('vB', 3).data)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(causalMask('hA', 5).data)).toEqual([1, 1, 0, 0, 0]);
    expect(Array.from(causalMask('hB', 5).data)).toEqual([1, 1, 1, 0, 0]);
  });
});

describe('gated PixelCNN', () => {
  it('is causal in raster order: changing the code at q leaves the logits at every position ≤ q unchanged (q itself included), and moves those right of and below q', () => {
    for (const kernel of [3, 5]) {
      const c: PixelCnnConfig = { codes: 4, height: 4, width: 5, channels: 8, layers: 3, kernel, hidden: 12 };
      const w = randomPixelCnnWeights(c, 11 + kernel);
      const P = c.height * c.width;
      const K = c.codes;
      const base = randomCodes(c, 1, 5);
      const l0 = logitsOf(c, w, base);
      for (let q = 0; q < P; q++) {
        const changed = base.slice();
        changed[q] = (changed[q]! + 1 + (q % (K - 1))) % K;
        const l1 = logitsOf(c, w, changed);
        const diff = (p: number): number => {
          let d = 0;
          for (let k = 0; k < K; k++) d = Math.max(d, Math.abs(l1[p * K + k]! - l0[p * K + k]!));
          return d;
        };
        for (let p = 0; p <= q; p++) expect(diff(p), `position ${p} after a change at ${q} (kernel ${kernel})`).toBe(0);
        if ((q + 1) % c.width !== 0) expect(diff(q + 1), `right neighbour of ${q}`).toBeGreaterThan(1e-4);
        if (q + c.width < P) expect(diff(q + c.width), `below ${q}`).toBeGreaterThan(1e-4);
        // The row below sees the whole row above through the vertical stack (no blind spot on the right).
        if (q % c.width > 0 && q + c.width - 1 < P) expect(diff(q + c.width - 1), `below-left of ${q}`).toBeGreaterThan(1e-4);
      }
      tf.dispose(Object.values(w));
    }
  });

  it('is a normalized distribution: Σ over every code grid of exp(−NLL) = 1', () => {
    for (const [codes, height, width] of [
      [2, 2, 2],
      [3, 2, 3],
    ] as const) {
      const c: PixelCnnConfig = { codes, height, width, channels: 6, layers: 2, kernel: 3, hidden: 8 };
      const w = randomPixelCnnWeights(c, 3);
      const P = height * width;
      const total = codes ** P;
      const all = new Int32Array(total * P);
      for (let g = 0; g < total; g++) for (let p = 0, v = g; p < P; p++, v = Math.floor(v / codes)) all[g * P + p] = v % codes;
      const { codeNll, nllMap } = scoreCodes(c, w, all, total, 100);
      let sum = 0;
      for (let g = 0; g < total; g++) sum += Math.exp(-codeNll[g]!);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      // codeNll is the sum of the map, and the model is not uniform (biases are non-zero).
      let mapSum = 0;
      for (let p = 0; p < P; p++) mapSum += nllMap[p]!;
      expect(codeNll[0]!).toBeCloseTo(mapSum, 4);
      expect(Math.max(...codeNll) - Math.min(...codeNll)).toBeGreaterThan(0.1);
      tf.dispose(Object.values(w));
    }
  });

  it('samples valid grids, reproducibly from a seed, with the frequencies of the model', () => {
    const c: PixelCnnConfig = { codes: 2, height: 2, width: 2, channels: 6, layers: 2, kernel: 3, hidden: 8 };
    const w = randomPixelCnnWeights(c, 9, 1);
    const a = sampleCodes(c, w, { count: 3000, seed: 4 });
    const b = sampleCodes(c, w, { count: 3000, seed: 4 });
    const d = sampleCodes(c, w, { count: 3000, seed: 5 });
    expect(a.length).toBe(3000 * 4);
    expect(a.every((k) => k === 0 || k === 1)).toBe(true);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(d)).not.toEqual(Array.from(a));
    const all = Int32Array.from({ length: 16 * 4 }, (_, i) => (Math.floor(i / 4) >> (i % 4)) & 1);
    const p = Array.from(scoreCodes(c, w, all, 16).codeNll, (v) => Math.exp(-v));
    const freq = new Array<number>(16).fill(0);
    for (let n = 0; n < 3000; n++) freq[a[n * 4]! + 2 * a[n * 4 + 1]! + 4 * a[n * 4 + 2]! + 8 * a[n * 4 + 3]!]! += 1 / 3000;
    // 3000 draws: the standard error of a frequency is at most 0.009; allow 4 of them.
    for (let g = 0; g < 16; g++) expect(Math.abs(freq[g]! - p[g]!), `grid ${g}`).toBeLessThan(0.037);
    // Samples from a trained-looking (hot) model at a low temperature are the mode more often.
    const cold = sampleCodes(c, w, { count: 3000, seed: 4, temperature: 0.25 });
    const mode = p.indexOf(Math.max(...p));
    let hits = 0;
    for (let n = 0; n < 3000; n++) if (cold[n * 4]! + 2 * cold[n * 4 + 1]! + 4 * cold[n * 4 + 2]! + 8 * cold[n * 4 + 3]! === mode) hits++;
    expect(hits / 3000).toBeGreaterThan(freq[mode]!);
    tf.dispose(Object.values(w));
  });
});

describe('trainPixelCnn', () => {
  it('raises the likelihood of structured codes far above the uniform log K, and its samples follow the structure', async () => {
    const c: PixelCnnConfig = { codes: 4, height: 4, width: 4, channels: 16, layers: 3, kernel: 3, hidden: 32 };
    const codes = stripeCodes(c, 96, 2);
    const progress: number[] = [];
    const r = await trainPixelCnn(codes, 96, { config: c, epochs: 12, batchSize: 16, learningRate: 1e-2, validationFraction: 0.2, seed: 3 }, { onProgress: (p) => progress.push(p.nll) });
    expect(r.initialNll).toBeCloseTo(Math.log(4), 5); // zero biases and a zero-init head: uniform
    expect(r.history).toHaveLength(12);
    const best = r.history[r.bestEpoch]!.valNll!;
    expect(best).toBeLessThan(r.initialNll - 0.8);
    expect(r.history[11]!.nll).toBeLessThan(r.history[0]!.nll);
    expect(progress.length).toBe(12 * Math.floor(77 / 16));
    expect(r.framesPerSec).toBeGreaterThan(0);
    // The trained prior's samples are mostly stripes.
    const w = pixelCnnWeightTensors(c, r.weights);
    const s = sampleCodes(c, w, { count: 50, seed: 1 });
    let ok = 0;
    for (let n = 0; n < 50; n++) {
      let good = 0;
      for (let p = 1; p < 16; p++) {
        const i = Math.floor(p / 4);
        const j = p % 4;
        if (s[n * 16 + p] === (s[n * 16]! + i + j) % 4) good++;
      }
      if (good >= 13) ok++;
    }
    expect(ok).toBeGreaterThan(35);
    tf.dispose(Object.values(w));
  });

  it('stops after maxSteps Adam steps, the last epoch partial', async () => {
    const c: PixelCnnConfig = { codes: 3, height: 2, width: 2, channels: 4, layers: 1, kernel: 3, hidden: 4 };
    const steps: Array<[number, number, number]> = [];
    const r = await trainPixelCnn(randomCodes(c, 40, 1), 40, { config: c, epochs: 50, batchSize: 8, learningRate: 1e-2, validationFraction: 0, seed: 1, maxSteps: 12 }, { onProgress: (p) => steps.push([p.epoch, p.epochs, p.step]) });
    expect(steps).toHaveLength(12); // 5 steps an epoch: 5 + 5 + 2
    expect(r.history).toHaveLength(3);
    expect(steps.at(-1)).toEqual([2, 3, 2]);
  });

  it('stops with an AbortError when the signal is aborted', async () => {
    const c: PixelCnnConfig = { codes: 3, height: 2, width: 2, channels: 4, layers: 1, kernel: 3, hidden: 4 };
    const ac = new AbortController();
    ac.abort();
    await expect(trainPixelCnn(randomCodes(c, 8, 1), 8, { config: c, epochs: 2, batchSize: 4, learningRate: 1e-2, validationFraction: 0, seed: 1 }, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects codes that do not fill whole grids', async () => {
    const c: PixelCnnConfig = { codes: 3, height: 2, width: 2, channels: 4, layers: 1, kernel: 3, hidden: 4 };
    await expect(trainPixelCnn(new Int32Array(7), 2, { config: c, epochs: 1, batchSize: 2, learningRate: 1e-2, validationFraction: 0, seed: 1 })).rejects.toMatchObject({ name: 'TrainingInputError' });
  });
});
