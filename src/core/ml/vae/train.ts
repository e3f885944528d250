/**
 * Trains the convolutional VAE of spec.ts on a set of frames with TensorFlow.js, on whatever tf
 * backend is active (the caller picks it).
 *
 * Objective per frame (nats): recon + β_t·KL, where β_t ramps linearly from 0 to β over
 * `klWarmupEpochs` (per step, so there is no jump at epoch boundaries). Validation reports the true
 * negative ELBO (β = 1) on a held-out split with fixed noise, so epochs compare fairly.
 *
 * Determinism: all randomness is a pure function of (seed, epoch, step): the initial weights, the
 * validation split (a seeded shuffle), the order of each epoch (a seeded shuffle per epoch) and the
 * reparameterization noise of each step. Adam is implemented here (m, v and the step count are
 * saved in the checkpoint), so a run resumed from its checkpoint gives the same numbers as one that
 * never stopped.
 *
 * Memory: tensors live in tf.tidy or are disposed explicitly; between steps the run holds only the
 * weight variables, Adam's m and v, and a copy of the best weights.
 */
import { access } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import {
  loadCheckpoint,
  saveCheckpoint,
  readWeightArrays,
  arraysToWeights,
  type AdamState,
  type EpochRecord,
  type NamedArray,
  type TrainCheckpoint,
} from './checkpoint.js';
import { AbortError, DivergedError, TrainingInputError } from './errors.js';
import { observedWeights, vaeTerms } from './losses.js';
import { annealTemperature, type TemperatureSchedule } from '../family/gumbel.js';
import type { DiagGmm } from '../family/mixture.js';
import {
  initialMixture,
  loadMixture,
  mixtureKl,
  mixtureUsage,
  priorTensors,
  storeMixture,
  updateMixturePrior,
  type PriorTensors,
} from './mixture-prior.js';
import { DEFAULT_ANNEAL_EPOCHS, resolveOptions, type FrameSet, type TrainOptions } from './options.js';
import { initWeights, weightSpecs, type VaeConfig, type VaeWeights } from './spec.js';
import { hash32, RNG_SCHEME, SALT_GUMBEL, SALT_ORDER, SALT_VAL, shuffled, splitIndices } from './split.js';
import { fastWasmKernelsEnabled } from '../backend/wasm-kernels/index.js';
import { chunkCount, ShardPool, shardRows } from './parallel.js';
import { batchTensor, shardGrads, shardUsage, type ShardContext, type ShardRequest } from './shard-step.js';

export type { EpochRecord } from './checkpoint.js';
export { AbortError, DivergedError, TrainingInputError } from './errors.js';
export { DEFAULT_ANNEAL_EPOCHS, type FrameSet, type MixturePriorOptions, type TrainOptions } from './options.js';
export { hash32, HELD_OUT_BLOCKS, splitIndices } from './split.js';

// -------------------------------------------------------------------------------------- types

export interface TrainProgress {
  /** 0-based index of the epoch in progress. */
  epoch: number;
  epochs: number;
  /** Steps completed in this epoch, 1..stepsPerEpoch. */
  step: number;
  stepsPerEpoch: number;
  /** Running means over this epoch so far, nats per frame. */
  loss: number;
  recon: number;
  kl: number;
  /** β used by the latest step. */
  beta: number;
  /** Validation negative ELBO of the last finished epoch, when there is one. */
  valLoss?: number;
  /** Training throughput of this call so far (frames through a full training step per second). */
  framesPerSec: number;
  /** Estimated seconds left in this call. */
  etaSec: number;
  /** Threads the steps are split over (TrainOptions.workers, after any fallback). */
  workers: number;
}

export interface TrainHooks {
  /** At most one call per `progressIntervalMs` (default 100 ms, ~10/s); the very last step always reports. */
  onProgress?: (p: TrainProgress) => void;
  /** After each finished epoch (after its checkpoint is written). */
  onEpochEnd?: (e: EpochRecord) => void;
  signal?: AbortSignal;
  progressIntervalMs?: number;
}

