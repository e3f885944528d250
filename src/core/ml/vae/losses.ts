/**
 * The VAE's loss terms, per example, in nats per frame (summed over every pixel and channel).
 *
 *   z      = μ + exp(½ log σ²) ⊙ ε,  ε ~ N(0, I)                      (reparameterization)
 *   KL     = ½ Σ_j ( σ_j² + μ_j² − 1 − log σ_j² )                      KL(q(z|x) ‖ N(0, I)), closed form
 *   NLL    = −log p(x | z)                                             Bernoulli or Gaussian decoder
 *   ELBO   = −(NLL + KL)                                               a single-sample estimate when z is sampled
 *
 * Bernoulli: p(x|z) = Π x̂^x (1 − x̂)^(1−x) with x̂ = sigmoid(logits) and x in [0, 1] (a continuous
 * relaxation for grey levels; it is a true log-likelihood only for binary x). Computed straight from
 * the logits: max(l, 0) − l·x + log(1 + exp(−|l|)), which never overflows.
 *
 * Gaussian: p(x|z) = N(x; sigmoid(logits), diag(exp(log σ²_c))) with one log σ² per channel:
 * ½ Σ ( log 2π + log σ²_c + (x − x̂)² / σ²_c ), a true NLL in nats (it can be negative: it is a density).
 *
 * Masked (missing-data) likelihood, issue 5 item 6: pass `observed`, a 0/1 weight tensor that
 * broadcasts against NHWC (the trainer uses [1, S, S, 1], 1 = the pixel counts, 0 = the analyst
 * ignores it), and the NLL sums only over observed pixels: −log p(x_obs | z). Ignored pixels add
 * nothing to the loss and get exactly zero gradient; the decoder still predicts them (the
 * reconstruction fills them in). Without `observed` every function computes exactly what it did
 * before (the same ops, so the same bits).
 *
 * Every function takes and returns tensors and allocates inside tf.tidy; the caller owns the result.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeLogits, decoderLogVar, encode, splitConditional, type VaeConfig, type VaeWeights } from './spec.js';

export const LOG_2PI = Math.log(2 * Math.PI);

/** Sum over every axis but the first: [N, ...] -> [N]. */
function sumPerExample(t: tf.Tensor): tf.Tensor1D {
  if (t.rank < 2) throw new RangeError(`expected a batch tensor of rank >= 2, got shape [${t.shape.join(', ')}]`);
  const axes = [];
  for (let a = 1; a < t.rank; a++) axes.push(a);
  return tf.sum(t, axes) as tf.Tensor1D;
}

function sameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new RangeError(`${what}: shapes differ, [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
}

/** Zero the ignored pixels' terms (observed = 0) before summing; no mask: the terms as they are. */
function keepObserved(perPixel: tf.Tensor, observed: tf.Tensor | undefined): tf.Tensor {
  return observed ? tf.mul(perPixel, observed) : perPixel;
}

/**
 * Bernoulli negative log-likelihood from logits, per example [N], nats (sigmoid cross-entropy,
 * stable). With `observed`, only over the observed pixels.
 */
export function bernoulliNll(logits: tf.Tensor, x: tf.Tensor, observed?: tf.Tensor): tf.Tensor1D {
  sameShape(logits, x, 'bernoulliNll');
  return tf.tidy(() => {
    const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return sumPerExample(keepObserved(perPixel, observed));
  });
}

/**
 * Gaussian negative log-likelihood per example [N], nats: mean sigmoid(logits), log σ² per channel
 * (logvar has shape [C], broadcast over the last axis of NHWC; a scalar or a full per-pixel tensor
 * also broadcasts). With `observed`, only over the observed pixels (their log σ² terms included).
 */
export function gaussianNll(logits: tf.Tensor, logvar: tf.Tensor, x: tf.Tensor, observed?: tf.Tensor): tf.Tensor1D {
  sameShape(logits, x, 'gaussianNll');
  return tf.tidy(() => {
    const mean = tf.sigmoid(logits);
    const sq = tf.square(tf.sub(x, mean));
    const perPixel = tf.mul(0.5, tf.add(tf.add(LOG_2PI, logvar), tf.mul(sq, tf.exp(tf.neg(logvar)))));
    // broadcasting a [C] logvar against [N,H,W,C] already gives the full shape because sq has it.
    return sumPerExample(keepObserved(perPixel, observed));
  });
}

/** The decoder's NLL for this config: Bernoulli, or Gaussian with decoderLogVar(config, weights); with `observed`, over observed pixels only. */
export function reconstructionNll(config: VaeConfig, weights: VaeWeights, logits: tf.Tensor4D, x: tf.Tensor4D, observed?: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const lv = decoderLogVar(config, weights);
    return lv === null ? bernoulliNll(logits, x, observed) : gaussianNll(logits, lv, x, observed);
  });
}

/**
 * The 0/1 weight tensor [1, S, S, 1] of an ignore mask given as S·S bytes, row-major, 1 = ignored
 * (shared/ignore-mask.ts rasterizeIgnoreMask): 1 where a pixel is observed, 0 where it is ignored.
 */
export function observedWeights(ignore: Uint8Array, size: number): tf.Tensor4D {
  if (ignore.length !== size * size) throw new RangeError(`an ignore mask for ${size}x${size} frames has ${size * size} values, not ${ignore.length}`);
  return tf.tensor4d(Float32Array.from(ignore, (v) => (v ? 0 : 1)), [1, size, size, 1]);
}

/** Closed-form KL(N(μ, diag σ²) ‖ N(0, I)) per example [N], nats. μ, log σ²: [N, L]. */
export function klStdNormal(mu: tf.Tensor, logvar: tf.Tensor): tf.Tensor1D {
  sameShape(mu, logvar, 'klStdNormal');
  return tf.tidy(() => {
    const t = tf.sub(tf.add(tf.exp(logvar), tf.square(mu)), tf.add(1, logvar));
    return tf.mul(0.5, sumPerExample(t)) as tf.Tensor1D;
  });
}

/** ELBO per example = −(NLL + KL). */
export function elbo(nll: tf.Tensor1D, kl: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.add(nll, kl)) as tf.Tensor1D);
}

/**
 * Reparameterized sample z = μ + exp(½ log σ²) ⊙ ε. Pass ε (same shape as μ) to make it deterministic
 * or to differentiate through fixed noise; otherwise ε ~ N(0, I) is drawn (from `seed` if given).
 */
export function reparameterize(mu: tf.Tensor2D, logvar: tf.Tensor2D, eps?: tf.Tensor2D | number): tf.Tensor2D {
  sameShape(mu, logvar, 'reparameterize');
  return tf.tidy(() => {
    const e = typeof eps === 'object' ? eps : tf.randomNormal(mu.shape, 0, 1, 'float32', eps);
    sameShape(mu, e, 'reparameterize (eps)');
    return tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), e)) as tf.Tensor2D;
  });
}

/** Number of values a frame has (S·S·C), to turn per-frame nats into per-pixel-value nats. */
export function valuesPerFrame(config: Pick<VaeConfig, 'inputSize' | 'channels'>): number {
  return config.inputSize * config.inputSize * config.channels;
}

/** Per-frame nats -> mean nats per pixel value (divides by S·S·C). Works for numbers and tensors. */
export function perPixel(natsPerFrame: number, config: Pick<VaeConfig, 'inputSize' | 'channels'>): number;
export function perPixel<T extends tf.Tensor>(natsPerFrame: T, config: Pick<VaeConfig, 'inputSize' | 'channels'>): T;
export function perPixel(natsPerFrame: number | tf.Tensor, config: Pick<VaeConfig, 'inputSize' | 'channels'>): number | tf.Tensor {
  const n = valuesPerFrame(config);
  return typeof natsPerFrame === 'number' ? natsPerFrame / n : tf.tidy(() => tf.div(natsPerFrame, n));
}

export interface VaeTerms {
  /** Reconstruction NLL per example [N], nats. */
  recon: tf.Tensor1D;
  /** KL per example [N], nats. */
  kl: tf.Tensor1D;
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
  z: tf.Tensor2D;
  logits: tf.Tensor4D;
}

/**
 * One forward pass: encode, sample z (with ε given, or drawn from `eps` as a seed), decode, and the
 * per-example terms. Differentiable with respect to the weights. The caller disposes the result
 * (or runs it inside tf.tidy).
 *
 * `observed` (observedWeights): the ignored pixels are zeroed in what the encoder sees (zero
 * imputation, so they cannot move z) and left out of the NLL.
 */
export function vaeTerms(config: VaeConfig, weights: VaeWeights, input: tf.Tensor4D, eps?: tf.Tensor2D | number, observed?: tf.Tensor4D): VaeTerms {
  return tf.tidy(() => {
    // A conditional model's input carries the previous frame too: the encoder sees both, the decoder
    // is given the previous one, and only the current frame is reconstructed.
    const { x, cond } = splitConditional(config, input);
    const { mu, logvar } = encode(config, weights, observed ? (tf.mul(input, observed) as tf.Tensor4D) : input);
    const z = reparameterize(mu, logvar, eps);
    const logits = decodeLogits(config, weights, z, cond);
    const recon = reconstructionNll(config, weights, logits, x, observed);
    const kl = klStdNormal(mu, logvar);
    return { recon, kl, mu, logvar, z, logits };
  });
}
