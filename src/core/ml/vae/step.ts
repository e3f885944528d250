/**
 * What one training step and one validation pass compute: a step's loss terms and gradients over the
 * whole batch, on this thread alone or cut into shards over the data-parallel pool (parallel.ts,
 * shard-step.ts), and the validation negative ELBO over the held-out frames.
 */
import * as tf from '@tensorflow/tfjs';
import { fastWasmKernelsEnabled } from '../backend/wasm-kernels/index.js';
import type { KindHooks } from './kind-hooks.js';
import { vaeTerms } from './losses.js';
import type { FrameSet, ResolvedOptions } from './options.js';
import { chunkCount, ShardPool, shardRows } from './parallel.js';
import { batchTensor, shardGrads, shardUsage, type ShardContext, type ShardRequest } from './shard-step.js';
import type { VaeWeights, WeightSpec } from './spec.js';

/**
 * The helper threads for `o.workers` > 1 (wasm only), started with the current weights; null and why
 * when the run stays on one thread.
 */
export async function startPool(
  o: ResolvedOptions,
  frames: FrameSet,
  kind: KindHooks,
  vars: Record<string, tf.Variable>,
): Promise<{ pool: ShardPool | null; note: string | null }> {
  if (o.workers <= 1) return { pool: null, note: null };
  if (tf.getBackend() !== 'wasm') return { pool: null, note: `the ${tf.getBackend()} backend is not split across threads` };
  const started = await ShardPool.start(o.workers, { config: o.config, frames, ignoreMask: o.ignoreMask, ...kind.shard, fastKernels: fastWasmKernelsEnabled() });
  if (!started.pool) return { pool: null, note: `helper threads could not start (${started.reason}); training on one thread` };
  started.pool.publishWeights(vars);
  return { pool: started.pool, note: null };
}

/** A step's loss terms (batch means) and its gradients, keyed by variable name (the caller disposes them). */
export interface StepTerms {
  lossV: number;
  reconV: number;
  klV: number;
  grads: tf.NamedTensorMap;
}

/**
 * One step's loss terms and gradients over the whole batch: on this thread alone, or cut into
 * shards over the pool (shard-step.ts), the helpers' gradients added to this thread's in flat
 * Float32Arrays. `onZ` gets the batch's sampled codes (mixture prior), in batch order.
 */
export async function batchStep(
  on: { pool: ShardPool | null; ctx: ShardContext; vars: Record<string, tf.Variable>; specs: WeightSpec[] },
  idx: number[],
  s: Pick<ShardRequest, 'beta' | 'epsSeed' | 'gumbel'>,
  onZ: (z: Float32Array) => void,
): Promise<StepTerms> {
  const { pool, ctx, vars, specs } = on;
  const weights: VaeWeights = vars;
  const varList = specs.map((sp) => vars[sp.name]!);
  const parts = pool ? chunkCount(idx.length, pool.workers) : 1;
  const base = { batchN: idx.length, ...s, qOther: null };
  if (!pool || parts <= 1) {
    const r = await shardGrads(ctx, weights, varList, { ...base, idx, rowOffset: 0 });
    if (r.z) onZ(r.z);
    return { lossV: r.loss, reconV: r.recon, klV: r.kl, grads: r.grads };
  }
  const chunks: ShardRequest[] = shardRows(idx.length, parts).map(({ offset, count }) => ({ ...base, idx: idx.slice(offset, offset + count), rowOffset: offset }));
  if (ctx.prior && ctx.entropyWeight > 0) {
    // The guard needs the whole batch's mean responsibility: a forward pass for every chunk's Σ q first.
    const qs = await pool.usage(chunks, (req) => shardUsage(ctx, weights, req));
    const total = new Float64Array(ctx.k);
    for (const q of qs) for (let j = 0; j < total.length; j++) total[j]! += q[j]!;
    chunks.forEach((r, i) => (r.qOther = total.map((t, j) => t - qs[i]![j]!)));
  }
  const results = await pool.step(chunks, async (req, i) => {
    const r = await shardGrads(ctx, weights, varList, req);
    const slot = pool.slot(i);
    for (const sp of specs) {
      const { offset, size } = pool.slice(sp.name);
      const g = r.grads[vars[sp.name]!.name];
      if (g) slot.set(g.dataSync() as Float32Array, offset);
      else slot.fill(0, offset, offset + size);
    }
    tf.dispose(Object.values(r.grads));
    return { chunk: i, loss: r.loss, recon: r.recon, kl: r.kl, z: r.z };
  });
  // The chunks' gradients added in chunk order: the same sum whichever thread computed which chunk.
  const grads: tf.NamedTensorMap = {};
  const slots = results.map((_, i) => pool.slot(i));
  for (const sp of specs) {
    const { offset, size } = pool.slice(sp.name);
    const sum = slots[0]!.slice(offset, offset + size);
    for (let c = 1; c < slots.length; c++) {
      const h = slots[c]!;
      for (let i = 0; i < size; i++) sum[i]! += h[offset + i]!;
    }
    grads[vars[sp.name]!.name] = tf.tensor(sum, sp.shape, 'float32');
  }
  let lossV = 0;
  let reconV = 0;
  let klV = 0;
  for (const r of results) {
    lossV += r.loss;
    reconV += r.recon;
    klV += r.kl;
  }
  if (results[0]!.z) {
    const z = new Float32Array(results.reduce((a, r) => a + (r.z?.length ?? 0), 0));
    let off = 0;
    for (const r of results) {
      z.set(r.z!, off);
      off += r.z!.length;
    }
    onZ(z);
  }
  return { lossV, reconV, klV, grads };
}

/**
 * The negative ELBO (β = 1) over the held-out frames `val`, per frame, in batches with fixed noise
 * (the kind's: a seed per batch, or ε = 0 for the autoencoder) so that epochs compare fairly.
 * `checkAbort` runs before each batch.
 */
export async function validationLoss(
  o: ResolvedOptions,
  frames: FrameSet,
  weights: VaeWeights,
  observed: tf.Tensor4D | undefined,
  kind: KindHooks,
  val: number[],
  checkAbort: () => void,
): Promise<{ loss: number; recon: number; kl: number }> {
  let r = 0;
  let k = 0;
  for (let b = 0; b * o.batchSize < val.length; b++) {
    checkAbort();
    const idx = val.slice(b * o.batchSize, (b + 1) * o.batchSize);
    const sums = tf.tidy(() => {
      const t = vaeTerms(o.config, weights, batchTensor(frames, idx), kind.validationEps(idx.length, b), observed);
      return tf.stack([tf.sum(t.recon), kind.validationKl(t, idx)]);
    });
    // Read asynchronously: a GPU backend (WebGPU under Node) cannot read tensors synchronously.
    const [rs, ks] = await sums.data();
    sums.dispose();
    r += rs!;
    k += ks!;
  }
  return { loss: (r + k) / val.length, recon: r / val.length, kl: k / val.length };
}
