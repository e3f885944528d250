/**
 * Shared by the ONNX tests and bench/score-onnx.ts: seeded random weights and frames, and the
 * reference scores computed from the tfjs forward pass of src/core/ml/vae/spec.ts.
 */
import { mulberry32 } from '../../src/core/ml/prng.js';
import * as tf from '@tensorflow/tfjs';
import { decodeLogits, decoderLogVar, encode, initWeights, weightSpecs, type VaeConfig, type VaeWeights } from '../../src/core/ml/vae/spec.js';
import { PATCH_SIZE } from '../../src/core/ml/onnx/export-vae.js';

/** The engine's seeded PRNG (mulberry32), floats in [0, 1). */
export const rng = mulberry32;

/**
 * Glorot kernels from spec.initWeights plus non-zero biases (uniform ±biasScale) and, for the
 * learned Gaussian, a non-trivial per-channel decoder log σ² in [−3, 0].
 */
export function randomWeights(config: VaeConfig, seed: number, biasScale = 0.1): VaeWeights {
  const w = initWeights(config, seed);
  const r = rng(seed * 7919 + 13);
  for (const spec of weightSpecs(config)) {
    if (spec.init !== 'zeros') continue;
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = spec.name === 'dec.logvar' ? Float32Array.from({ length: n }, () => -3 * r()) : Float32Array.from({ length: n }, () => (2 * r() - 1) * biasScale);
    w[spec.name]!.dispose();
    w[spec.name] = tf.tensor(values, spec.shape);
  }
  return w;
}

/** Random uint8 NHWC frames; frame 0 is smooth (a gradient), the rest noise, to vary the error. */
export function randomFrames(config: VaeConfig, count: number, seed: number): Uint8Array {
  const S = config.inputSize;
  const C = config.channels;
  const out = new Uint8Array(count * S * S * C);
  const r = rng(seed);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++)
        for (let c = 0; c < C; c++) {
          const i = ((n * S + y) * S + x) * C + c;
          out[i] = n === 0 ? Math.round((255 * (x + y + c)) / (2 * S + C)) : Math.floor(r() * 256);
        }
  return out;
}

export interface ReferenceScores {
  mu: Float32Array;
  logvar: Float32Array;
  /** NHWC, sigmoid of the logits. */
  recon: Float32Array;
  logits: Float32Array;
  /** x in 0..1, NHWC. */
  x: Float32Array;
  errMap: Float64Array;
  patchErr: Float64Array;
  reconMse: Float64Array;
  kl: Float64Array;
  nll: Float64Array;
  elbo: Float64Array;
  /** Mean |3×3 Laplacian| of x over channels and interior pixels, computed directly. */
  sharpness: Float64Array;
}

/**
 * Runs spec.ts' encode / decodeLogits(z = μ) / decoderLogVar in tfjs and computes the scores from
 * their outputs in float64 JS, following the definitions in exportVaeToOnnx's doc comment. With
 * `ignore` (S·S bytes, 1 = ignored) the masked definitions (export-vae.ts ScoreMask), written out
 * directly here: the encoder sees ignored pixels as 0, and every score counts observed pixels only.
 */
