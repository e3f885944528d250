/**
 * ONNX Runtime against the tfjs forward pass of vae/spec.ts: μ, log σ² and the reconstruction per
 * value within 1e-4, and every score output against the same quantity computed from the tfjs
 * outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VAE_CONFIG, type VaeConfig, type VaeWeights } from '../vae/spec.js';
import { exportVaeToOnnx, samePads, transposeSamePads } from './export-vae.js';
import { OnnxVaeScorer, type VaeScores } from './runtime.js';
import { mulberry32 } from '../prng.js';
import { randomFrames, randomWeights, referenceScores, worst, type ReferenceScores } from '../../../../test/ml/onnx-reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const SMALL: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 3, likelihood: 'bernoulli', fixedLogVar: Math.log(0.05) };
const MID: VaeConfig = { inputSize: 32, channels: 3, filters: [8, 16, 12], latentDim: 5, likelihood: 'gaussian-fixed', fixedLogVar: Math.log(0.02) };

interface Case {
  label: string;
  config: VaeConfig;
  seed: number;
  frames: number;
  biasScale?: number;
}

const cases: Case[] = [
  { label: 'default 64x64x3 gaussian-learned, seed 1', config: DEFAULT_VAE_CONFIG, seed: 1, frames: 4 },
  { label: 'default 64x64x3 gaussian-learned, seed 2', config: DEFAULT_VAE_CONFIG, seed: 2, frames: 3, biasScale: 0.3 },
  { label: 'default 64x64x3 bernoulli, seed 3', config: { ...DEFAULT_VAE_CONFIG, likelihood: 'bernoulli' }, seed: 3, frames: 3 },
  { label: 'default 64x64x3 gaussian-fixed, seed 4', config: { ...DEFAULT_VAE_CONFIG, likelihood: 'gaussian-fixed' }, seed: 4, frames: 2 },
  { label: 'small 16x16x1 bernoulli, seed 5', config: SMALL, seed: 5, frames: 6 },
  { label: 'small 16x16x1 gaussian-learned, seed 6', config: { ...SMALL, likelihood: 'gaussian-learned' }, seed: 6, frames: 5, biasScale: 0.5 },
  { label: 'small 16x16x1 gaussian-fixed, seed 7', config: { ...SMALL, likelihood: 'gaussian-fixed' }, seed: 7, frames: 5 },
  { label: 'mid 32x32x3 (3 layers) gaussian-fixed, seed 8', config: MID, seed: 8, frames: 4 },
  { label: 'mid 32x32x3 (3 layers) bernoulli, seed 9', config: { ...MID, likelihood: 'bernoulli' }, seed: 9, frames: 4 },
];

function expectClose(name: string, got: ArrayLike<number> | undefined, want: ArrayLike<number>, abs: number, rel = 0): void {
  expect(got, `${name} missing`).toBeDefined();
  const w = worst(got!, want, abs, rel);
  expect(w.ratio, `${name}: worst |diff| ${w.diff} at ${w.index} (got ${got![w.index]}, want ${want[w.index]})`).toBeLessThanOrEqual(1);
}

function expectScores(got: VaeScores, ref: ReferenceScores, full: boolean): void {
  expectClose('mu', got.mu, ref.mu, 1e-4);
  expectClose('logvar', got.logvar, ref.logvar, 1e-4);
  if (full) {
    expectClose('recon', got.recon, ref.recon, 1e-4);
    expectClose('err_map', got.errMap, ref.errMap, 1e-4);
  }
  // Scores: measured agreement is ~1e-7 relative; allow 1e-5 (float32 sums in another order).
  expectClose('patch_err', got.patchErr, ref.patchErr, 1e-6, 1e-5);
  expectClose('recon_mse', got.reconMse, ref.reconMse, 1e-6, 1e-5);
  expectClose('kl', got.kl, ref.kl, 1e-5, 1e-5);
  expectClose('sharpness', got.sharpness, ref.sharpness, 1e-6, 1e-5);
  // Sums over S·S·C float32 terms (values in the thousands): relative tolerance.
  expectClose('nll', got.nll, ref.nll, 1e-3, 1e-5);
  expectClose('elbo', got.elbo, ref.elbo, 1e-3, 1e-5);
}

describe('ONNX export parity with the tfjs forward pass', () => {
  const scorers: OnnxVaeScorer[] = [];
  afterAll(async () => {
    for (const s of scorers) await s.dispose();
  });

  for (const c of cases) {
    it(c.label, async () => {
      const w = randomWeights(c.config, c.seed, c.biasScale);
      const frames = randomFrames(c.config, c.frames, c.seed + 100);
      const ref = referenceScores(c.config, w, frames, c.frames);
      const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(c.config, w), { threads: 1 });
      scorers.push(scorer);
      const full = await scorer.run(frames, c.frames, { full: true });
      expectScores(full, ref, true);
      // The scores-only fetch gives the same numbers and leaves the big outputs out.
      const scores = await scorer.run(frames, c.frames);
      expect(scores.recon).toBeUndefined();
      expect(scores.errMap).toBeUndefined();
      expectScores(scores, ref, false);
      // The reference really is non-trivial (guards against comparing zeros with zeros).
      expect(Math.max(...Array.from(ref.mu, Math.abs))).toBeGreaterThan(1e-3);
      expect(Math.max(...ref.reconMse)).toBeGreaterThan(1e-3);
      tf.dispose(Object.values(w));
    });
  }

  it('is exact per frame: a batch scores like the frames one by one', async () => {
    const w = randomWeights(SMALL, 11);
    const frames = randomFrames(SMALL, 4, 12);
    const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(SMALL, w));
    scorers.push(scorer);
    const batch = await scorer.run(frames, 4, { full: true });
    const per = SMALL.inputSize * SMALL.inputSize * SMALL.channels;
    for (let n = 0; n < 4; n++) {
      const one = await scorer.run(frames.subarray(n * per, (n + 1) * per), 1, { full: true });
      expectClose(`frame ${n} nll`, one.nll, batch.nll.subarray(n, n + 1), 1e-3, 1e-6);
      expectClose(`frame ${n} recon`, one.recon, batch.recon!.subarray(n * per, (n + 1) * per), 1e-6);
    }
    tf.dispose(Object.values(w));
  });

  it('saturated Bernoulli logits keep a finite, matching nll', async () => {
    const w = randomWeights(SMALL, 13);
    // Push the last layer's logits to about ±40, where a naive log(sigmoid) overflows in float32.
    const last = `dec.deconv${SMALL.filters.length - 1}.bias`;
    w[last]!.dispose();
    w[last] = tf.tensor1d([40]);
    const frames = randomFrames(SMALL, 3, 14);
    const ref = referenceScores(SMALL, w, frames, 3);
    const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(SMALL, w));
    scorers.push(scorer);
    const got = await scorer.run(frames, 3, { full: true });
    expect(Array.from(got.nll).every(Number.isFinite)).toBe(true);
    expectScores(got, ref, true);
    tf.dispose(Object.values(w));
  });

  it('fails when the transposed-conv kernels are flipped (the test can tell; no flip is needed)', async () => {
    const w = randomWeights(SMALL, 15);
    const frames = randomFrames(SMALL, 2, 16);
    const ref = referenceScores(SMALL, w, frames, 2);
    const flipped: VaeWeights = { ...w };
    for (let i = 0; i < SMALL.filters.length; i++) {
      const k = w[`dec.deconv${i}.kernel`]!;
      flipped[`dec.deconv${i}.kernel`] = tf.reverse(k, [0, 1]);
    }
    const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(SMALL, flipped));
    scorers.push(scorer);
    const got = await scorer.run(frames, 2, { full: true });
    expect(worst(got.mu, ref.mu, 1e-4).ratio).toBeLessThanOrEqual(1); // the encoder is untouched
    expect(worst(got.recon!, ref.recon, 1e-4).ratio).toBeGreaterThan(10);
    tf.dispose(Object.values(w));
    for (let i = 0; i < SMALL.filters.length; i++) flipped[`dec.deconv${i}.kernel`]!.dispose();
  });

  it('takes weights as Float32Arrays as well as tensors (same bytes)', () => {
    const w = randomWeights(SMALL, 17);
    const arrays = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    expect(Buffer.from(exportVaeToOnnx(SMALL, arrays)).equals(Buffer.from(exportVaeToOnnx(SMALL, w)))).toBe(true);
    tf.dispose(Object.values(w));
  });

  it('rejects missing or mis-shaped weights', () => {
    const w = randomWeights(SMALL, 18);
    const { ['enc.mu.kernel']: dropped, ...rest } = w;
    expect(() => exportVaeToOnnx(SMALL, rest)).toThrow(/missing weight enc.mu.kernel/);
    expect(() => exportVaeToOnnx(SMALL, { ...w, 'enc.conv0.bias': new Float32Array(3) })).toThrow(/enc.conv0.bias/);
    expect(() => exportVaeToOnnx(SMALL, { ...w, 'enc.conv0.kernel': tf.zeros([4, 4, 2, 4]) })).toThrow(/shape/);
    dropped!.dispose();
    tf.dispose(Object.values(w));
  });
});

/** An ignore mask for S: one whole 8×8 patch (the top-left), a stripe through the bottom-right patch, and a lone pixel. */
function testMask(S: number): Uint8Array {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) m[y * S + x] = 1;
  for (let x = S - 8; x < S - 3; x++) m[(S - 2) * S + x] = 1;
  m[Math.floor(S / 2) * S + 9] = 1;
  return m;
}

