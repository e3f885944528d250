/**
 * Trains the PixelCNN prior of pixelcnn.ts on code grids (TensorFlow.js, whatever backend is active):
 * Adam on the mean NLL per position (nats), a seeded split into training and validation grids, the
 * weights of the epoch with the lowest validation NLL (training NLL without a validation split).
 * Progress and cancellation as the other trainers (onProgress per step, an AbortSignal).
 */
import { Adam } from '../vae/optimizer.js';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../prng.js';
import { TrainingInputError } from '../vae/train.js';
import { initPixelCnnWeights, oneHotCodes, type PixelCnnConfig, pixelCnnWeightShapes, positionNll } from './pixelcnn.js';

export interface PixelCnnTrainOptions {
  config: PixelCnnConfig;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Fraction of grids held out for validation (0: none). */
  validationFraction: number;
  seed: number;
  /**
   * At most this many Adam steps in all: the epochs stop early on large training sets, whose code
   * grids repeat a lot (default: no limit).
   */
  maxSteps?: number;
}

/** Defaults for a VQ-VAE's code grid: ~300 steps of 64 grids whatever the footage's length. */
export const DEFAULT_PIXELCNN_TRAINING = { epochs: 30, batchSize: 64, learningRate: 3e-3, validationFraction: 0.15, seed: 1, maxSteps: 300 } as const;

export interface PixelCnnEpoch {
  epoch: number;
  /** Mean NLL per position on the training grids during the epoch, nats. */
  nll: number;
  /** Mean NLL per position on the validation grids after the epoch (null without a split). */
  valNll: number | null;
}

export interface PixelCnnProgress {
  epoch: number;
  /** Epochs this run will train (options.epochs, or fewer under maxSteps). */
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Running mean NLL per position of this epoch, nats. */
  nll: number;
  /** Training throughput in grids (= frames) per second. */
  framesPerSec: number;
}

export interface PixelCnnTrainResult {
  weights: Record<string, Float32Array>;
  history: PixelCnnEpoch[];
  bestEpoch: number;
  /** Mean NLL per position of the untrained model on the validation (else training) grids: log K at zero init. */
  initialNll: number;
  framesPerSec: number;
  seconds: number;
}

