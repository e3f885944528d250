import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nearestCodes } from '../family/vq.js';
import { gaussianNll } from '../vae/losses.js';
import { decodeGridLogits, encodeGrid, initVqWeights, type VqConfig } from '../vq/vq-vae.js';
import { exportVqToOnnx } from './export-vq.js';
import { OnnxVaeScorer } from './runtime.js';
import { randomFrames, rng } from '../../../../test/ml/onnx-reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('VQ-VAE ONNX scorer', () => {
  it('matches tfjs: the nearest codes, the reconstruction from them, the NLL and a constant KL of G²·log K', async () => {
    const config: VqConfig = { inputSize: 16, channels: 3, filters: [4, 8], codebookSize: 6, beta: 0.25 };
    const w = initVqWeights(config, 5);
    w['dec.logvar']!.dispose();
    w['dec.logvar'] = tf.tensor1d([-2, -1.5, -3]);
    const arrays = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    const n = 3;
    const bytes = randomFrames({ inputSize: 16, channels: 3, filters: [4], latentDim: 1, likelihood: 'bernoulli', fixedLogVar: 0 }, n, 6);
    const x = tf.tensor4d(Float32Array.from(bytes, (b) => b / 255), [n, 16, 16, 3]);
    const ze = encodeGrid(config, w, x);
    const z = ze.dataSync() as Float32Array;
    // Codes drawn near encoder outputs so several are in use.
    const r = rng(3);
    const codebook = new Float32Array(6 * 8);
    for (let k = 0; k < 6; k++) for (let j = 0; j < 8; j++) codebook[k * 8 + j] = z[Math.floor(r() * 16 * n) * 8 + j]! + 0.01 * k;
    const { codes } = nearestCodes(z, codebook, 8);
    const zq = new Float32Array(z.length);
    codes.forEach((k, i) => zq.set(codebook.subarray(k * 8, k * 8 + 8), i * 8));
    const logits = decodeGridLogits(config, w, tf.tensor4d(zq, [n, 4, 4, 8]));
    const recon = tf.sigmoid(logits).dataSync();
    const nll = gaussianNll(logits, w['dec.logvar']!, x).dataSync();
    const scorer = await OnnxVaeScorer.create(exportVqToOnnx(config, arrays, codebook));
    try {
      const s = await scorer.run(bytes, n, { full: true });
      expect(Array.from(s.codes!)).toEqual(Array.from(codes));
      for (let i = 0; i < recon.length; i++) expect(Math.abs(s.recon![i]! - recon[i]!)).toBeLessThan(1e-4);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(s.nll[i]! - nll[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(nll[i]!)));
        expect(s.kl[i]!).toBeCloseTo(16 * Math.log(6), 4);
        expect(s.elbo[i]!).toBeCloseTo(-(s.nll[i]! + s.kl[i]!), 2);
      }
      // mu is z_q averaged over the 4×4 grid.
      let m0 = 0;
      for (let p = 0; p < 16; p++) m0 += zq[p * 8]!;
      expect(s.mu[0]!).toBeCloseTo(m0 / 16, 4);
      expect(s.logvar.every((v) => v === 0)).toBe(true);
    } finally {
      await scorer.dispose();
      tf.dispose([x, ze, logits, ...Object.values(w)]);
    }
  });

  it('bakes an ignore mask in: the encoder and every score are blind to ignored pixels, err_map is 0 there; no mask: the same bytes', async () => {
    const config: VqConfig = { inputSize: 16, channels: 3, filters: [4, 8], codebookSize: 6, beta: 0.25 };
    const w = initVqWeights(config, 7);
    const arrays = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    tf.dispose(Object.values(w));
    const r = rng(8);
    const codebook = Float32Array.from({ length: 6 * 8 }, () => r() - 0.5);
    const ignore = new Uint8Array(256);
    for (let p = 0; p < 48; p++) ignore[p] = 1; // the top three rows
    expect(Buffer.from(exportVqToOnnx(config, arrays, codebook, new Uint8Array(256))).equals(Buffer.from(exportVqToOnnx(config, arrays, codebook)))).toBe(true);
    const scorer = await OnnxVaeScorer.create(exportVqToOnnx(config, arrays, codebook, ignore));
    try {
      const frames = randomFrames({ inputSize: 16, channels: 3, filters: [4], latentDim: 1, likelihood: 'bernoulli', fixedLogVar: 0 }, 2, 9);
      const a = await scorer.run(frames, 2, { full: true });
      const scrambled = frames.slice();
      for (let f = 0; f < 2; f++) for (let p = 0; p < 48; p++) scrambled.fill((p * 29 + f * 7) % 256, (f * 256 + p) * 3, (f * 256 + p) * 3 + 3);
      const b = await scorer.run(scrambled, 2, { full: true });
      expect(Array.from(b.codes!)).toEqual(Array.from(a.codes!));
      for (const k of ['reconMse', 'patchErr', 'nll', 'sharpness'] as const) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
      for (let f = 0; f < 2; f++) for (let p = 0; p < 48; p++) expect(a.errMap![f * 256 + p]).toBe(0);
    } finally {
      await scorer.dispose();
    }
  });
});