describe('ONNX export parity with an ignore mask baked in (masked likelihood)', () => {
  const scorers: OnnxVaeScorer[] = [];
  afterAll(async () => {
    for (const s of scorers) await s.dispose();
  });
  const masked: Case[] = [
    { label: 'small 16x16x1 bernoulli, masked', config: SMALL, seed: 21, frames: 4 },
    { label: 'small 16x16x1 gaussian-learned, masked', config: { ...SMALL, likelihood: 'gaussian-learned' }, seed: 22, frames: 3, biasScale: 0.5 },
    { label: 'mid 32x32x3 gaussian-fixed, masked', config: MID, seed: 23, frames: 3 },
    { label: 'default 64x64x3 gaussian-learned, masked', config: DEFAULT_VAE_CONFIG, seed: 24, frames: 2 },
  ];
  for (const c of masked) {
    it(c.label, async () => {
      const S = c.config.inputSize;
      const C = c.config.channels;
      const ignore = testMask(S);
      const w = randomWeights(c.config, c.seed, c.biasScale);
      const frames = randomFrames(c.config, c.frames, c.seed + 100);
      const ref = referenceScores(c.config, w, frames, c.frames, ignore);
      const scorer = await OnnxVaeScorer.create(exportVaeToOnnx(c.config, w, { ignoreMask: ignore }), { threads: 1 });
      scorers.push(scorer);
      const got = await scorer.run(frames, c.frames, { full: true });
      expectScores(got, ref, true);
      // The masked numbers differ from the unmasked ones (the reference is not trivially the same).
      const plain = referenceScores(c.config, w, frames, c.frames);
      expect(worst(ref.reconMse, plain.reconMse, 1e-6, 1e-5).ratio).toBeGreaterThan(1);
      // err_map is 0 at every ignored pixel; the reconstruction is there everywhere.
      for (let n = 0; n < c.frames; n++) for (let p = 0; p < S * S; p++) if (ignore[p]) expect(got.errMap![n * S * S + p]).toBe(0);
      expect(Array.from(got.recon!).every((v) => v > 0 && v < 1)).toBe(true);
      // Whatever the ignored pixels hold, every score is the same (latents included).
      const scrambled = frames.slice();
      const r = mulberry32(c.seed);
      for (let n = 0; n < c.frames; n++) for (let p = 0; p < S * S; p++) if (ignore[p]) for (let ch = 0; ch < C; ch++) scrambled[(n * S * S + p) * C + ch] = Math.floor(r() * 256);
      const again = await scorer.run(scrambled, c.frames);
      for (const k of ['mu', 'logvar', 'patchErr', 'reconMse', 'kl', 'nll', 'elbo', 'sharpness'] as const) expectClose(`scrambled ${k}`, again[k], got[k], 1e-6, 1e-6);
      tf.dispose(Object.values(w));
    });
  }

  it('an empty mask exports the unmasked graph byte for byte', () => {
    const w = randomWeights(SMALL, 25);
    const a = exportVaeToOnnx(SMALL, w);
    expect(Buffer.from(exportVaeToOnnx(SMALL, w, { ignoreMask: new Uint8Array(16 * 16) })).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(exportVaeToOnnx(SMALL, w, { ignoreMask: testMask(16) })).equals(Buffer.from(a))).toBe(false);
    expect(() => exportVaeToOnnx(SMALL, w, { ignoreMask: new Uint8Array(16 * 16).fill(1) })).toThrow(/covers every pixel/);
    expect(() => exportVaeToOnnx(SMALL, w, { ignoreMask: new Uint8Array(5) })).toThrow(/256 values/);
    tf.dispose(Object.values(w));
  });
});

