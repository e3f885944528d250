import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/index.js';
import { movingSquares } from '../vae/synthetic.js';
import type { FrameSet } from '../vae/train.js';
import { trainVqVae } from '../vq/train-vq.js';
import type { VqConfig } from '../vq/vq-vae.js';
import { generateFrames, runVqPixelCnn, type TrainedVq, upsampleNllMap } from './vq-pixelcnn.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A 6×6 checkerboard (0/255, nothing like the footage) pasted at (x0, y0). */
function withObject(f: FrameSet, x0: number, y0: number): FrameSet {
  const data = f.data.slice();
  for (let n = 0; n < f.count; n++)
    for (let y = y0; y < y0 + 6; y++) for (let x = x0; x < x0 + 6; x++) data[(n * f.size + y) * f.size + x] = (x + y) % 2 ? 255 : 0;
  return { ...f, data };
}

describe('VQ-VAE + PixelCNN prior pipeline', () => {
  it('scores footage with a foreign object as less likely, and the heatmap is hottest on the object', async () => {
    const config: VqConfig = { inputSize: 16, channels: 1, filters: [4, 8], codebookSize: 8, beta: 0.25 };
    const all = movingSquares(96, 16, 1);
    const train: FrameSet = { ...all, count: 64, data: all.data.subarray(0, 64 * 256) };
    const normal: FrameSet = { ...all, count: 32, data: all.data.slice(64 * 256) };
    const vqr = await trainVqVae(train, { config, epochs: 6, batchSize: 8, learningRate: 1e-2, validationFraction: 0.25, seed: 3 });
    const vq: TrainedVq = { config, weights: vqr.weights, codebook: vqr.codebook };
    const odd = withObject(normal, 8, 0);
    const both: FrameSet = { ...normal, count: 64, data: new Uint8Array([...normal.data, ...odd.data]) };
    const tensors = tf.memory().numTensors;
    const { prior, scores } = await runVqPixelCnn(vq, train, both, { arch: { channels: 16, layers: 3, hidden: 32 }, epochs: 15, batchSize: 16, learningRate: 1e-2, seed: 2 });
    expect(prior.training.history[prior.training.bestEpoch]!.valNll!).toBeLessThan(prior.training.initialNll);
    expect(scores.codeNll).toHaveLength(64);
    expect(scores.nllMap).toHaveLength(64 * 16);
    expect(scores.heatmap).toHaveLength(64 * 256);
    const mean = (a: ArrayLike<number>, from: number, to: number): number => {
      let s = 0;
      for (let i = from; i < to; i++) s += a[i]!;
      return s / (to - from);
    };
    expect(mean(scores.codeNll, 32, 64)).toBeGreaterThan(mean(scores.codeNll, 0, 32) + 2);
    // Per frame: the heatmap's mean over the object's pixels beats its mean elsewhere.
    let hot = 0;
    for (let n = 32; n < 64; n++) {
      let on = 0;
      let off = 0;
      for (let p = 0; p < 256; p++) {
        const x = p % 16;
        const y = Math.floor(p / 16);
        if (x >= 8 && x < 14 && y < 6) on += scores.heatmap[n * 256 + p]! / 36;
        else off += scores.heatmap[n * 256 + p]! / 220;
      }
      if (on > off) hot++;
    }
    expect(hot).toBeGreaterThanOrEqual(26);
    // Generation: sampled grids decoded to frames, reproducible from the seed.
    const g1 = generateFrames(vq, prior, { count: 3, seed: 9 });
    const g2 = generateFrames(vq, prior, { count: 3, seed: 9 });
    expect(g1.frames).toHaveLength(3 * 256);
    expect(g1.codes.every((k) => k >= 0 && k < 8)).toBe(true);
    expect(Array.from(g2.frames)).toEqual(Array.from(g1.frames));
    expect(tf.memory().numTensors).toBe(tensors); // nothing leaked
  });

  it('upsamples a grid map by blocks', () => {
    expect(Array.from(upsampleNllMap([1, 2, 3, 4], 1, 2, 4))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});
