import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { vaeTerms } from '../vae/losses.js';
import { COND_CLAMP, decodeLogits, encode, inputChannels, splitConditional, weightSpecs, type VaeConfig } from '../vae/spec.js';
import { exportVaeToOnnx } from './export-vae.js';
import { OnnxVaeScorer } from './runtime.js';
import { randomFrames, randomWeights } from '../../../../test/ml/onnx-reference.js';

const config: VaeConfig = { inputSize: 16, channels: 3, filters: [4, 8], latentDim: 3, likelihood: 'gaussian-learned', fixedLogVar: 0, conditionFrames: 1 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('conditional VAE (frame t given frame t − 1)', () => {
  it('takes 2C input channels and has a per-channel condition scale', () => {
    expect(inputChannels(config)).toBe(6);
    const specs = weightSpecs(config);
    expect(specs.find((s) => s.name === 'enc.conv0.kernel')!.shape).toEqual([4, 4, 6, 4]);
    expect(specs.find((s) => s.name === 'dec.cond.scale')!.shape).toEqual([3]);
  });

  it('with a silent decoder predicts exactly the (clamped) previous frame: sigmoid(logit(p)) = p', () => {
    const w = randomWeights(config, 2);
    for (const name of Object.keys(w).filter((n) => n.startsWith('dec.') && n !== 'dec.logvar')) {
      const z = tf.zerosLike(w[name]!);
      w[name]!.dispose();
      w[name] = z;
    }
    const prev = tf.tensor4d(Float32Array.from(randomFrames({ ...config, conditionFrames: 0 }, 2, 5), (b) => b / 255), [2, 16, 16, 3]);
    const mean = tf.sigmoid(decodeLogits(config, w, tf.zeros([2, 3]), prev)).dataSync();
    const p = prev.dataSync();
    for (let i = 0; i < p.length; i++) expect(mean[i]!).toBeCloseTo(Math.min(1 - COND_CLAMP, Math.max(COND_CLAMP, p[i]!)), 5);
    expect(() => decodeLogits(config, w, tf.zeros([2, 3]))).toThrow(/previous frame/);
    tf.dispose([prev, ...Object.values(w)]);
  });

  it('ONNX export matches tfjs: μ, reconstruction of the current frame only, NLL', async () => {
    const w = randomWeights(config, 4);
    const n = 3;
    const bytes = randomFrames({ ...config, channels: 6, conditionFrames: 0 } as VaeConfig, n, 8); // 6 channels of noise and a gradient
    const input = tf.tensor4d(Float32Array.from(bytes, (b) => b / 255), [n, 16, 16, 6]);
    const { x, cond } = splitConditional(config, input);
    const { mu } = encode(config, w, input);
    const recon = tf.sigmoid(decodeLogits(config, w, mu, cond)).dataSync();
    const t = vaeTerms(config, w, input, tf.zeros([n, 3]) as tf.Tensor2D); // z = μ: the ONNX nll is at z = μ
    const nll = t.recon.dataSync();
    const arrays = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.dataSync() as Float32Array]));
    const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(config, arrays));
    try {
      expect(scorer.channels).toBe(6);
      const s = await scorer.run(bytes, n, { full: true });
      const m = mu.dataSync();
      for (let i = 0; i < m.length; i++) expect(Math.abs(s.mu[i]! - m[i]!)).toBeLessThan(1e-4);
      expect(s.recon!.length).toBe(n * 16 * 16 * 3);
      for (let i = 0; i < recon.length; i++) expect(Math.abs(s.recon![i]! - recon[i]!)).toBeLessThan(1e-4);
      for (let i = 0; i < n; i++) expect(Math.abs(s.nll[i]! - nll[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(nll[i]!)));
      // recon_mse is against the current frame (channels 0..2), not the previous one.
      const xs = x.dataSync();
      let se = 0;
      for (let i = 0; i < 16 * 16 * 3; i++) se += (recon[i]! - xs[i]!) ** 2;
      expect(s.reconMse[0]!).toBeCloseTo(se / (16 * 16 * 3), 4);
    } finally {
      await scorer.dispose();
      tf.dispose([input, x, mu, ...Object.values(w)]);
      if (cond) cond.dispose();
    }
  });
});

