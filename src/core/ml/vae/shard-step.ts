/**
 * One training step's loss and gradients on a shard of a batch: rows [rowOffset, rowOffset + n) of a
 * batch of `batchN` frames. The same function runs in trainVae's own thread and in every data-parallel
 * helper thread (parallel.ts), so each thread builds exactly the rows of the whole-batch objective it
 * owns and the shards' gradients add up to the whole batch's:
 *
 *   loss = (1/B) Σ_rows (recon + β·KL) [+ w·usageDeficit(mean q)]
 *
 * Each shard's terms are divided by the whole batch's size B (a shard that is the whole batch uses
 * tf.mean, as the one-thread loop always did). The noise is the whole batch's, sliced: the
 * reparameterization noise is tf.randomNormal([B, D], seed) (generated in JavaScript by tfjs-core,
 * the same on every backend) and the Gumbel noise gumbelNoise(B·K) from its seed.
 *
 * The mixture prior's collapse guard is a function of the whole batch's mean responsibility, so it
 * does not split into a sum over rows. With shards, each shard gets the other shards' summed
 * responsibilities `qOther` (a first, forward-only pass: shardUsage) and uses
 * w·usageDeficit((qOther + Σ_shard q) / B) with qOther held constant: the shards' gradients then add
 * up to the exact gradient of the guard, and each shard's value of the term is the whole batch's
 * (it is counted once, by the shard at row 0).
 */
import * as tf from '@tensorflow/tfjs';
import { gumbelNoise } from '../family/gumbel.js';
import { mulberry32 } from '../prng.js';
import { vaeTerms } from './losses.js';
import { mixtureKl, usageDeficit, type PriorTensors } from './mixture-prior.js';
import type { VaeConfig, VaeWeights } from './spec.js';

/** Frames as bytes, NHWC (train.ts FrameSet; repeated here so helper threads need not load train.ts). */
export interface ShardFrames {
  data: Uint8Array;
  count: number;
  size: number;
  channels: number;
}

/** What a step needs besides the weights, the same for every shard of a run. */
export interface ShardContext {
  config: VaeConfig;
  frames: ShardFrames;
  autoencoder: boolean;
  observed: tf.Tensor4D | undefined;
  /** Mixture prior: the current prior (null during a gmvae's plain warm-up), classes per frame, guard weight. */
  prior: PriorTensors | null;
  k: number;
  labels: Int32Array | null;
  entropyWeight: number;
}

export interface ShardRequest {
  /** This shard's frame indices (rows rowOffset.. of the batch). */
  idx: number[];
  rowOffset: number;
  /** Size of the whole batch. */
  batchN: number;
  beta: number;
  /** Seed of the reparameterization noise of the whole batch (hash32(seed, epoch, step)). */
  epsSeed: number;
  /** Mixture prior: seed of the whole batch's Gumbel noise and the temperature; null without. */
  gumbel: { seed: number; tau: number } | null;
  /** Mixture prior with the guard and more than one shard: the other shards' Σ q, [K]. */
  qOther: Float64Array | null;
}

export interface ShardResult {
  /** This shard's share of the batch loss and its terms (they add up over shards). */
  loss: number;
  recon: number;
  kl: number;
  /** Mixture prior: the sampled codes of this shard's rows, [n·D]. */
  z: Float32Array | null;
  grads: tf.NamedTensorMap;
}

/** Copies frames `idx` into a [n, S, S, C] float tensor in 0..1. */
export function batchTensor(frames: ShardFrames, idx: number[]): tf.Tensor4D {
  const per = frames.size * frames.size * frames.channels;
  const buf = new Float32Array(idx.length * per);
  for (let b = 0; b < idx.length; b++) {
    const src = idx[b]! * per;
    const dst = b * per;
    for (let i = 0; i < per; i++) buf[dst + i] = frames.data[src + i]! / 255;
  }
  return tf.tensor4d(buf, [idx.length, frames.size, frames.size, frames.channels]);
}

/** One-hot classes of labelled frames [n, K] (zero rows elsewhere), or null when none of `idx` is labelled. */
export function labelRows(labels: Int32Array | null, k: number, idx: number[]): tf.Tensor2D | null {
  if (!labels || !idx.some((i) => labels[i]! >= 0)) return null;
  const buf = new Float32Array(idx.length * k);
  idx.forEach((f, r) => {
    const c = labels[f]!;
    if (c >= 0) buf[r * k + c] = 1;
  });
  return tf.tensor2d(buf, [idx.length, k]);
}

const whole = (r: ShardRequest): boolean => r.rowOffset === 0 && r.idx.length === r.batchN;

/** The reparameterization noise of this shard's rows: a seed for the whole batch, or a slice of it. */
function epsFor(ctx: ShardContext, r: ShardRequest): tf.Tensor2D | number {
  const n = r.idx.length;
  const d = ctx.config.latentDim;
  if (ctx.autoencoder) return tf.zeros([n, d]) as tf.Tensor2D;
  if (whole(r)) return r.epsSeed;
  return tf.tidy(() => tf.slice(tf.randomNormal([r.batchN, d], 0, 1, 'float32', r.epsSeed), [r.rowOffset, 0], [n, d]) as tf.Tensor2D);
}

