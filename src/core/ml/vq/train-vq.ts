/**
 * Trains the VQ-VAE of vq-vae.ts (TensorFlow.js, whatever backend is active): Adam on the encoder and
 * decoder with the straight-through estimator and the commitment loss, the codebook by EMA
 * (family/vq.ts), codes unused for a whole epoch restarted on random encoder outputs. The codebook
 * starts on encoder outputs of the first batch. Returns the weights of the epoch with the lowest
 * validation reconstruction NLL, the codebook and the code usage on the training split (for rarity).
 */
import * as tf from '@tensorflow/tfjs';
import { codeUsage, createEmaState, emaUpdate, nearestCodes, restartDeadCodes, type CodeUsage, type EmaState } from '../family/vq.js';
import { gaussianNll, observedWeights } from '../vae/losses.js';
import { hash32, splitIndices, TrainingInputError, type FrameSet } from '../vae/train.js';
import { mulberry32 } from '../prng.js';
import { decodeGridLogits, encodeGrid, initVqWeights, straightThrough, type VqConfig, vqGrid, vqWeightSpecs } from './vq-vae.js';

export interface VqTrainOptions {
  config: VqConfig;
  epochs: number;
  batchSize: number;
  learningRate: number;
  validationFraction: number;
  seed: number;
  emaDecay?: number;
  /**
   * Masked likelihood (as trainVae's): S·S bytes, 1 = ignored. Ignored pixels are zeroed in the
   * encoder's input and left out of the reconstruction NLL. Absent or all zero: the unmasked run.
   */
  ignoreMask?: Uint8Array;
}

export interface VqEpoch {
  epoch: number;
  recon: number;
  commitment: number;
  valRecon: number | null;
  perplexity: number;
  restarted: number;
}

export interface VqTrainResult {
  weights: Record<string, Float32Array>;
  codebook: Float32Array;
  /** Code usage over the training split's grid positions, with the final weights and codebook. */
  usage: CodeUsage;
  history: VqEpoch[];
  bestEpoch: number;
  framesPerSec: number;
  seconds: number;
}

function batchTensor(frames: FrameSet, idx: number[]): tf.Tensor4D {
  const per = frames.size * frames.size * frames.channels;
  const buf = new Float32Array(idx.length * per);
  idx.forEach((f, b) => {
    for (let i = 0; i < per; i++) buf[b * per + i] = frames.data[f * per + i]! / 255;
  });
  return tf.tensor4d(buf, [idx.length, frames.size, frames.size, frames.channels]);
}

/** What the encoder sees: the frames with ignored pixels zeroed (no mask: the frames). */
const seen = (x: tf.Tensor4D, observed?: tf.Tensor4D): tf.Tensor4D => (observed ? (tf.mul(x, observed) as tf.Tensor4D) : x);

/** Codes of every grid position of some frames, with the encoder outputs [M, D]. */
function assign(c: VqConfig, w: Record<string, tf.Tensor>, frames: FrameSet, idx: number[], codebook: ArrayLike<number>, observed?: tf.Tensor4D): { z: Float32Array; codes: Int32Array } {
  const ze = tf.tidy(() => encodeGrid(c, w, seen(batchTensor(frames, idx), observed)));
  const z = ze.dataSync() as Float32Array;
  ze.dispose();
  return { z, codes: Int32Array.from(nearestCodes(z, codebook, vqGrid(c).dim).codes) };
}

