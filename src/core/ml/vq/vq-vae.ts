/**
 * The VQ-VAE (van den Oord et al. 2017; seed note 003): the encoder's last feature map is a grid of
 * G×G vectors of dimension D (the last encoder width), each replaced by its nearest codebook vector
 * e_k (K codes), and the decoder rebuilds the picture from the quantized grid.
 *
 *   z_e = enc(x)  [N, G, G, D],   c = argmin_k ‖z_e − e_k‖²,   z_q = e_c
 *   forward through the decoder: z_st = z_e + sg[z_q − z_e]  (value z_q; gradient passes straight to z_e)
 *   loss = −log p(x | z_q)  +  β Σ_positions ‖z_e − sg[z_q]‖²         (reconstruction + commitment)
 *   codebook: exponential moving averages of the assigned z_e (family/vq.ts emaUpdate), instead of a
 *   codebook loss; codes unused for an epoch are restarted on random encoder outputs.
 *
 * The encoder is the VAE's conv stack (spec.ts layout) with its last layer linear; the decoder is the
 * VAE's transposed-conv stack starting from the grid (no dense layer). Gaussian decoder with a learned
 * per-channel log σ², as the default VAE.
 */
import * as tf from '@tensorflow/tfjs';
import { KERNEL, STRIDE, type WeightSpec } from '../vae/spec.js';

export interface VqConfig {
  inputSize: number;
  channels: number;
  filters: number[];
  /** K, the number of codes. */
  codebookSize: number;
  /** β of the commitment loss. */
  beta: number;
}

export const DEFAULT_VQ_CONFIG: VqConfig = { inputSize: 64, channels: 3, filters: [16, 32, 32, 64], codebookSize: 64, beta: 0.25 };

export const vqGrid = (c: VqConfig): { side: number; dim: number } => ({ side: c.inputSize / 2 ** c.filters.length, dim: c.filters[c.filters.length - 1]! });

export function vqWeightSpecs(c: VqConfig): WeightSpec[] {
  const down = 2 ** c.filters.length;
  if (c.inputSize % down !== 0) throw new RangeError(`inputSize ${c.inputSize} must be a multiple of ${down}`);
  if (!Number.isInteger(c.codebookSize) || c.codebookSize < 2) throw new RangeError('codebookSize must be an integer >= 2');
  const out: WeightSpec[] = [];
  let cin = c.channels;
  c.filters.forEach((f, i) => {
    out.push({ name: `enc.conv${i}.kernel`, shape: [KERNEL, KERNEL, cin, f], init: 'glorot' }, { name: `enc.conv${i}.bias`, shape: [f], init: 'zeros' });
    cin = f;
  });
  const widths = [...c.filters].reverse();
  for (let i = 0; i < widths.length; i++) {
    const dOut = i + 1 < widths.length ? widths[i + 1]! : c.channels;
    out.push({ name: `dec.deconv${i}.kernel`, shape: [KERNEL, KERNEL, dOut, widths[i]!], init: 'glorot' }, { name: `dec.deconv${i}.bias`, shape: [dOut], init: 'zeros' });
  }
  out.push({ name: 'dec.logvar', shape: [c.channels], init: 'zeros' });
  return out;
}

export type VqWeights = Record<string, tf.Tensor>;

export function initVqWeights(c: VqConfig, seed: number): VqWeights {
  const w: VqWeights = {};
  let s = seed;
  for (const spec of vqWeightSpecs(c)) {
    if (spec.init === 'zeros') w[spec.name] = tf.zeros(spec.shape);
    else {
      const [kh, kw, a, b] = spec.shape as [number, number, number, number];
      const limit = Math.sqrt(6 / (kh * kw * a + kh * kw * b));
      w[spec.name] = tf.randomUniform(spec.shape, -limit, limit, 'float32', s++);
    }
  }
  return w;
}

/** z_e: x [N, S, S, C] in 0..1 -> [N, G, G, D]; ReLU between layers, the last layer linear. */
export function encodeGrid(c: VqConfig, w: VqWeights, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let h: tf.Tensor4D = x;
    for (let i = 0; i < c.filters.length; i++) {
      h = tf.add(tf.conv2d(h, w[`enc.conv${i}.kernel`] as tf.Tensor4D, STRIDE, 'same'), w[`enc.conv${i}.bias`]!) as tf.Tensor4D;
      if (i + 1 < c.filters.length) h = tf.relu(h);
    }
    return h;
  });
}

/** Decoder logits [N, S, S, C] from a (quantized) grid [N, G, G, D]. */
export function decodeGridLogits(c: VqConfig, w: VqWeights, grid: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = grid.shape[0];
    let x = grid;
    let s = grid.shape[1];
    for (let i = 0; i < c.filters.length; i++) {
      const k = w[`dec.deconv${i}.kernel`] as tf.Tensor4D;
      s *= 2;
      x = tf.add(tf.conv2dTranspose(x, k, [n, s, s, k.shape[2]], STRIDE, 'same'), w[`dec.deconv${i}.bias`]!) as tf.Tensor4D;
      if (i + 1 < c.filters.length) x = tf.relu(x);
    }
    return x;
  });
}

/**
 * The straight-through estimator: the value of z_q, the gradient of z_e. `zq` and `zeConst` are
 * constants (z_q and the value of z_e computed outside the gradient tape), so
 *   z_st = z_e + (z_q − z_e_const) = z_q in value, and ∂z_st/∂z_e = I.
 */
export function straightThrough(ze: tf.Tensor4D, zq: tf.Tensor4D, zeConst: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.add(ze, tf.sub(zq, zeConst)) as tf.Tensor4D);
}
