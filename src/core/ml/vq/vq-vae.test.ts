import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { movingSquares } from '../vae/synthetic.js';
import { trainVqVae } from './train-vq.js';
import { straightThrough, type VqConfig } from './vq-vae.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('straight-through estimator', () => {
  it('has the value of z_q and passes the gradient to z_e unchanged (∂z_st/∂z_e = I)', () => {
    const ze = tf.tensor4d([0.3, -1.2, 2, 0.5], [1, 2, 2, 1]);
    const zq = tf.tensor4d([0, -1, 2.5, 1], [1, 2, 2, 1]);
    const f = (z: tf.Tensor) => tf.sum(tf.mul(tf.square(z), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1])));
    const value = straightThrough(ze, zq, ze.clone());
    expect(Array.from(value.dataSync())).toEqual(Array.from(zq.dataSync()));
    const zeConst = ze.clone(); // the value of z_e outside the tape: a constant, not the differentiated input
    const gST = tf.grad((z: tf.Tensor) => f(straightThrough(z as tf.Tensor4D, zq, zeConst)))(ze).dataSync();
    const gAtZq = tf.grad((z: tf.Tensor) => f(z))(zq).dataSync(); // the decoder's gradient at z_q: 2·w·z_q
    for (let i = 0; i < 4; i++) expect(gST[i]!).toBeCloseTo(gAtZq[i]!, 5);
  });
});

describe('trainVqVae', () => {
  it('learns moving squares: reconstruction falls, several codes are in use, restarts keep codes alive', async () => {
    const config: VqConfig = { inputSize: 16, channels: 1, filters: [4, 8], codebookSize: 8, beta: 0.25 };
    const frames = movingSquares(48, 16, 1);
    const r = await trainVqVae(frames, { config, epochs: 6, batchSize: 8, learningRate: 1e-2, validationFraction: 0.25, seed: 3 });
    expect(r.history).toHaveLength(6);
    expect(r.history[5]!.recon).toBeLessThan(r.history[0]!.recon);
    expect(r.usage.perplexity).toBeGreaterThan(1.5);
    expect(r.codebook.length).toBe(8 * 8);
    expect(r.weights['enc.conv0.kernel']!.length).toBe(4 * 4 * 1 * 4);
    expect(r.history.every((h) => h.commitment >= 0 && Number.isFinite(h.valRecon!))).toBe(true);
  });

  it('leaves no tensors behind: more steps do not leave more tensors', async () => {
    const config: VqConfig = { inputSize: 16, channels: 1, filters: [4, 8], codebookSize: 8, beta: 0.25 };
    const frames = movingSquares(32, 16, 1);
    const left = async (epochs: number) => {
      const before = tf.memory().numTensors;
      await trainVqVae(frames, { config, epochs, batchSize: 8, learningRate: 1e-2, validationFraction: 0.25, seed: 4 });
      return tf.memory().numTensors - before;
    };
    const one = await left(1);
    expect(await left(3)).toBe(one);
  });
});