function gumbelFor(ctx: ShardContext, r: ShardRequest): tf.Tensor2D | null {
  if (!ctx.prior || !r.gumbel) return null;
  const g = gumbelNoise(r.batchN * ctx.k, mulberry32(r.gumbel.seed));
  const rows = g.subarray(r.rowOffset * ctx.k, (r.rowOffset + r.idx.length) * ctx.k);
  return tf.tensor2d(Float32Array.from(rows), [r.idx.length, ctx.k]);
}

/** Mean over the whole batch of a per-row tensor of this shard. */
const batchMean = (t: tf.Tensor, r: ShardRequest): tf.Scalar => (whole(r) ? tf.mean(t) : tf.div(tf.sum(t), r.batchN)) as tf.Scalar;

/** Mixture prior with the guard: Σ q over this shard's rows, [K] (forward only). */
export async function shardUsage(ctx: ShardContext, weights: VaeWeights, r: ShardRequest): Promise<Float64Array> {
  if (!ctx.prior || r.idx.length === 0) return new Float64Array(ctx.k);
  const x = batchTensor(ctx.frames, r.idx);
  const eps = epsFor(ctx, r);
  const noise = gumbelFor(ctx, r);
  const labels = labelRows(ctx.labels, ctx.k, r.idx);
  try {
    const s = tf.tidy(() => {
      const t = vaeTerms(ctx.config, weights, x, eps, ctx.observed);
      const mk = mixtureKl(t.mu, t.logvar, ctx.prior!, { ...(noise && r.gumbel ? { gumbel: { noise, tau: r.gumbel.tau } } : {}), ...(labels ? { labels } : {}) });
      return tf.sum(mk.q, 0);
    });
    const out = Float64Array.from(await s.data());
    s.dispose();
    return out;
  } finally {
    tf.dispose([x, ...(typeof eps === 'object' ? [eps] : []), ...(noise ? [noise] : []), ...(labels ? [labels] : [])]);
  }
}

/** Loss terms and gradients of this shard's rows with respect to `varList`. An empty shard has none. */
export async function shardGrads(ctx: ShardContext, weights: VaeWeights, varList: tf.Variable[], r: ShardRequest): Promise<ShardResult> {
  if (r.idx.length === 0) return { loss: 0, recon: 0, kl: 0, z: ctx.k > 0 ? new Float32Array(0) : null, grads: {} };
  const x = batchTensor(ctx.frames, r.idx);
  const eps = epsFor(ctx, r);
  const noise = gumbelFor(ctx, r);
  const labels = ctx.prior ? labelRows(ctx.labels, ctx.k, r.idx) : null;
  const kept: { recon?: tf.Tensor; kl?: tf.Tensor; z?: tf.Tensor; guard?: tf.Tensor } = {};
  try {
    const { value, grads } = tf.variableGrads(() => {
      const t = vaeTerms(ctx.config, weights, x, eps, ctx.observed);
      const recon = batchMean(t.recon, r);
      // The codes are kept for a mixture-prior run (its EM update at the end of the epoch).
      if (ctx.k > 0) kept.z = tf.keep(t.z);
      let kl: tf.Tensor = batchMean(t.kl, r);
      let guardTerm: tf.Tensor | null = null;
      if (ctx.prior) {
        const mk = mixtureKl(t.mu, t.logvar, ctx.prior, { ...(noise && r.gumbel ? { gumbel: { noise, tau: r.gumbel.tau } } : {}), ...(labels ? { labels } : {}) });
        kl = batchMean(mk.kl, r);
        if (ctx.entropyWeight > 0) {
          if (whole(r)) guardTerm = tf.mul(ctx.entropyWeight, usageDeficit(mk.q));
          else {
            const others = r.qOther ? tf.tensor1d(Float32Array.from(r.qOther)) : tf.zeros([ctx.k]);
            const p = tf.div(tf.add(others, tf.sum(mk.q, 0)), r.batchN);
            const h = tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-12)))));
            const deficit = tf.sub(Math.log(ctx.k), h);
            guardTerm = tf.mul(ctx.entropyWeight, deficit);
            // Counted once in the loss value (by the shard at row 0; subtracted below); every shard's gradient counts.
            if (r.rowOffset !== 0) kept.guard = tf.keep(guardTerm);
          }
        }
      }
      kept.recon = tf.keep(recon);
      kept.kl = tf.keep(kl);
      const loss = tf.add(recon, tf.mul(r.beta, kl)) as tf.Scalar;
      return guardTerm ? (tf.add(loss, guardTerm) as tf.Scalar) : loss;
    }, varList);
    // Read asynchronously: a GPU backend (WebGPU under Node) cannot read tensors synchronously.
    const one = async (t: tf.Tensor | undefined): Promise<number> => (t ? (await t.data())[0]! : NaN);
    const z = kept.z ? Float32Array.from((await kept.z.data()) as Float32Array) : null;
    const loss = (await one(value)) - (kept.guard ? await one(kept.guard) : 0);
    const recon = await one(kept.recon);
    const kl = await one(kept.kl);
    value.dispose();
    return { loss, recon, kl, z, grads };
  } finally {
    tf.dispose([x, ...(typeof eps === 'object' ? [eps] : []), ...(noise ? [noise] : []), ...(labels ? [labels] : [])]);
    tf.dispose([kept.recon, kept.kl, kept.z, kept.guard].filter((t): t is tf.Tensor => t !== undefined));
  }
}
