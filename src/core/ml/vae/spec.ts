/**
 * The convolutional VAE's architecture: configuration, weight names and shapes, and the forward pass
 * in TensorFlow.js. Training (vae/train.ts) learns these weights; the ONNX exporter (ml/onnx) writes
 * the same graph. Both read this file, so the two cannot drift apart silently (the parity test
 * checks the numbers).
 *
 * Layout: tfjs is NHWC. Conv kernels are HWIO [kh, kw, in, out]; transposed-conv kernels are tfjs'
 * [kh, kw, out, in]. Dense kernels are [in, out]. Flatten follows NHWC order (h, w, c).
 */
import { type Likelihood, MAX_CONDITION_FRAMES } from '../../../shared/domain.js';
import * as tf from '@tensorflow/tfjs';

export type DecoderLikelihood = Likelihood;

export interface VaeConfig {
  /** Square input size in pixels; must be divisible by 2^filters.length. */
  inputSize: number;
  /** 3 for RGB, 1 for gray. */
  channels: number;
  /** Encoder conv widths, each layer halves the picture; the decoder mirrors them. */
  filters: number[];
  latentDim: number;
  likelihood: DecoderLikelihood;
  /** log σ² of the Gaussian decoder when it is fixed. */
  fixedLogVar: number;
  /**
   * Conditional VAE (kind 'cvae'; seed notes 002/003: a CVAE for temporal prediction): frame t is
   * modelled given the k = conditionFrames frames before it (t−1 … t−k, 1 ≤ k ≤ MAX_CONDITION_FRAMES).
   * Frames then arrive with (1 + k)·channels channels: the current frame's first, then frame t−1's,
   * then t−2's, …; the encoder q(z | x_t, x_{t−1..t−k}) sees them all, and the decoder
   * p(x_t | z, x_{t−1..t−k}) adds the earlier frames' logits to its own output:
   *   logits = dec(z) + Σ_j (1/k + s_{j,c}) · logit(clamp(x_{t−j}, 1/512, 1 − 1/512))   (s: 'dec.cond.scale', [k·C], starts at 0)
   * so with z carrying nothing the prediction is the earlier frames' mean logit (for k = 1, frame
   * t−1 itself), and z encodes what changed. 0 or absent: the plain VAE.
   */
  conditionFrames?: number;
}

export { MAX_CONDITION_FRAMES } from '../../../shared/domain.js';

/** Clamp of the previous frame before its logit (keeps logit finite for 0 and 255 pixels). */
export const COND_CLAMP = 1 / 512;

/** Channels a frame arrives with: the picture's own, times (1 + conditionFrames). */
export const inputChannels = (c: VaeConfig): number => c.channels * (1 + (c.conditionFrames ?? 0));

export const DEFAULT_VAE_CONFIG: VaeConfig = {
  inputSize: 64,
  channels: 3,
  filters: [16, 32, 32, 64],
  latentDim: 16,
  likelihood: 'gaussian-learned',
  fixedLogVar: Math.log(0.01),
};

export const KERNEL = 4;
export const STRIDE = 2;

export interface WeightSpec {
  name: string;
  shape: number[];
  /** How to initialise: 'glorot' for kernels, 'zeros' for biases and learned log-variances. */
  init: 'glorot' | 'zeros';
}

export type VaeWeights = Record<string, tf.Tensor>;

export function validateConfig(c: VaeConfig): void {
  const down = 2 ** c.filters.length;
  if (!Number.isInteger(c.inputSize) || c.inputSize < down || c.inputSize % down !== 0)
    throw new RangeError(`inputSize ${c.inputSize} must be a positive multiple of ${down} (2^${c.filters.length} conv layers)`);
  if (c.channels !== 1 && c.channels !== 3) throw new RangeError(`channels must be 1 or 3, not ${c.channels}`);
  if (c.filters.length < 1 || c.filters.some((f) => !Number.isInteger(f) || f < 1)) throw new RangeError('filters must be positive integers');
  if (!Number.isInteger(c.latentDim) || c.latentDim < 1) throw new RangeError('latentDim must be a positive integer');
  if (c.conditionFrames !== undefined && !(Number.isInteger(c.conditionFrames) && c.conditionFrames >= 0 && c.conditionFrames <= MAX_CONDITION_FRAMES))
    throw new RangeError(`conditionFrames must be a whole number from 0 to ${MAX_CONDITION_FRAMES}, not ${c.conditionFrames}`);
}

