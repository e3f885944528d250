import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardNormals, mulberry32 } from '../family/numeric.js';
import { observedWeights, reconstructionNll } from '../vae/losses.js';
import { createGmm, gmmLogDensity } from '../family/mixture.js';
import { decodeLogits, encode, type VaeConfig } from '../vae/spec.js';
import { exportIwaeToOnnx } from './export-iwae.js';
import { OnnxIwaeRunner } from './iwae-runtime.js';
import { randomFrames, randomWeights } from '../../../../test/ml/onnx-reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** log w_k computed in tfjs + plain JS from the definitions (no shared code with the ONNX graph). */
function referenceLogW(
  config: VaeConfig, w: ReturnType<typeof randomWeights>, frames: Uint8Array, n: number, k: number, eps: Float32Array,
  o: { ignore?: Uint8Array; logPrior?: (z: Float32Array) => number } = {},
): Float64Array {
  const S = config.inputSize;
  const L = config.latentDim;
  const x = tf.tensor4d(Float32Array.from(frames, (b) => b / 255), [n, S, S, config.channels]);
  const observed = o.ignore ? observedWeights(o.ignore, S) : undefined;
  const { mu, logvar } = encode(config, w, observed ? (tf.mul(x, observed) as tf.Tensor4D) : x);
  const m = mu.dataSync();
  const lv = logvar.dataSync();
  const out = new Float64Array(k * n);
  for (let j = 0; j < k; j++) {
    const z = new Float32Array(n * L);
    for (let i = 0; i < n * L; i++) z[i] = m[i]! + Math.exp(0.5 * lv[i]!) * eps[j * n * L + i]!;
    const zt = tf.tensor2d(z, [n, L]);
    const logits = decodeLogits(config, w, zt);
    const nll = reconstructionNll(config, w, logits, x, observed).dataSync();
    for (let f = 0; f < n; f++) {
      let logP = 0;
      let logQ = 0;
      for (let d = 0; d < L; d++) {
        const zz = z[f * L + d]!;
        const e = eps[j * n * L + f * L + d]!;
        logP += -0.5 * (Math.log(2 * Math.PI) + zz * zz);
        logQ += -0.5 * (Math.log(2 * Math.PI) + lv[f * L + d]! + e * e);
      }
      if (o.logPrior) logP = o.logPrior(z.slice(f * L, (f + 1) * L));
      out[j * n + f] = -nll[f]! + logP - logQ;
    }
    tf.dispose([zt, logits]);
  }
  tf.dispose([x, mu, logvar, ...(observed ? [observed] : [])]);
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

describe('importance-weighted graph: masked likelihood and another prior', () => {
  const config: VaeConfig = { inputSize: 16, channels: 3, filters: [4, 8], latentDim: 3, likelihood: 'gaussian-learned', fixedLogVar: 0 };
  const n = 3;
  const k = 4;

  async function run(ignore: Uint8Array | undefined, frames: Uint8Array, eps: Float32Array, logPrior?: (z: Float32Array, offset: number, dim: number) => number) {
    const w = randomWeights(config, 5);
    const arrays = Object.fromEntries(Object.entries(w).map(([name, t]) => [name, t.dataSync() as Float32Array]));
    const runner = await OnnxIwaeRunner.create(exportIwaeToOnnx(config, arrays, ignore ? { ignoreMask: ignore } : {}), config.latentDim, config.inputSize, config.channels);
    try {
      return { r: await runner.run(frames, n, k, 0, eps, logPrior), w };
    } finally {
      await runner.dispose();
    }
  }

  it('with an ignore mask: log w_k is the definition over observed pixels, and ignored pixels change nothing', async () => {
    const S = config.inputSize;
    const ignore = new Uint8Array(S * S);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 8; x++) ignore[y * S + x] = 1; // a top-left "timestamp"
    const frames = randomFrames(config, n, 21);
    const eps = Float32Array.from(standardNormals(k * n * config.latentDim, mulberry32(8)));
    const { r, w } = await run(ignore, frames, eps);
    const ref = referenceLogW(config, w, frames, n, k, eps, { ignore });
    for (let i = 0; i < ref.length; i++) expect(Math.abs(r.logW[i]! - ref[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref[i]!)));
    // Scramble the ignored pixels: the weights stay; without the mask they move.
    const scrambled = frames.slice();
    for (let f = 0; f < n; f++) for (let p = 0; p < S * S; p++) if (ignore[p]) for (let c = 0; c < 3; c++) scrambled[(f * S * S + p) * 3 + c] = (scrambled[(f * S * S + p) * 3 + c]! + 97) % 256;
    const again = await run(ignore, scrambled, eps);
    expect(Array.from(again.r.logW)).toEqual(Array.from(r.logW));
    const plain = await run(undefined, frames, eps);
    const plainScrambled = await run(undefined, scrambled, eps);
    expect(Array.from(plainScrambled.r.logW)).not.toEqual(Array.from(plain.r.logW));
    tf.dispose([...Object.values(w), ...Object.values(again.w), ...Object.values(plain.w), ...Object.values(plainScrambled.w)]);
  });

  it("a model's own prior replaces N(0, I): N(0, I) itself changes nothing, a mixture gives the definition", async () => {
    const frames = randomFrames(config, n, 22);
    const eps = Float32Array.from(standardNormals(k * n * config.latentDim, mulberry32(9)));
    const stdNormal = (z: Float32Array, offset: number, dim: number) => {
      let s = -0.5 * dim * Math.log(2 * Math.PI);
      for (let d = 0; d < dim; d++) s -= 0.5 * z[offset + d]! ** 2;
      return s;
    };
    const base = await run(undefined, frames, eps);
    const same = await run(undefined, frames, eps, stdNormal);
    for (let i = 0; i < k * n; i++) expect(same.r.logW[i]!).toBeCloseTo(base.r.logW[i]!, 2);
    const gmm = createGmm([0.3, 0.7], [1, -1, 0.5, -2, 0, 1], [0.5, 2, 1, 1, 0.3, 4]);
    const mixed = await run(undefined, frames, eps, (z, offset) => gmmLogDensity(gmm, z, offset));
    const ref = referenceLogW(config, mixed.w, frames, n, k, eps, { logPrior: (z) => gmmLogDensity(gmm, z, 0) });
    for (let i = 0; i < ref.length; i++) expect(Math.abs(mixed.r.logW[i]! - ref[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref[i]!)));
    for (let f = 0; f < n; f++) expect(mixed.r.bound[f]!).toBeGreaterThanOrEqual(mixed.r.elbo[f]! - 1e-9);
    tf.dispose([...Object.values(base.w), ...Object.values(same.w), ...Object.values(mixed.w)]);
  });
});