export interface TrainResult {
  /** Weights of the best epoch (lowest monitored loss); new tensors owned by the caller. */
  weights: VaeWeights;
  /** Every epoch of the run, resumed ones included. */
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training throughput of this call (frames per second of training steps, validation excluded). */
  framesPerSec: number;
  /** Wall time of this call. */
  seconds: number;
  /** Epoch the run continued from, or null for a fresh run. */
  resumedFromEpoch: number | null;
  /** Mixture-prior VAE: the prior that goes with `weights` (the best epoch's); null otherwise. */
  mixture: DiagGmm | null;
  /** Threads the steps ran on, and why fewer than asked when that happened. */
  parallel: { workers: number; requested: number; note: string | null };
}

/** A cheap fingerprint of the frames (count, shape and a strided sample of bytes), FNV-1a. */
function fingerprint(f: FrameSet): number {
  let h = 0x811c9dc5;
  const mix = (b: number): void => {
    h = Math.imul(h ^ (b & 0xff), 0x01000193);
  };
  for (const v of [f.count, f.size, f.channels]) for (let k = 0; k < 4; k++) mix(v >>> (8 * k));
  const stride = Math.max(1, Math.floor(f.data.length / 65536));
  for (let i = 0; i < f.data.length; i += stride) mix(f.data[i]!);
  return h >>> 0;
}

/** The frames' fingerprint mixed with the ignore mask's bytes (FNV-1a). */
function maskFingerprint(h: number, mask: Uint8Array): number {
  for (let i = 0; i < mask.length; i++) h = Math.imul(h ^ (mask[i]! ? 0x9d : 0x3b), 0x01000193);
  return h >>> 0;
}

/**
 * log of the per-channel mean of (x − 0.5)² over the training frames, clamped to [log 1e-4, 0] (the
 * picture's own channels only; with an ignore mask, its observed pixels only).
 */
function dataLogVar(frames: FrameSet, train: number[], channels: number, ignore: Uint8Array | null): number[] {
  const stride = frames.channels;
  const per = frames.size * frames.size * stride;
  const sums = new Float64Array(channels);
  for (const f of train) {
    const off = f * per;
    for (let i = 0; i < per; i++) {
      if (i % stride >= channels) continue;
      if (ignore && ignore[Math.floor(i / stride)]) continue;
      const d = frames.data[off + i]! / 255 - 0.5;
      sums[i % stride]! += d * d;
    }
  }
  let pixels = frames.size * frames.size;
  if (ignore) for (const v of ignore) pixels -= v;
  const n = train.length * pixels;
  return Array.from(sums, (s) => Math.min(0, Math.max(Math.log(1e-4), Math.log(s / n))));
}

const sameConfig = (a: VaeConfig, b: VaeConfig): boolean =>
  a.inputSize === b.inputSize &&
  a.channels === b.channels &&
  a.latentDim === b.latentDim &&
  a.likelihood === b.likelihood &&
  a.fixedLogVar === b.fixedLogVar &&
  (a.conditionFrames ?? 0) === (b.conditionFrames ?? 0) &&
  a.filters.length === b.filters.length &&
  a.filters.every((f, i) => f === b.filters[i]);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** β for a step: linear from 0 over the warm-up, measured in (fractional) epochs. */
export function betaAt(beta: number, klWarmupEpochs: number, epoch: number, step: number, stepsPerEpoch: number): number {
  if (klWarmupEpochs <= 0) return beta;
  return beta * Math.min(1, (epoch + step / stepsPerEpoch) / klWarmupEpochs);
}

// ----------------------------------------------------------------------------------- training

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Trains a VAE. Rejects with TrainingInputError (bad frames/options), AbortError (signal),
 * DivergedError (NaN/Infinity loss) or the checkpoint's I/O error. See TrainOptions for the knobs.
 */