export async function trainVqVae(frames: FrameSet, o: VqTrainOptions, hooks: { signal?: AbortSignal; onProgress?: (p: { epoch: number; step: number; stepsPerEpoch: number; recon: number; framesPerSec: number }) => void } = {}): Promise<VqTrainResult> {
  const c = o.config;
  const specs = vqWeightSpecs(c);
  if (frames.size !== c.inputSize || frames.channels !== c.channels) throw new TrainingInputError(`frames are ${frames.size}×${frames.size}×${frames.channels}, the model takes ${c.inputSize}×${c.inputSize}×${c.channels}`);
  const { train, val } = splitIndices(frames.count, o.validationFraction, o.seed);
  if (train.length < o.batchSize) throw new TrainingInputError(`too few training frames (${train.length}) for batch ${o.batchSize}`);
  const { side, dim } = vqGrid(c);
  const K = c.codebookSize;
  if (o.ignoreMask && o.ignoreMask.length !== c.inputSize * c.inputSize) throw new TrainingInputError(`ignoreMask must have inputSize² = ${c.inputSize * c.inputSize} values`);
  if (o.ignoreMask?.every((v) => v === 1)) throw new TrainingInputError('the ignore mask covers every pixel: nothing is left to learn from');
  const observed = o.ignoreMask?.some((v) => v === 1) ? observedWeights(o.ignoreMask, c.inputSize) : undefined;
  const t0 = performance.now();
  const init = initVqWeights(c, o.seed);
  const vars: Record<string, tf.Variable> = {};
  for (const s of specs) vars[s.name] = tf.variable(init[s.name]!, true);
  tf.dispose(Object.values(init));
  const m = new Map(specs.map((s) => [s.name, tf.zerosLike(vars[s.name]!) as tf.Tensor]));
  const v = new Map(specs.map((s) => [s.name, tf.zerosLike(vars[s.name]!) as tf.Tensor]));
  const rng = mulberry32(hash32(o.seed, 0x7a));
  const shuffled = (items: number[], seed: number): number[] => {
    const r = mulberry32(seed);
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  // Codebook: K encoder outputs of the untrained encoder, picked at random from the first batch.
  let ema: EmaState;
  {
    const first = assign(c, vars, frames, train.slice(0, Math.max(o.batchSize, Math.ceil(K / (side * side)))), new Float32Array(dim), observed);
    const M = first.z.length / dim;
    const cb = new Float64Array(K * dim);
    for (let k = 0; k < K; k++) {
      const r = Math.floor(rng() * M);
      for (let j = 0; j < dim; j++) cb[k * dim + j] = first.z[r * dim + j]! + 1e-3 * (rng() - 0.5);
    }
    ema = createEmaState(cb, dim);
  }
  const history: VqEpoch[] = [];
  let best: Record<string, Float32Array> | null = null;
  let bestCodebook: Float64Array | null = null;
  let bestLoss = Infinity;
  let bestEpoch = -1;
  let adamStep = 0;
  let trainSeconds = 0;
  let trainFrames = 0;
  const stepsPerEpoch = Math.floor(train.length / o.batchSize);
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = shuffled(train, hash32(o.seed, 0x0bde5, epoch));
      const used = new Float64Array(K);
      let sumRecon = 0;
      let sumCommit = 0;
      let lastZ: Float32Array = new Float32Array(0);
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (hooks.signal?.aborted) throw Object.assign(new Error('training canceled'), { name: 'AbortError' });
        const ts = performance.now();
        const idx = order.slice(step * o.batchSize, (step + 1) * o.batchSize);
        const { z, codes } = assign(c, vars, frames, idx, ema.codebook, observed);
        lastZ = z;
        codes.forEach((k) => (used[k] = used[k]! + 1));
        const zq = new Float32Array(z.length);
        codes.forEach((k, r) => {
          for (let j = 0; j < dim; j++) zq[r * dim + j] = ema.codebook[k * dim + j]!;
        });
        const shape: [number, number, number, number] = [idx.length, side, side, dim];
        const x = batchTensor(frames, idx);
        const zqT = tf.tensor4d(zq, shape);
        const zeConst = tf.tensor4d(z, shape);
        const parts: { recon?: number; commit?: number } = {};
        const { value, grads } = tf.variableGrads(() => {
          const ze = encodeGrid(c, vars, seen(x, observed));
          const logits = decodeGridLogits(c, vars, straightThrough(ze, zqT, zeConst));
          const recon = tf.mean(gaussianNll(logits, vars['dec.logvar']!, x, observed));
          const commit = tf.mul(c.beta, tf.div(tf.sum(tf.square(tf.sub(ze, zqT))), idx.length));
          parts.recon = recon.dataSync()[0]!;
          parts.commit = commit.dataSync()[0]!;
          return tf.add(recon, commit) as tf.Scalar;
        }, Object.values(vars));
        // The loss value is read through parts (dataSync above): dispose it, or each step leaks a scalar.
        tf.dispose([x, zqT, zeConst, value]);
        if (!Number.isFinite(parts.recon!) || !Number.isFinite(parts.commit!)) {
          tf.dispose(Object.values(grads));
          throw new TrainingInputError(`VQ-VAE training diverged at epoch ${epoch + 1}, step ${step + 1}`);
        }
        adamStep++;
        const c1 = 1 - 0.9 ** adamStep;
        const c2 = 1 - 0.999 ** adamStep;
        tf.tidy(() => {
          for (const s of specs) {
            const g = grads[vars[s.name]!.name];
            if (!g) continue;
            const m1 = tf.add(tf.mul(0.9, m.get(s.name)!), tf.mul(0.1, g));
            const v1 = tf.add(tf.mul(0.999, v.get(s.name)!), tf.mul(0.001, tf.square(g)));
            vars[s.name]!.assign(tf.sub(vars[s.name]!, tf.div(tf.mul(o.learningRate / c1, m1), tf.add(tf.sqrt(tf.div(v1, c2)), 1e-7))));
            m.get(s.name)!.dispose();
            v.get(s.name)!.dispose();
            m.set(s.name, tf.keep(m1));
            v.set(s.name, tf.keep(v1));
          }
        });
        tf.dispose(Object.values(grads));
        ema = emaUpdate(ema, z, codes, { decay: o.emaDecay ?? 0.99 });
        trainSeconds += (performance.now() - ts) / 1000;
        trainFrames += idx.length;
        sumRecon += parts.recon!;
        sumCommit += parts.commit!;
        hooks.onProgress?.({ epoch, step: step + 1, stepsPerEpoch, recon: sumRecon / (step + 1), framesPerSec: trainFrames / trainSeconds });
        await new Promise((r) => setImmediate(r));
      }
      // Codes no frame chose this epoch start again on encoder outputs of the last batch.
      const { state, restarted } = restartDeadCodes(ema, lastZ, { usage: used, threshold: 1, rng });
      ema = state;
      let valRecon: number | null = null;
      if (val.length) {
        let s = 0;
        for (let b = 0; b < val.length; b += o.batchSize) {
          const idx = val.slice(b, b + o.batchSize);
          const { codes } = assign(c, vars, frames, idx, ema.codebook, observed);
          s += tf.tidy(() => {
            const zq = new Float32Array(codes.length * dim);
            codes.forEach((k, r) => {
              for (let j = 0; j < dim; j++) zq[r * dim + j] = ema.codebook[k * dim + j]!;
            });
            const x = batchTensor(frames, idx);
            return tf.sum(gaussianNll(decodeGridLogits(c, vars, tf.tensor4d(zq, [idx.length, side, side, dim])), vars['dec.logvar']!, x, observed)).dataSync()[0]!;
          });
        }
        valRecon = s / val.length;
      }
      const total = used.reduce((a, b) => a + b, 0);
      let h = 0;
      for (const u of used) if (u > 0) h -= (u / total) * Math.log(u / total);
      history.push({ epoch, recon: sumRecon / stepsPerEpoch, commitment: sumCommit / stepsPerEpoch, valRecon, perplexity: Math.exp(h), restarted: restarted.length });
      const monitored = valRecon ?? sumRecon / stepsPerEpoch;
      if (monitored < bestLoss) {
        bestLoss = monitored;
        bestEpoch = epoch;
        best = Object.fromEntries(specs.map((s) => [s.name, (vars[s.name]!.dataSync() as Float32Array).slice()]));
        bestCodebook = Float64Array.from(ema.codebook);
      }
    }
    // Usage on the training split with the chosen weights and codebook.
    for (const s of specs) vars[s.name]!.assign(tf.tensor(best![s.name]!, s.shape));
    const codes: number[] = [];
    for (let b = 0; b < train.length; b += o.batchSize) codes.push(...assign(c, vars, frames, train.slice(b, b + o.batchSize), bestCodebook!, observed).codes);
    return {
      weights: best!,
      codebook: Float32Array.from(bestCodebook!),
      usage: codeUsage(codes, K),
      history,
      bestEpoch,
      framesPerSec: trainSeconds > 0 ? trainFrames / trainSeconds : 0,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    observed?.dispose();
    tf.dispose(Object.values(vars));
    tf.dispose([...m.values(), ...v.values()]);
  }
}