/** Side of the smallest feature map, and the flattened size at the bottleneck. */
export function bottleneck(c: VaeConfig): { side: number; depth: number; flat: number } {
  const side = c.inputSize / 2 ** c.filters.length;
  const depth = c.filters[c.filters.length - 1]!;
  return { side, depth, flat: side * side * depth };
}

/** Every weight of the model, in a fixed order. */
export function weightSpecs(c: VaeConfig): WeightSpec[] {
  validateConfig(c);
  const out: WeightSpec[] = [];
  let cin = inputChannels(c);
  c.filters.forEach((f, i) => {
    out.push({ name: `enc.conv${i}.kernel`, shape: [KERNEL, KERNEL, cin, f], init: 'glorot' });
    out.push({ name: `enc.conv${i}.bias`, shape: [f], init: 'zeros' });
    cin = f;
  });
  const { flat } = bottleneck(c);
  out.push({ name: 'enc.mu.kernel', shape: [flat, c.latentDim], init: 'glorot' });
  out.push({ name: 'enc.mu.bias', shape: [c.latentDim], init: 'zeros' });
  out.push({ name: 'enc.logvar.kernel', shape: [flat, c.latentDim], init: 'glorot' });
  out.push({ name: 'enc.logvar.bias', shape: [c.latentDim], init: 'zeros' });
  out.push({ name: 'dec.fc.kernel', shape: [c.latentDim, flat], init: 'glorot' });
  out.push({ name: 'dec.fc.bias', shape: [flat], init: 'zeros' });
  // Decoder: mirror of the encoder. Layer i maps depth dIn -> dOut and doubles the picture.
  const widths = [...c.filters].reverse(); // e.g. [128, 64, 64, 32]
  for (let i = 0; i < widths.length; i++) {
    const dIn = widths[i]!;
    const dOut = i + 1 < widths.length ? widths[i + 1]! : c.channels;
    out.push({ name: `dec.deconv${i}.kernel`, shape: [KERNEL, KERNEL, dOut, dIn], init: 'glorot' });
    out.push({ name: `dec.deconv${i}.bias`, shape: [dOut], init: 'zeros' });
  }
  if (c.likelihood === 'gaussian-learned') out.push({ name: 'dec.logvar', shape: [c.channels], init: 'zeros' });
  if (c.conditionFrames) out.push({ name: 'dec.cond.scale', shape: [c.conditionFrames * c.channels], init: 'zeros' });
  return out;
}

/** Fresh weights (Glorot-uniform kernels, zero biases), reproducible from a seed. */
export function initWeights(c: VaeConfig, seed = 1): VaeWeights {
  const w: VaeWeights = {};
  let s = seed;
  for (const spec of weightSpecs(c)) {
    if (spec.init === 'zeros') {
      w[spec.name] = tf.zeros(spec.shape);
      continue;
    }
    const [kh, kw, a, b] = spec.shape.length === 4 ? spec.shape : [1, 1, spec.shape[0]!, spec.shape[1]!];
    const fanIn = kh! * kw! * a!;
    const fanOut = kh! * kw! * b!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    w[spec.name] = tf.randomUniform(spec.shape, -limit, limit, 'float32', s++);
  }
  return w;
}

const get = (w: VaeWeights, name: string): tf.Tensor => {
  const t = w[name];
  if (!t) throw new Error(`missing weight ${name}`);
  return t;
};