export function referenceScores(config: VaeConfig, w: VaeWeights, frames: Uint8Array, count: number, ignore?: Uint8Array): ReferenceScores {
  const S = config.inputSize;
  const C = config.channels;
  const L = config.latentDim;
  // tf.tidy cannot return plain arrays; a manual scope frees the intermediate tensors instead.
  const run = () => {
    const xt = tf.div(tf.tensor4d(Float32Array.from(frames), [count, S, S, C]), 255) as tf.Tensor4D;
    const seen = ignore ? (tf.mul(xt, tf.tensor4d(Float32Array.from(ignore, (v) => (v ? 0 : 1)), [1, S, S, 1])) as tf.Tensor4D) : xt;
    const e = encode(config, w, seen);
    const l = decodeLogits(config, w, e.mu);
    const lvT = decoderLogVar(config, w);
    return {
      mu: e.mu.dataSync() as Float32Array,
      logvar: e.logvar.dataSync() as Float32Array,
      logits: l.dataSync() as Float32Array,
      recon: tf.sigmoid(l).dataSync() as Float32Array,
      x: xt.dataSync() as Float32Array,
      lv: lvT ? Array.from(lvT.dataSync()) : null,
    };
  };
  tf.engine().startScope();
  let out: ReturnType<typeof run>;
  try {
    out = run();
  } finally {
    tf.engine().endScope();
  }
  const { mu, logvar, logits, recon, x, lv } = out;
  const G = S / PATCH_SIZE;
  const errMap = new Float64Array(count * S * S);
  const patchErr = new Float64Array(count * G * G);
  const reconMse = new Float64Array(count);
  const kl = new Float64Array(count);
  const nll = new Float64Array(count);
  const elbo = new Float64Array(count);
  const log2pi = Math.log(2 * Math.PI);
  const ign = (p: number): boolean => !!ignore && ignore[p] === 1;
  let observedCount = 0;
  for (let p = 0; p < S * S; p++) if (!ign(p)) observedCount++;
  const patchObserved = new Float64Array(G * G);
  for (let p = 0; p < S * S; p++) if (!ign(p)) patchObserved[Math.floor(Math.floor(p / S) / PATCH_SIZE) * G + Math.floor((p % S) / PATCH_SIZE)]! += 1;
  for (let n = 0; n < count; n++) {
    let total = 0;
    let nl = 0;
    for (let p = 0; p < S * S; p++) {
      if (ign(p)) continue; // err_map stays 0, nothing is summed
      let e = 0;
      for (let c = 0; c < C; c++) {
        const i = (n * S * S + p) * C + c;
        const xv = x[i]!;
        const d = recon[i]! - xv;
        e += d * d;
        if (lv === null) {
          const l = logits[i]!;
          nl += Math.max(l, 0) - xv * l + Math.log1p(Math.exp(-Math.abs(l)));
        } else {
          nl += 0.5 * (log2pi + lv[c]! + d * d * Math.exp(-lv[c]!));
        }
      }
      errMap[n * S * S + p] = e / C;
      total += e;
      const py = Math.floor(Math.floor(p / S) / PATCH_SIZE);
      const px = Math.floor((p % S) / PATCH_SIZE);
      patchErr[(n * G + py) * G + px]! += e / C / patchObserved[py * G + px]!;
    }
    reconMse[n] = total / (observedCount * C);
    let k = 0;
    for (let j = 0; j < L; j++) {
      const m = mu[n * L + j]!;
      const v = logvar[n * L + j]!;
      k += 0.5 * (Math.exp(v) + m * m - 1 - v);
    }
    kl[n] = k;
    nll[n] = nl;
    elbo[n] = -(nl + k);
  }
  const sharpness = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    let acc = 0;
    let used = 0;
    const at = (y: number, xx: number, c: number) => x[((n * S + y) * S + xx) * C + c]!;
    for (let y = 1; y < S - 1; y++)
      for (let xx = 1; xx < S - 1; xx++) {
        if ([[y, xx], [y - 1, xx], [y + 1, xx], [y, xx - 1], [y, xx + 1]].some(([a, b]) => ign(a! * S + b!))) continue;
        used++;
        for (let c = 0; c < C; c++) acc += Math.abs(4 * at(y, xx, c) - at(y - 1, xx, c) - at(y + 1, xx, c) - at(y, xx - 1, c) - at(y, xx + 1, c));
      }
    sharpness[n] = used ? acc / (used * C) : 0;
  }
  return { mu, logvar, recon, logits, x, errMap, patchErr, reconMse, kl, nll, elbo, sharpness };
}

/** Largest |a − b| / (abs + rel·|b|); ≤ 1 means within tolerance. Also returns the worst index. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, abs: number, rel = 0): { ratio: number; index: number; diff: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let ratio = 0;
  let index = -1;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    const r = Number.isNaN(d) ? Infinity : d / (abs + rel * Math.abs(b[i]!));
    if (r > ratio) {
      ratio = r;
      index = i;
      diff = d;
    }
  }
  return { ratio, index, diff };
}
