/**
 * Masked (missing-data) likelihood, issue 5 item 6: the NLL over observed pixels only, checked
 * against a direct float64 reference; zero gradient through ignored pixels; trainVae with a mask.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomWeights } from '../../../../test/ml/onnx-reference.js';
import { mulberry32 } from '../prng.js';
import { bernoulliNll, gaussianNll, LOG_2PI, observedWeights, reconstructionNll, vaeTerms } from './losses.js';
import { initWeights, type VaeConfig, type VaeWeights } from './spec.js';
import { movingSquares } from './synthetic.js';
import { trainVae, type TrainOptions } from './train.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 2;
const S = 4;
const C = 3;
const r = mulberry32(42);
const logitsV = Float32Array.from({ length: N * S * S * C }, () => 6 * r() - 3);
const xV = Float32Array.from({ length: N * S * S * C }, () => r());
// Ignore the top-left 2×2 block and one more pixel: 5 of 16.
const ignore = new Uint8Array(S * S);
for (const p of [0, 1, 4, 5, 14]) ignore[p] = 1;
const lv = [-2, -1.5, -0.5];

function reference(kind: 'bernoulli' | 'gaussian', useMask: boolean): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let p = 0; p < S * S; p++) {
      if (useMask && ignore[p]) continue;
      for (let c = 0; c < C; c++) {
        const i = (n * S * S + p) * C + c;
        const l = logitsV[i]!;
        const x = xV[i]!;
        if (kind === 'bernoulli') s += Math.max(l, 0) - l * x + Math.log1p(Math.exp(-Math.abs(l)));
        else {
          const mean = 1 / (1 + Math.exp(-l));
          s += 0.5 * (LOG_2PI + lv[c]! + (x - mean) ** 2 * Math.exp(-lv[c]!));
        }
      }
    }
    out.push(s);
  }
  return out;
}

describe('masked reconstruction NLL', () => {
  const logits = () => tf.tensor4d(logitsV, [N, S, S, C]);
  const x = () => tf.tensor4d(xV, [N, S, S, C]);

  it('equals the NLL summed over the unmasked pixels only (Bernoulli and Gaussian, direct reference)', () => {
    const obs = observedWeights(ignore, S);
    const b = Array.from(bernoulliNll(logits(), x(), obs).dataSync());
    const g = Array.from(gaussianNll(logits(), tf.tensor1d(lv), x(), obs).dataSync());
    const wantB = reference('bernoulli', true);
    const wantG = reference('gaussian', true);
    for (let n = 0; n < N; n++) {
      expect(b[n]).toBeCloseTo(wantB[n]!, 4);
      expect(g[n]).toBeCloseTo(wantG[n]!, 4);
    }
    // And it really is a different number from the unmasked NLL (the test can tell).
    expect(Math.abs(b[0]! - reference('bernoulli', false)[0]!)).toBeGreaterThan(1);
    expect(Math.abs(g[0]! - reference('gaussian', false)[0]!)).toBeGreaterThan(1);
    // Without a mask: the full sum, as before.
    expect(bernoulliNll(logits(), x()).dataSync()[0]).toBeCloseTo(reference('bernoulli', false)[0]!, 4);
  });

  it('gives exactly zero gradient for the ignored pixels\' logits and non-zero for the others', () => {
    const obs = observedWeights(ignore, S);
    for (const kind of ['bernoulli', 'gaussian'] as const) {
      const grad = tf.grad((l: tf.Tensor) => tf.sum(kind === 'bernoulli' ? bernoulliNll(l, x(), obs) : gaussianNll(l, tf.tensor1d(lv), x(), obs)))(logits());
      const gv = grad.dataSync();
      for (let n = 0; n < N; n++)
        for (let p = 0; p < S * S; p++)
          for (let c = 0; c < C; c++) {
            const v = gv[(n * S * S + p) * C + c]!;
            if (ignore[p]) expect(Math.abs(v), `${kind} pixel ${p}`).toBe(0);
            else expect(Math.abs(v), `${kind} pixel ${p}`).toBeGreaterThan(0);
          }
    }
  });

  it('an all-observed mask gives the unmasked NLL', () => {
    const none = observedWeights(new Uint8Array(S * S), S);
    const cfg: VaeConfig = { inputSize: S, channels: C, filters: [2], latentDim: 2, likelihood: 'gaussian-fixed', fixedLogVar: -2 };
    const w = initWeights(cfg, 1);
    const a = reconstructionNll(cfg, w, logits(), x(), none).dataSync();
    const b = reconstructionNll(cfg, w, logits(), x()).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('vaeTerms with an ignore mask', () => {
  const cfg: VaeConfig = { inputSize: 8, channels: 1, filters: [4, 4], latentDim: 3, likelihood: 'bernoulli', fixedLogVar: 0 };
  const ign = new Uint8Array(64);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 8; j++) ign[i * 8 + j] = 1; // the top three rows
  const frame = (noise: number) => {
    const rr = mulberry32(noise);
    return tf.tensor4d(Float32Array.from({ length: 64 }, (_, p) => (ign[p] ? rr() : ((p % 8) / 8))), [1, 8, 8, 1]);
  };

  it('is blind to what the ignored pixels hold: the same terms, and zero gradient w.r.t. those pixels', () => {
    const w: VaeWeights = randomWeights(cfg, 3, 0.3); // non-zero biases and heads: every path carries signal
    const obs = observedWeights(ign, 8);
    const eps = tf.zeros([1, 3]) as tf.Tensor2D;
    const a = vaeTerms(cfg, w, frame(1) as tf.Tensor4D, eps, obs);
    const b = vaeTerms(cfg, w, frame(2) as tf.Tensor4D, eps, obs);
    expect(Array.from(a.recon.dataSync())).toEqual(Array.from(b.recon.dataSync()));
    expect(Array.from(a.mu.dataSync())).toEqual(Array.from(b.mu.dataSync()));
    const unmasked = [vaeTerms(cfg, w, frame(1) as tf.Tensor4D, eps), vaeTerms(cfg, w, frame(2) as tf.Tensor4D, eps)];
    expect(unmasked[0]!.recon.dataSync()[0]).not.toBe(unmasked[1]!.recon.dataSync()[0]);
    const gx = tf.grad((x: tf.Tensor) => {
      const t = vaeTerms(cfg, w, x as tf.Tensor4D, eps, obs);
      return tf.add(tf.sum(t.recon), tf.sum(t.kl));
    })(frame(1)).dataSync();
    for (let p = 0; p < 64; p++) if (ign[p]) expect(Math.abs(gx[p]!), `pixel ${p}`).toBe(0);
    expect(Array.from(gx).some((v, p) => !ign[p] && v !== 0)).toBe(true);
  });
});

describe('trainVae with an ignore mask', () => {
  const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
  const base: TrainOptions = { config, epochs: 1, batchSize: 8, learningRate: 1e-2, validationFraction: 0.25, seed: 11 };
  const frames = movingSquares(16, 16, 1);

  it('trains; an all-zero mask is the unmasked run bit for bit; noise under the mask changes nothing', async () => {
    const bits = (w: VaeWeights) => Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer))]));
    const plain = await trainVae(frames, base);
    const zero = await trainVae(frames, { ...base, ignoreMask: new Uint8Array(256) });
    expect(bits(zero.weights)).toEqual(bits(plain.weights));
    // Mask the left quarter; scramble it differently in two copies of the frames: the runs agree exactly.
    const ignoreMask = new Uint8Array(256);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 4; j++) ignoreMask[i * 16 + j] = 1;
    const scrambled = (seed: number) => {
      const rr = mulberry32(seed);
      const data = frames.data.slice();
      for (let f = 0; f < frames.count; f++) for (let p = 0; p < 256; p++) if (ignoreMask[p]) data[f * 256 + p] = Math.floor(rr() * 256);
      return { ...frames, data };
    };
    const m1 = await trainVae(scrambled(1), { ...base, ignoreMask });
    const m2 = await trainVae(scrambled(2), { ...base, ignoreMask });
    expect(m1.history[0]!.loss).toBe(m2.history[0]!.loss);
    expect(m1.history[0]!.valLoss).toBe(m2.history[0]!.valLoss);
    // dec.logvar starts from the observed pixels only, so even it agrees.
    expect(bits(m1.weights)).toEqual(bits(m2.weights));
    expect(bits(m1.weights)).not.toEqual(bits(plain.weights));
    for (const t of [plain, zero, m1, m2]) tf.dispose(Object.values(t.weights));
  });

  it('does not resume a checkpoint made under another mask', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-mask-'));
    try {
      const checkpointPath = join(dir, 'run.ckpt');
      const left = new Uint8Array(256);
      for (let i = 0; i < 16; i++) left[i * 16] = 1;
      const top = new Uint8Array(256).fill(1, 0, 16);
      const first = await trainVae(frames, { ...base, ignoreMask: left, checkpointPath });
      await expect(trainVae(frames, { ...base, epochs: 2, ignoreMask: top, checkpointPath, resume: true })).rejects.toThrow(/cannot resume/);
      await expect(trainVae(frames, { ...base, epochs: 2, checkpointPath, resume: true })).rejects.toThrow(/cannot resume/);
      const resumed = await trainVae(frames, { ...base, epochs: 2, ignoreMask: left, checkpointPath, resume: true });
      expect(resumed.resumedFromEpoch).toBe(1);
      tf.dispose([...Object.values(first.weights), ...Object.values(resumed.weights)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a mask of the wrong size, with other values, or covering everything', async () => {
    await expect(trainVae(frames, { ...base, ignoreMask: new Uint8Array(10) })).rejects.toThrow(/ignoreMask must be a Uint8Array of inputSize² = 256/);
    await expect(trainVae(frames, { ...base, ignoreMask: new Uint8Array(256).fill(2) })).rejects.toThrow(/0 \(counts\) or 1 \(ignored\)/);
    await expect(trainVae(frames, { ...base, ignoreMask: new Uint8Array(256).fill(1) })).rejects.toThrow(/covers every pixel/);
  });
});