describe('TF "same" padding', () => {
  it('splits the total pad as TF does (odd pixel at the end)', () => {
    expect(samePads(64, 4, 2)).toEqual([1, 1]); // out 32: (31·2 + 4 − 64) = 2
    expect(samePads(5, 4, 2)).toEqual([1, 2]); // out 3: (2·2 + 4 − 5) = 3
    expect(samePads(7, 3, 2)).toEqual([1, 1]);
    expect(samePads(6, 3, 2)).toEqual([0, 1]);
    expect(samePads(4, 1, 2)).toEqual([0, 0]);
  });

  it('matches tf.conv2d on an odd size (asymmetric pads)', () => {
    // Checks the split itself against tfjs: conv with explicit pads == conv with 'same'.
    const x = tf.randomUniform([1, 5, 5, 2], -1, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomUniform([4, 4, 2, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const [b, e] = samePads(5, 4, 2);
    const same = tf.conv2d(x, k, 2, 'same');
    const explicit = tf.conv2d(x, k, 2, [[0, 0], [b, e], [b, e], [0, 0]]);
    expect(worst(explicit.dataSync(), same.dataSync(), 1e-6).ratio).toBeLessThanOrEqual(1);
    const swapped = tf.conv2d(x, k, 2, [[0, 0], [e, b], [e, b], [0, 0]]);
    expect(worst(swapped.dataSync(), same.dataSync(), 1e-6).ratio).toBeGreaterThan(1);
    tf.dispose([x, k, same, explicit, swapped]);
  });

  it('gives ConvTranspose pads and output_padding for in·stride outputs', () => {
    expect(transposeSamePads(4, 8, 4, 2)).toEqual({ pads: [1, 1], outputPadding: 0 });
    expect(transposeSamePads(16, 32, 4, 2)).toEqual({ pads: [1, 1], outputPadding: 0 });
    // Kernel 3: total pad 1, split 0/1 (the odd pixel at the end).
    expect(transposeSamePads(4, 8, 3, 2)).toEqual({ pads: [0, 1], outputPadding: 0 });
    // Kernel 1: no pad, and ONNX needs one extra output row at the end to reach in·stride.
    expect(transposeSamePads(4, 8, 1, 2)).toEqual({ pads: [0, 0], outputPadding: 1 });
    // Odd output size: ceil(9 / 2) = 5 inputs, pads 1/2.
    expect(transposeSamePads(5, 9, 4, 2)).toEqual({ pads: [1, 2], outputPadding: 0 });
    expect(() => transposeSamePads(4, 10, 4, 2)).toThrow(RangeError);
  });
});