describe('conditional VAE on k = 2 earlier frames (t − 1 and t − 2)', () => {
  const k2: VaeConfig = { ...config, conditionFrames: 2 };

  it('takes 3C input channels and a condition scale per earlier frame and channel; k is checked', () => {
    expect(inputChannels(k2)).toBe(9);
    const specs = weightSpecs(k2);
    expect(specs.find((s) => s.name === 'enc.conv0.kernel')!.shape).toEqual([4, 4, 9, 4]);
    expect(specs.find((s) => s.name === 'dec.cond.scale')!.shape).toEqual([6]);
    expect(() => weightSpecs({ ...config, conditionFrames: 5 })).toThrow(/0 to 4/);
  });

  it('with a silent decoder predicts the mean logit of the earlier frames', () => {
    const w = randomWeights(k2, 2);
    for (const name of Object.keys(w).filter((n) => n.startsWith('dec.') && n !== 'dec.logvar')) {
      const z = tf.zerosLike(w[name]!);
      w[name]!.dispose();
      w[name] = z;
    }
    const earlier = Float32Array.from(randomFrames({ ...config, channels: 6, conditionFrames: 0 } as VaeConfig, 1, 5), (b) => b / 255);
    const cond = tf.tensor4d(earlier, [1, 16, 16, 6]);
    const mean = tf.sigmoid(decodeLogits(k2, w, tf.zeros([1, 3]), cond)).dataSync();
    const logit = (v: number) => {
      const p = Math.min(1 - COND_CLAMP, Math.max(COND_CLAMP, v));
      return Math.log(p / (1 - p));
    };
    for (let px = 0; px < 256; px++)
      for (let c = 0; c < 3; c++) {
        const want = 1 / (1 + Math.exp(-(logit(earlier[px * 6 + c]!) + logit(earlier[px * 6 + 3 + c]!)) / 2));
        expect(mean[px * 3 + c]!).toBeCloseTo(want, 5);
      }
    tf.dispose([cond, ...Object.values(w)]);
  });

  it('ONNX export matches tfjs: μ, reconstruction, NLL', async () => {
    const w = randomWeights(k2, 6);
    // Non-zero condition scales, so the per-frame weights are exercised.
    w['dec.cond.scale']!.dispose();
    w['dec.cond.scale'] = tf.tensor1d([0.2, -0.1, 0.05, -0.3, 0.1, 0.4]);
    const n = 3;
    const bytes = randomFrames({ ...config, channels: 9, conditionFrames: 0 } as unknown as VaeConfig, n, 8);
    const input = tf.tensor4d(Float32Array.from(bytes, (b) => b / 255), [n, 16, 16, 9]);
    const { cond } = splitConditional(k2, input);
    const { mu } = encode(k2, w, input);
    const recon = tf.sigmoid(decodeLogits(k2, w, mu, cond)).dataSync();
    const nll = vaeTerms(k2, w, input, tf.zeros([n, 3]) as tf.Tensor2D).recon.dataSync();
    const arrays = Object.fromEntries(Object.entries(w).map(([name, v]) => [name, v.dataSync() as Float32Array]));
    const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(k2, arrays));
    try {
      expect(scorer.channels).toBe(9);
      const s = await scorer.run(bytes, n, { full: true });
      const m = mu.dataSync();
      for (let i = 0; i < m.length; i++) expect(Math.abs(s.mu[i]! - m[i]!)).toBeLessThan(1e-4);
      for (let i = 0; i < recon.length; i++) expect(Math.abs(s.recon![i]! - recon[i]!)).toBeLessThan(1e-4);
      for (let i = 0; i < n; i++) expect(Math.abs(s.nll[i]! - nll[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(nll[i]!)));
    } finally {
      await scorer.dispose();
      tf.dispose([input, mu, ...Object.values(w)]);
      cond?.dispose();
    }
  });
});