/** A seeded split of 0..count−1 into training and validation indices. */
export function splitGrids(count: number, validationFraction: number, seed: number): { train: number[]; val: number[] } {
  const r = mulberry32(seed ^ 0x5eed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nVal = validationFraction > 0 && count > 1 ? Math.min(count - 1, Math.max(1, Math.round(count * validationFraction))) : 0;
  return { val: order.slice(0, nVal).sort((a, b) => a - b), train: order.slice(nVal) };
}

function gather(codes: ArrayLike<number>, P: number, idx: readonly number[]): Int32Array {
  const out = new Int32Array(idx.length * P);
  idx.forEach((g, b) => {
    for (let p = 0; p < P; p++) out[b * P + p] = codes[g * P + p]!;
  });
  return out;
}

function meanNll(c: PixelCnnConfig, w: Record<string, tf.Tensor>, codes: ArrayLike<number>, idx: readonly number[], batchSize: number): number {
  const P = c.height * c.width;
  let s = 0;
  for (let b = 0; b < idx.length; b += batchSize) {
    const part = idx.slice(b, b + batchSize);
    s += tf.tidy(() => tf.sum(positionNll(c, w, oneHotCodes(c, gather(codes, P, part), part.length))).dataSync()[0]!);
  }
  return s / (idx.length * P);
}

/** Trains on `count` code grids [count·H·W] (row-major, values 0..K−1). */
export async function trainPixelCnn(codes: ArrayLike<number>, count: number, o: PixelCnnTrainOptions, hooks: { signal?: AbortSignal; onProgress?: (p: PixelCnnProgress) => void } = {}): Promise<PixelCnnTrainResult> {
  const c = o.config;
  const specs = pixelCnnWeightShapes(c);
  const P = c.height * c.width;
  if (codes.length !== count * P) throw new TrainingInputError(`${codes.length} codes for ${count} grid(s) of ${c.height}×${c.width}`);
  const { train, val } = splitGrids(count, o.validationFraction, o.seed);
  const batch = Math.min(o.batchSize, train.length);
  if (batch < 1) throw new TrainingInputError('no code grids to train the prior on');
  if (o.maxSteps !== undefined && !(Number.isInteger(o.maxSteps) && o.maxSteps >= 1)) throw new RangeError(`maxSteps must be a positive integer, got ${o.maxSteps}`);
  const t0 = performance.now();
  const init = initPixelCnnWeights(c, o.seed);
  const vars: Record<string, tf.Variable> = {};
  for (const s of specs) vars[s.name] = tf.variable(init[s.name]!, true);
  tf.dispose(Object.values(init));
  const adam = new Adam(specs, { learningRate: o.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, null);
  const history: PixelCnnEpoch[] = [];
  const stepsPerEpoch = Math.floor(train.length / batch);
  const epochs = o.maxSteps !== undefined ? Math.min(o.epochs, Math.max(1, Math.ceil(o.maxSteps / stepsPerEpoch))) : o.epochs;
  let best: Record<string, Float32Array> | null = null;
  let bestLoss = Infinity;
  let bestEpoch = -1;
  let adamStep = 0;
  let trainSeconds = 0;
  let trainFrames = 0;
  try {
    const initialNll = meanNll(c, vars, codes, val.length ? val : train, 256);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const r = mulberry32((o.seed * 0x9e3779b1 + epoch) >>> 0);
      const order = [...train];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let sum = 0;
      // The last epoch under maxSteps may be partial.
      const steps = o.maxSteps !== undefined ? Math.min(stepsPerEpoch, o.maxSteps - adamStep) : stepsPerEpoch;
      for (let step = 0; step < steps; step++) {
        if (hooks.signal?.aborted) throw Object.assign(new Error('training canceled'), { name: 'AbortError' });
        const ts = performance.now();
        const idx = order.slice(step * batch, (step + 1) * batch);
        const x = oneHotCodes(c, gather(codes, P, idx), idx.length);
        let loss = NaN;
        const { value, grads } = tf.variableGrads(() => {
          const l = tf.mean(positionNll(c, vars, x)) as tf.Scalar;
          loss = l.dataSync()[0]!;
          return l;
        }, Object.values(vars));
        tf.dispose([x, value]);
        if (!Number.isFinite(loss)) {
          tf.dispose(Object.values(grads));
          throw new TrainingInputError(`PixelCNN training diverged at epoch ${epoch + 1}, step ${step + 1}`);
        }
        adamStep++;
        adam.apply(vars, grads);
        tf.dispose(Object.values(grads));
        trainSeconds += (performance.now() - ts) / 1000;
        trainFrames += idx.length;
        sum += loss;
        hooks.onProgress?.({ epoch, epochs, step: step + 1, stepsPerEpoch: steps, nll: sum / (step + 1), framesPerSec: trainFrames / trainSeconds });
        await new Promise((res) => setImmediate(res));
      }
      const valNll = val.length ? meanNll(c, vars, codes, val, 256) : null;
      history.push({ epoch, nll: sum / steps, valNll });
      const monitored = valNll ?? sum / steps;
      if (monitored < bestLoss || best === null) {
        bestLoss = monitored;
        bestEpoch = epoch;
        best = Object.fromEntries(specs.map((s) => [s.name, (vars[s.name]!.dataSync() as Float32Array).slice()]));
      }
    }
    if (!best) best = Object.fromEntries(specs.map((s) => [s.name, (vars[s.name]!.dataSync() as Float32Array).slice()]));
    return { weights: best, history, bestEpoch, initialNll, framesPerSec: trainSeconds > 0 ? trainFrames / trainSeconds : 0, seconds: (performance.now() - t0) / 1000 };
  } finally {
    tf.dispose(Object.values(vars));
    adam.dispose();
  }
}
