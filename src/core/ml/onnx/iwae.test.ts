import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardNormals, mulberry32 } from '../family/numeric.js';
import { reconstructionNll } from '../vae/losses.js';
import { decodeLogits, encode, type VaeConfig } from '../vae/spec.js';
import { exportIwaeToOnnx } from './export-iwae.js';
import { OnnxIwaeRunner } from './iwae-runtime.js';
import { randomFrames, randomWeights } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** log w_k computed in tfjs + plain JS from the definitions (no shared code with the ONNX graph). */
function referenceLogW(config: VaeConfig, w: ReturnType<typeof randomWeights>, frames: Uint8Array, n: number, k: number, eps: Float32Array): Float64Array {
  const S = config.inputSize;
  const L = config.latentDim;
  const x = tf.tensor4d(Float32Array.from(frames, (b) => b / 255), [n, S, S, config.channels]);
  const { mu, logvar } = encode(config, w, x);
  const m = mu.dataSync();
  const lv = logvar.dataSync();
  const out = new Float64Array(k * n);
  for (let j = 0; j < k; j++) {
    const z = new Float32Array(n * L);
    for (let i = 0; i < n * L; i++) z[i] = m[i]! + Math.exp(0.5 * lv[i]!) * eps[j * n * L + i]!;
    const zt = tf.tensor2d(z, [n, L]);
    const logits = decodeLogits(config, w, zt);
    const nll = reconstructionNll(config, w, logits, x).dataSync();
    for (let f = 0; f < n; f++) {
      let logP = 0;
      let logQ = 0;
      for (let d = 0; d < L; d++) {
        const zz = z[f * L + d]!;
        const e = eps[j * n * L + f * L + d]!;
        logP += -0.5 * (Math.log(2 * Math.PI) + zz * zz);
        logQ += -0.5 * (Math.log(2 * Math.PI) + lv[f * L + d]! + e * e);
      }
      out[j * n + f] = -nll[f]! + logP - logQ;
    }
    tf.dispose([zt, logits]);
  }
  tf.dispose([x, mu, logvar]);
  return out;
}

describe.each(['gaussian-learned', 'bernoulli'] as const)('importance-weighted ONNX graph (%s)', (likelihood) => {
  const config: VaeConfig = { inputSize: 16, channels: 3, filters: [4, 8], latentDim: 3, likelihood, fixedLogVar: 0 };

  it('log w_k matches the definition computed in tfjs, draw by draw', async () => {
    const w = randomWeights(config, 3);
    const n = 4;
    const k = 5;
    const frames = randomFrames(config, n, 9);
    const eps = Float32Array.from(standardNormals(k * n * config.latentDim, mulberry32(4)));
    const arrays = Object.fromEntries(Object.entries(w).map(([name, t]) => [name, t.dataSync() as Float32Array]));
    const runner = await OnnxIwaeRunner.create(exportIwaeToOnnx(config, arrays), config.latentDim, config.inputSize, config.channels);
    try {
      const r = await runner.run(frames, n, k, 0, eps);
      const ref = referenceLogW(config, w, frames, n, k, eps);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(r.logW[i]! - ref[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref[i]!)));
      // Jensen for the same draws: L̂_K ≥ mean log w.
      for (let f = 0; f < n; f++) expect(r.bound[f]!).toBeGreaterThanOrEqual(r.elbo[f]! - 1e-9);
    } finally {
      await runner.dispose();
      tf.dispose(Object.values(w));
    }
  });
});

describe('importance-weighted bound', () => {
  it('rises with K on average (L_1 ≤ L_5 ≤ L_50), each estimate over fresh draws', async () => {
    const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 2, likelihood: 'gaussian-learned', fixedLogVar: 0 };
    const w = randomWeights(config, 7);
    const arrays = Object.fromEntries(Object.entries(w).map(([name, t]) => [name, t.dataSync() as Float32Array]));
    const runner = await OnnxIwaeRunner.create(exportIwaeToOnnx(config, arrays), 2, 16, 1);
    const n = 24;
    const frames = randomFrames(config, n, 2);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    try {
      const l1 = mean((await runner.run(frames, n, 1, 11)).bound);
      const l5 = mean((await runner.run(frames, n, 5, 12)).bound);
      const l50 = mean((await runner.run(frames, n, 50, 13)).bound);
      expect(l5).toBeGreaterThan(l1);
      expect(l50).toBeGreaterThan(l5);
    } finally {
      await runner.dispose();
      tf.dispose(Object.values(w));
    }
  });
});