/** Encoder: x [N, S, S, inputChannels(c)] in 0..1 -> μ and log σ², each [N, L]. */
export function encode(c: VaeConfig, w: VaeWeights, x: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  return tf.tidy(() => {
    let h: tf.Tensor4D = x;
    for (let i = 0; i < c.filters.length; i++) {
      h = tf.relu(tf.add(tf.conv2d(h, get(w, `enc.conv${i}.kernel`) as tf.Tensor4D, STRIDE, 'same'), get(w, `enc.conv${i}.bias`))) as tf.Tensor4D;
    }
    const flat = tf.reshape(h, [x.shape[0], bottleneck(c).flat]) as tf.Tensor2D;
    const mu = tf.add(tf.matMul(flat, get(w, 'enc.mu.kernel') as tf.Tensor2D), get(w, 'enc.mu.bias')) as tf.Tensor2D;
    const logvar = tf.add(tf.matMul(flat, get(w, 'enc.logvar.kernel') as tf.Tensor2D), get(w, 'enc.logvar.bias')) as tf.Tensor2D;
    return { mu, logvar };
  });
}

/**
 * Decoder: z [N, L] -> logits [N, S, S, C] (the decoder mean is sigmoid(logits)). A conditional model
 * needs `cond`, the earlier frames [N, S, S, k·C] in 0..1 (t−1's channels first).
 */
export function decodeLogits(c: VaeConfig, w: VaeWeights, z: tf.Tensor2D, cond?: tf.Tensor4D): tf.Tensor4D {
  if (c.conditionFrames && !cond) throw new RangeError('a conditional VAE decodes given the previous frame (cond)');
  return tf.tidy(() => {
    const { side, depth } = bottleneck(c);
    const n = z.shape[0];
    let h = tf.relu(tf.add(tf.matMul(z, get(w, 'dec.fc.kernel') as tf.Tensor2D), get(w, 'dec.fc.bias')));
    let x = tf.reshape(h, [n, side, side, depth]) as tf.Tensor4D;
    const layers = c.filters.length;
    let s = side;
    for (let i = 0; i < layers; i++) {
      const k = get(w, `dec.deconv${i}.kernel`) as tf.Tensor4D;
      s *= 2;
      x = tf.add(tf.conv2dTranspose(x, k, [n, s, s, k.shape[2]], STRIDE, 'same'), get(w, `dec.deconv${i}.bias`)) as tf.Tensor4D;
      if (i + 1 < layers) x = tf.relu(x);
    }
    h = x;
    if (c.conditionFrames && cond) {
      const k = c.conditionFrames;
      const p = tf.clipByValue(cond, COND_CLAMP, 1 - COND_CLAMP);
      const prevLogit = tf.sub(tf.log(p), tf.log1p(tf.neg(p)));
      const term = tf.mul(tf.add(1 / k, get(w, 'dec.cond.scale')), prevLogit);
      // [N, S, S, k·C] -> the sum over the k earlier frames, [N, S, S, C].
      h = tf.add(h, k === 1 ? term : tf.sum(tf.reshape(term, [n, s, s, k, c.channels]), 3));
    }
    return h as tf.Tensor4D;
  });
}

/** Decoder log σ² per channel [C] for Gaussian likelihoods; null for Bernoulli. */
export function decoderLogVar(c: VaeConfig, w: VaeWeights): tf.Tensor1D | null {
  if (c.likelihood === 'bernoulli') return null;
  if (c.likelihood === 'gaussian-fixed') return tf.fill([c.channels], c.fixedLogVar) as tf.Tensor1D;
  return get(w, 'dec.logvar') as tf.Tensor1D;
}

/** A conditional model's input [N, S, S, (1 + k)C] split into the current frame [N, S, S, C] and the earlier ones [N, S, S, kC]. */
export function splitConditional(c: VaeConfig, input: tf.Tensor4D): { x: tf.Tensor4D; cond: tf.Tensor4D | undefined } {
  if (!c.conditionFrames) return { x: input, cond: undefined };
  const [n, s1, s2] = input.shape;
  return tf.tidy(() => ({
    x: tf.slice(input, [0, 0, 0, 0], [n, s1, s2, c.channels]),
    cond: tf.slice(input, [0, 0, 0, c.channels], [n, s1, s2, c.channels * c.conditionFrames!]),
  }));
}