export async function trainVae(frames: FrameSet, opts: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const o = resolveOptions(frames, opts);
  const { config } = o;
  const signal = hooks.signal;
  const throwIfAborted = (where: string): void => {
    if (signal?.aborted) {
      const err = new AbortError(`training canceled ${where}`);
      (err as { cause?: unknown }).cause = signal.reason;
      throw err;
    }
  };
  throwIfAborted('before it started');

  const { train, val } = splitIndices(frames.count, o.validationFraction, o.seed);
  const stepsPerEpoch = Math.ceil(train.length / o.batchSize);
  const dataInfo = {
    count: frames.count,
    size: frames.size,
    channels: frames.channels,
    trainCount: train.length,
    valCount: val.length,
    // A masked run's fingerprint also covers the mask, so a checkpoint made under another mask is refused.
    fingerprint: o.ignoreMask ? maskFingerprint(fingerprint(frames), o.ignoreMask) : fingerprint(frames),
  };

  // ---- state: fresh or from the checkpoint
  let ck: TrainCheckpoint | null = null;
  if (opts.resume && opts.checkpointPath && (await exists(opts.checkpointPath))) {
    ck = await loadCheckpoint(opts.checkpointPath);
    if (!sameConfig(ck.config, config))
      throw new TrainingInputError(`cannot resume: the checkpoint was trained with config ${JSON.stringify(ck.config)}, not ${JSON.stringify(config)}`);
    if (ck.rng.seed !== o.seed) throw new TrainingInputError(`cannot resume: the checkpoint used seed ${ck.rng.seed}, not ${o.seed}`);
    const d = ck.data;
    if (d.count !== dataInfo.count || d.fingerprint !== dataInfo.fingerprint)
      throw new TrainingInputError(`cannot resume: the checkpoint was trained on other frames (${d.count} frames, fingerprint ${d.fingerprint}; now ${dataInfo.count}, ${dataInfo.fingerprint})`);
    if (d.trainCount !== dataInfo.trainCount || d.valCount !== dataInfo.valCount)
      throw new TrainingInputError(`cannot resume: the checkpoint split the frames ${d.trainCount}/${d.valCount} (train/validation), these options give ${dataInfo.trainCount}/${dataInfo.valCount}; use the same validationFraction`);
  }

  const specs = weightSpecs(config);
  const vars: Record<string, tf.Variable> = {};
  const m = new Map<string, tf.Tensor>();
  const v = new Map<string, tf.Tensor>();
  let best: VaeWeights | null = null; // a copy of the best epoch's weights, once there is one
  const observed = o.ignoreMask ? observedWeights(o.ignoreMask, config.inputSize) : undefined;
  // ---- mixture prior (kind 'gmvae'): the current mixture, the best epoch's, and the current one as tensors
  const mix = o.mixture;
  let gmm: DiagGmm | null = ck?.mixture?.current ? loadMixture(ck.mixture.current) : (mix?.initial ?? null);
  let bestGmm: DiagGmm | null = ck?.mixture?.best ? loadMixture(ck.mixture.best) : null;
  let prior: PriorTensors | null = null;
  // ---- data-parallel threads (parallel.ts); the shards' shared context follows the prior
  let pool: ShardPool | null = null;
  const shardCtx: ShardContext = { config, frames, autoencoder: o.autoencoder, observed, prior: null, k: mix?.k ?? 0, labels: mix?.labels ?? null, entropyWeight: mix?.guard.entropyWeight ?? 0 };
  const setPrior = (g: DiagGmm | null): void => {
    if (prior) tf.dispose([prior.logPi, prior.means, prior.vars]);
    prior = g ? priorTensors(g) : null;
    shardCtx.prior = prior;
    pool?.setPrior(g);
  };
  const temperature: TemperatureSchedule | null = mix
    ? (mix.temperature ?? { initial: 1, min: 0.5, rate: Math.log(2) / (DEFAULT_ANNEAL_EPOCHS * stepsPerEpoch) })
    : null;
  /** One-hot classes of labelled frames [n, K] (zero rows elsewhere), or null when none of `idx` is labelled. */
  const labelRows = (idx: number[]): tf.Tensor2D | null => {
    if (!mix?.labels || !idx.some((i) => mix.labels![i]! >= 0)) return null;
    const buf = new Float32Array(idx.length * mix.k);
    idx.forEach((f, r) => {
      const c = mix.labels![f]!;
      if (c >= 0) buf[r * mix.k + c] = 1;
    });
    return tf.tensor2d(buf, [idx.length, mix.k]);
  };
  const disposeAll = (): void => {
    setPrior(null);
    observed?.dispose();
    for (const t of Object.values(vars)) t.dispose();
    for (const t of m.values()) t.dispose();
    for (const t of v.values()) t.dispose();
    if (best) tf.dispose(Object.values(best));
  };

  try {
    const initial = ck ? arraysToWeights(ck.weights) : opts.initialWeights ? arraysToWeights(opts.initialWeights) : initWeights(config, o.seed);
    if (!ck && !opts.initialWeights && config.likelihood === 'gaussian-learned' && o.decoderLogVarInit === 'data') {
      initial['dec.logvar']!.dispose();
      initial['dec.logvar'] = tf.tensor1d(dataLogVar(frames, train, config.channels, o.ignoreMask));
    }
    for (const s of specs) {
      vars[s.name] = tf.variable(initial[s.name]!, true);
      initial[s.name]!.dispose();
    }
    const adamIn = ck?.adam ?? null;
    const fromArrays = (arrs: NamedArray[] | undefined, name: string, shape: number[]): tf.Tensor => {
      const a = arrs?.find((x) => x.name === name);
      return a ? tf.tensor(a.data, a.shape, 'float32') : tf.zeros(shape);
    };
    for (const s of specs) {
      m.set(s.name, fromArrays(adamIn?.m, s.name, s.shape));
      v.set(s.name, fromArrays(adamIn?.v, s.name, s.shape));
    }
    let adamStep = adamIn?.step ?? 0;
    if (ck?.bestWeights) best = arraysToWeights(ck.bestWeights);
    else if (ck && ck.bestEpoch >= 0) best = cloneWeights(vars);

    const history: EpochRecord[] = ck ? [...ck.history] : [];
    let bestLoss = ck?.bestLoss ?? Infinity;
    let bestEpoch = ck?.bestEpoch ?? -1;
    let badEpochs = ck?.badEpochs ?? 0;
    const startEpoch = ck?.epoch ?? 0;
    const alreadyStopped = o.patience > 0 && badEpochs >= o.patience;
    let stoppedEarly = alreadyStopped;
    let lastValLoss: number | undefined = history.length ? (history[history.length - 1]!.valLoss ?? undefined) : undefined;

    let parallelNote: string | null = null;
    if (o.workers > 1 && !alreadyStopped) {
      if (tf.getBackend() !== 'wasm') parallelNote = `the ${tf.getBackend()} backend is not split across threads`;
      else {
        const started = await ShardPool.start(o.workers, {
          config,
          frames,
          ignoreMask: o.ignoreMask,
          autoencoder: o.autoencoder,
          k: mix?.k ?? 0,
          labels: mix?.labels ?? null,
          entropyWeight: mix?.guard.entropyWeight ?? 0,
          fastKernels: fastWasmKernelsEnabled(),
        });
        if (started.pool) {
          pool = started.pool;
          pool.publishWeights(vars);
        } else parallelNote = `helper threads could not start (${started.reason}); training on one thread`;
      }
    }
    const workers = pool ? pool.workers : 1;
    setPrior(gmm);

    const varList = specs.map((s) => vars[s.name]!);
    const weightsView: VaeWeights = vars;

    /**
     * One step's loss terms and gradients over the whole batch: on this thread alone, or cut into
     * shards over the pool (shard-step.ts), the helpers' gradients added to this thread's in flat
     * Float32Arrays. `onZ` gets the batch's sampled codes (mixture prior), in batch order.
     */
    const parallelStep = async (
      idx: number[],
      s: Pick<ShardRequest, 'beta' | 'epsSeed' | 'gumbel'>,
      onZ: (z: Float32Array) => void,
    ): Promise<{ lossV: number; reconV: number; klV: number; grads: tf.NamedTensorMap }> => {
      const parts = pool ? chunkCount(idx.length, pool.workers) : 1;
      const base = { batchN: idx.length, ...s, qOther: null };
      if (!pool || parts <= 1) {
        const r = await shardGrads(shardCtx, weightsView, varList, { ...base, idx, rowOffset: 0 });
        if (r.z) onZ(r.z);
        return { lossV: r.loss, reconV: r.recon, klV: r.kl, grads: r.grads };
      }
      const chunks: ShardRequest[] = shardRows(idx.length, parts).map(({ offset, count }) => ({ ...base, idx: idx.slice(offset, offset + count), rowOffset: offset }));
      if (prior && shardCtx.entropyWeight > 0) {
        // The guard needs the whole batch's mean responsibility: a forward pass for every chunk's Σ q first.
        const qs = await pool.usage(chunks, (req) => shardUsage(shardCtx, weightsView, req));
        const total = new Float64Array(shardCtx.k);
        for (const q of qs) for (let j = 0; j < total.length; j++) total[j]! += q[j]!;
        chunks.forEach((r, i) => (r.qOther = total.map((t, j) => t - qs[i]![j]!)));
      }
      const p = pool;
      const results = await p.step(chunks, async (req, i) => {
        const r = await shardGrads(shardCtx, weightsView, varList, req);
        const slot = p.slot(i);
        for (const sp of specs) {
          const { offset, size } = p.slice(sp.name);
          const g = r.grads[vars[sp.name]!.name];
          if (g) slot.set(g.dataSync() as Float32Array, offset);
          else slot.fill(0, offset, offset + size);
        }
        tf.dispose(Object.values(r.grads));
        return { chunk: i, loss: r.loss, recon: r.recon, kl: r.kl, z: r.z };
      });
      // The chunks' gradients added in chunk order: the same sum whichever thread computed which chunk.
      const grads: tf.NamedTensorMap = {};
      const slots = results.map((_, i) => p.slot(i));
      for (const sp of specs) {
        const { offset, size } = p.slice(sp.name);
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
    };

    // ---- timing and progress
    let trainSeconds = 0;
    let trainFrames = 0;
    let stepsDone = 0;
    const totalSteps = alreadyStopped ? 0 : Math.max(0, o.epochs - startEpoch) * stepsPerEpoch;
    const interval = hooks.progressIntervalMs ?? 100;
    let lastEmit = -Infinity;

    const evaluate = async (): Promise<{ loss: number; recon: number; kl: number }> => {
      let r = 0;
      let k = 0;
      for (let b = 0; b * o.batchSize < val.length; b++) {
        throwIfAborted('during validation');
        const idx = val.slice(b * o.batchSize, (b + 1) * o.batchSize);
        const sums = tf.tidy(() => {
          const x = batchTensor(frames, idx);
          const t = vaeTerms(config, weightsView, x, o.autoencoder ? tf.zeros([idx.length, config.latentDim]) : hash32(o.seed, SALT_VAL, b), observed);
          if (prior) {
            const labels = labelRows(idx);
            const mk = mixtureKl(t.mu, t.logvar, prior, labels ? { labels } : {});
            return tf.stack([tf.sum(t.recon), tf.sum(mk.kl)]);
          }
          return tf.stack([tf.sum(t.recon), o.autoencoder ? tf.scalar(0) : tf.sum(t.kl)]);
        });
        // Read asynchronously: a GPU backend (WebGPU under Node) cannot read tensors synchronously.
        const [rs, ks] = await sums.data();
        sums.dispose();
        r += rs!;
        k += ks!;
      }
      return { loss: (r + k) / val.length, recon: r / val.length, kl: k / val.length };
    };

    const snapshot = async (epochsDone: number): Promise<TrainCheckpoint> => {
      const read = (t: Map<string, tf.Tensor>): Promise<NamedArray[]> =>
        Promise.all(specs.map(async (s) => ({ name: s.name, shape: s.shape, data: Float32Array.from((await t.get(s.name)!.data()) as Float32Array) })));
      const adam: AdamState = { step: adamStep, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, m: await read(m), v: await read(v) };
      return {
        config,
        epoch: epochsDone,
        weights: await readWeightArrays(weightsView, config),
        // Stored only when they differ from the current weights (the best epoch is not the last).
        bestWeights: best && bestEpoch !== epochsDone - 1 ? await readWeightArrays(best, config) : null,
        adam,
        bestLoss: Number.isFinite(bestLoss) ? bestLoss : null,
        bestEpoch,
        badEpochs,
        history,
        rng: { seed: o.seed, scheme: RNG_SCHEME },
        data: dataInfo,
        options: {
          epochs: o.epochs,
          batchSize: o.batchSize,
          learningRate: o.learningRate,
          beta: o.beta,
          klWarmupEpochs: o.klWarmupEpochs,
          validationFraction: o.validationFraction,
          patience: o.patience,
          minDelta: o.minDelta,
          decoderLogVarInit: o.decoderLogVarInit,
          backend: tf.getBackend(),
        },
        savedAt: new Date().toISOString(),
        ...(mix ? { mixture: { current: gmm ? storeMixture(gmm) : null, best: bestGmm ? storeMixture(bestGmm) : null } } : {}),
      };
    };

    for (let epoch = startEpoch; epoch < o.epochs && !stoppedEarly; epoch++) {
      const epochStart = performance.now();
      const order = shuffled(train, hash32(o.seed, SALT_ORDER, epoch));
      let sumLoss = 0;
      let sumRecon = 0;
      let sumKl = 0;
      let seen = 0;
      let beta = 0;
      let tau = NaN;
      // Mixture prior: the epoch's sampled codes and their frames, for the EM update at its end.
      const codes: Float32Array[] = [];
      const codeFrames: number[] = [];
      for (let step = 0; step < stepsPerEpoch; step++) {
        throwIfAborted(`at epoch ${epoch + 1} of ${o.epochs}, step ${step + 1} of ${stepsPerEpoch}`);
        const idx = order.slice(step * o.batchSize, (step + 1) * o.batchSize);
        beta = betaAt(o.beta, o.klWarmupEpochs, epoch, step, stepsPerEpoch);
        const stepStart = performance.now();
        if (prior && mix && temperature) tau = annealTemperature(epoch * stepsPerEpoch + step, temperature);
        const { lossV, reconV, klV, grads } = await parallelStep(idx, {
          beta,
          epsSeed: hash32(o.seed, epoch, step),
          gumbel: prior && mix && temperature ? { seed: hash32(o.seed, SALT_GUMBEL, epoch, step), tau } : null,
        }, (z) => {
          codes.push(z);
          codeFrames.push(...idx);
        });
        if (!Number.isFinite(lossV) || !Number.isFinite(reconV) || !Number.isFinite(klV)) {
          tf.dispose(Object.values(grads));
          const last = history.length ? `epoch ${history.length}` : 'none yet';
          throw new DivergedError(
            `training diverged at epoch ${epoch + 1} of ${o.epochs}, step ${step + 1} of ${stepsPerEpoch}: ` +
              `loss ${lossV} (recon ${reconV}, KL ${klV}). Try a lower learning rate than ${o.learningRate} ` +
              `(e.g. ${o.learningRate / 10}), or a smaller beta. The last good checkpoint (${last}) was not overwritten.`,
            epoch,
            step,
          );
        }
        // ---- Adam (Kingma & Ba), bias correction in double precision on the host.
        adamStep++;
        const c1 = 1 - o.beta1 ** adamStep;
        const c2 = 1 - o.beta2 ** adamStep;
        tf.tidy(() => {
          for (const s of specs) {
            const w = vars[s.name]!;
            const g = grads[w.name];
            if (!g) continue; // a weight the loss does not use (cannot happen with spec.ts)
            const m1 = tf.add(tf.mul(o.beta1, m.get(s.name)!), tf.mul(1 - o.beta1, g));
            const v1 = tf.add(tf.mul(o.beta2, v.get(s.name)!), tf.mul(1 - o.beta2, tf.square(g)));
            const upd = tf.div(tf.mul(o.learningRate / c1, m1), tf.add(tf.sqrt(tf.div(v1, c2)), o.epsilon));
            w.assign(tf.sub(w, upd));
            m.get(s.name)!.dispose();
            v.get(s.name)!.dispose();
            m.set(s.name, tf.keep(m1));
            v.set(s.name, tf.keep(v1));
          }
        });
        tf.dispose(Object.values(grads));
        pool?.publishWeights(vars);
        trainSeconds += (performance.now() - stepStart) / 1000;
        trainFrames += idx.length;
        stepsDone++;

        const n = idx.length;
        sumLoss += lossV * n;
        sumRecon += reconV * n;
        sumKl += klV * n;
        seen += n;

        const now = performance.now();
        const lastOfRun = epoch === o.epochs - 1 && step === stepsPerEpoch - 1;
        if (hooks.onProgress && (now - lastEmit >= interval || lastOfRun)) {
          lastEmit = now;
          const elapsed = (now - t0) / 1000;
          const p: TrainProgress = {
            epoch,
            epochs: o.epochs,
            step: step + 1,
            stepsPerEpoch,
            loss: sumLoss / seen,
            recon: sumRecon / seen,
            kl: sumKl / seen,
            beta,
            framesPerSec: trainSeconds > 0 ? trainFrames / trainSeconds : 0,
            etaSec: (elapsed / stepsDone) * (totalSteps - stepsDone),
            workers,
          };
          if (lastValLoss !== undefined) p.valLoss = lastValLoss;
          hooks.onProgress(p);
        }
        await yieldToEventLoop();
      }

      // ---- end of epoch: the mixture's EM update (on this epoch's sampled codes), validation under the updated prior, early stopping, checkpoint
      let mixtureRecord: EpochRecord['mixture'];
      if (mix && epoch + 1 >= mix.warmupEpochs) {
        const zs = new Float64Array(codeFrames.length * config.latentDim);
        let off = 0;
        for (const c of codes) {
          zs.set(c, off);
          off += c.length;
        }
        const labels = mix.labels ? Int32Array.from(codeFrames, (f) => mix.labels![f]!) : undefined;
        if (!gmm) {
          gmm = initialMixture(zs, mix.k, config.latentDim, labels, o.seed, mix.varFloor);
          bestLoss = Infinity; // the plain-VAE warm-up epochs' losses are not comparable
          const { usage, usageEntropy } = mixtureUsage(gmm, zs, labels);
          mixtureRecord = { usage, usageEntropy, reseeded: [], tau: null };
        } else {
          const u = updateMixturePrior(gmm, zs, labels, mix.guard, mix.varFloor);
          gmm = u.gmm;
          mixtureRecord = { usage: u.usage, usageEntropy: u.usageEntropy, reseeded: u.reseeded, tau };
        }
        setPrior(gmm);
      }
      const vl = val.length ? await evaluate() : null;
      if (vl && !Number.isFinite(vl.loss))
        throw new DivergedError(
          `training diverged at epoch ${epoch + 1} of ${o.epochs}: the validation loss is ${vl.loss} (recon ${vl.recon}, KL ${vl.kl}). ` +
            `Try a lower learning rate than ${o.learningRate} (e.g. ${o.learningRate / 10}). The last good checkpoint was not overwritten.`,
          epoch,
          stepsPerEpoch - 1,
        );
      const rec: EpochRecord = {
        epoch,
        loss: sumLoss / seen,
        recon: sumRecon / seen,
        kl: sumKl / seen,
        beta,
        valLoss: vl?.loss ?? null,
        valRecon: vl?.recon ?? null,
        valKl: vl?.kl ?? null,
        seconds: (performance.now() - epochStart) / 1000,
        ...(mixtureRecord ? { mixture: mixtureRecord } : {}),
      };
      history.push(rec);
      lastValLoss = vl?.loss;
      const monitored = vl ? vl.loss : rec.recon + rec.kl;
      if (mix && !gmm) {
        // plain-VAE warm-up of a mixture-prior VAE: nothing to keep yet
      } else if (monitored < bestLoss - o.minDelta) {
        bestLoss = monitored;
        bestEpoch = epoch;
        badEpochs = 0;
        if (best) tf.dispose(Object.values(best));
        best = cloneWeights(weightsView);
        if (gmm) bestGmm = loadMixture(storeMixture(gmm));
      } else {
        if (epoch >= o.klWarmupEpochs) badEpochs++;
        if (o.patience > 0 && badEpochs >= o.patience) stoppedEarly = true;
      }

      if (opts.checkpointPath) await saveCheckpoint(opts.checkpointPath, await snapshot(epoch + 1));
      hooks.onEpochEnd?.(rec);
    }

    const outWeights = best ? cloneWeights(best) : cloneWeights(weightsView);
    const seconds = (performance.now() - t0) / 1000;
    return {
      weights: outWeights,
      history,
      bestEpoch,
      stoppedEarly,
      framesPerSec: trainSeconds > 0 ? trainFrames / trainSeconds : 0,
      seconds,
      resumedFromEpoch: ck ? ck.epoch : null,
      mixture: mix ? (bestGmm ?? gmm) : null,
      parallel: { workers, requested: o.workers, note: parallelNote },
    };
  } finally {
    await pool?.close();
    disposeAll();
  }
}

function cloneWeights(w: VaeWeights): VaeWeights {
  const out: VaeWeights = {};
  for (const [k, t] of Object.entries(w)) out[k] = tf.clone(t);
  return out;
}
