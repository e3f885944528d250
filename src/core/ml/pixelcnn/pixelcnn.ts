/**
 * A gated PixelCNN prior over a grid of discrete codes (van den Oord et al. 2016, "Conditional Image
 * Generation with PixelCNN Decoders", unconditional; seed note 003): an autoregressive model that
 * gives the exact likelihood of a VQ-VAE's code grid,
 *
 *   p(c) = Π_{i in raster order} p(c_i | c_<i),   each factor a softmax over the K codes,
 *   −log p(c) = Σ_i −log p(c_i | c_<i)   (nats; `codeNll`, and per position the NLL map).
 *
 * Layout (NHWC, every convolution stride 1 with 'same' padding, c = ⌊k/2⌋ the kernel centre):
 *   input      one-hot codes [N, H, W, K] (a linear embedding would only fold into the first kernels)
 *   layer l    vertical stack   v' = conv_{k×k}(v, W_v ⊙ M_v) + b_v                      [N, H, W, 2F]
 *                               v  ← tanh(v'[:F]) · σ(v'[F:])
 *              horizontal stack h' = conv_{1×k}(h, W_h ⊙ M_h) + b_h + conv_{1×1}(v') + b_vh [.., 2F]
 *                               h  ← conv_{1×1}(tanh(h'[:F]) · σ(h'[F:])) + b_o  (+ h, residual, l ≥ 1)
 *   head       logits = conv_{1×1}(relu(conv_{1×1}(relu(h)))) [N, H, W, K]
 * Masks (the causal structure; the vertical stack never sees its own row, so it feeds the horizontal
 * stack directly without the blind spot of a single masked kernel):
 *   M_v, mask A (l = 0): kernel rows < c (rows i−c..i−1);  mask B (l ≥ 1): rows ≤ c (the previous
 *        layer's vertical output at row i already depends on rows < i only)
 *   M_h, mask A (l = 0): columns < c (j−c..j−1 of row i); mask B (l ≥ 1): columns ≤ c
 * So the logits at (i, j) depend on codes strictly before (i, j) in raster order (tested). The
 * kernels are stored whole ([k, k, Cin, Cout], [1, k, Cin, Cout]); tfjs reads only the kept taps
 * (maskedConv), so masked entries get no gradient, and the ONNX export writes W ⊙ M into plain Conv
 * kernels (the same function, parity-tested).
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../prng.js';

export interface PixelCnnConfig {
  /** K, the number of codes (the VQ-VAE's codebookSize). */
  codes: number;
  /** Grid rows H and columns W (the VQ-VAE's G×G). */
  height: number;
  width: number;
  /** F, channels of each stack. */
  channels: number;
  /** Gated layers; the first uses mask A. */
  layers: number;
  /** Kernel size k (odd). */
  kernel: number;
  /** Width of the 1×1 output head. */
  hidden: number;
}

/** The architecture without the grid and code count (those come from the VQ-VAE). */
export type PixelCnnArch = Pick<PixelCnnConfig, 'channels' | 'layers' | 'kernel' | 'hidden'>;

export const DEFAULT_PIXELCNN_ARCH: PixelCnnArch = { channels: 32, layers: 4, kernel: 3, hidden: 64 };

export interface WeightShape {
  name: string;
  shape: number[];
  init: 'glorot' | 'zeros';
}

export function validatePixelCnnConfig(c: PixelCnnConfig): void {
  const ints: Array<[keyof PixelCnnConfig, number]> = [
    ['codes', 2],
    ['height', 1],
    ['width', 1],
    ['channels', 1],
    ['layers', 1],
    ['kernel', 1],
    ['hidden', 1],
  ];
  for (const [k, min] of ints) if (!Number.isInteger(c[k]) || c[k] < min) throw new RangeError(`PixelCNN ${k} must be an integer >= ${min}, got ${c[k]}`);
  if (c.kernel % 2 !== 1) throw new RangeError(`PixelCNN kernel must be odd, got ${c.kernel}`);
}

export function pixelCnnWeightShapes(c: PixelCnnConfig): WeightShape[] {
  validatePixelCnnConfig(c);
  const { kernel: k, channels: F, codes: K, hidden: H } = c;
  const out: WeightShape[] = [];
  for (let l = 0; l < c.layers; l++) {
    const cin = l === 0 ? K : F;
    out.push(
      { name: `l${l}.v.kernel`, shape: [k, k, cin, 2 * F], init: 'glorot' },
      { name: `l${l}.v.bias`, shape: [2 * F], init: 'zeros' },
      { name: `l${l}.h.kernel`, shape: [1, k, cin, 2 * F], init: 'glorot' },
      { name: `l${l}.h.bias`, shape: [2 * F], init: 'zeros' },
      { name: `l${l}.vh.kernel`, shape: [1, 1, 2 * F, 2 * F], init: 'glorot' },
      { name: `l${l}.vh.bias`, shape: [2 * F], init: 'zeros' },
      { name: `l${l}.o.kernel`, shape: [1, 1, F, F], init: 'glorot' },
      { name: `l${l}.o.bias`, shape: [F], init: 'zeros' },
    );
  }
  out.push(
    { name: 'head.hidden.kernel', shape: [1, 1, F, H], init: 'glorot' },
    { name: 'head.hidden.bias', shape: [H], init: 'zeros' },
    { name: 'head.logits.kernel', shape: [1, 1, H, K], init: 'zeros' },
    { name: 'head.logits.bias', shape: [K], init: 'zeros' },
  );
  return out;
}

/**
 * The causal mask of a kernel [kh, kw] as kh·kw values (1 = kept): 'vA'/'vB' for the vertical stack
 * (rows above the centre; B adds the centre row), 'hA'/'hB' for the horizontal one (kh = 1: columns
 * left of the centre; B adds the centre).
 */
export function causalMask(kind: 'vA' | 'vB' | 'hA' | 'hB', k: number): { shape: [number, number]; data: Float32Array } {
  const c = (k - 1) / 2;
  if (kind === 'vA' || kind === 'vB') {
    const data = new Float32Array(k * k);
    for (let r = 0; r < k; r++) for (let col = 0; col < k; col++) data[r * k + col] = r < c || (kind === 'vB' && r === c) ? 1 : 0;
    return { shape: [k, k], data };
  }
  const data = Float32Array.from({ length: k }, (_, col) => (col < c || (kind === 'hB' && col === c) ? 1 : 0));
  return { shape: [1, k], data };
}

/** The masks of layer l's two kernels. */
export function layerMasks(l: number, k: number): { v: ReturnType<typeof causalMask>; h: ReturnType<typeof causalMask> } {
  return { v: causalMask(l === 0 ? 'vA' : 'vB', k), h: causalMask(l === 0 ? 'hA' : 'hB', k) };
}

export type PixelCnnWeights = Record<string, tf.Tensor>;

/**
 * Glorot-uniform kernels from a seed, zero biases and a zero output kernel: the untrained model is
 * uniform over the K codes (log K nats per position), and the first steps train the output layer.
 */
export function initPixelCnnWeights(c: PixelCnnConfig, seed: number): PixelCnnWeights {
  const w: PixelCnnWeights = {};
  const r = mulberry32(seed);
  for (const spec of pixelCnnWeightShapes(c)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.init === 'zeros') w[spec.name] = tf.zeros(spec.shape);
    else {
      const [kh, kw, a, b] = spec.shape as [number, number, number, number];
      const limit = Math.sqrt(6 / (kh * kw * (a + b)));
      w[spec.name] = tf.tensor(Float32Array.from({ length: n }, () => (2 * r() - 1) * limit), spec.shape);
    }
  }
  return w;
}

/** Weights as plain arrays (for storage and ONNX export) and back. */
export function pixelCnnWeightArrays(w: PixelCnnWeights): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(w).map(([k, t]) => [k, (t.dataSync() as Float32Array).slice()]));
}

export function pixelCnnWeightTensors(c: PixelCnnConfig, arrays: Record<string, Float32Array>): PixelCnnWeights {
  const w: PixelCnnWeights = {};
  for (const s of pixelCnnWeightShapes(c)) {
    const a = arrays[s.name];
    if (!a || a.length !== s.shape.reduce((x, y) => x * y, 1)) throw new RangeError(`PixelCNN weight ${s.name} missing or of the wrong size`);
    w[s.name] = tf.tensor(a, s.shape);
  }
  return w;
}

/** Codes [N·H·W] (row-major grids) as one-hot [N, H, W, K]; throws on a code outside 0..K−1. */
export function oneHotCodes(c: PixelCnnConfig, codes: ArrayLike<number>, count: number): tf.Tensor4D {
  const P = c.height * c.width;
  if (codes.length !== count * P) throw new RangeError(`${codes.length} codes for ${count} grid(s) of ${c.height}×${c.width}`);
  const buf = new Float32Array(count * P * c.codes);
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= c.codes) throw new RangeError(`code ${k} at ${i} is not in 0..${c.codes - 1}`);
    buf[i * c.codes + k] = 1;
  }
  return tf.tensor4d(buf, [count, c.height, c.width, c.codes]);
}

const gate = (x: tf.Tensor4D, F: number): tf.Tensor4D => {
  const [a, b] = tf.split(x, [F, F], 3) as [tf.Tensor4D, tf.Tensor4D];
  return tf.mul(tf.tanh(a), tf.sigmoid(b)) as tf.Tensor4D;
};

/** A 1×1 convolution as a matrix product: x [N, H, W, Cin], kernel [1, 1, Cin, Cout]. */
const conv1x1 = (x: tf.Tensor4D, k: tf.Tensor, b: tf.Tensor): tf.Tensor4D => {
  const [n, h, w, cin] = x.shape;
  const cout = k.shape[3]!;
  return tf.add(tf.matMul(tf.reshape(x, [n * h * w, cin]), tf.reshape(k, [cin, cout])), b).reshape([n, h, w, cout]);
};

/**
 * A stride-1 'same' convolution with kernel [kh, kw, Cin, Cout] under a causal mask, computed as one
 * matrix product over the kept taps only (shifted copies of the zero-padded input side by side):
 * the same values as conv2d with kernel W ⊙ M, without the masked half's work, and with gradients
 * made of slices and a matMul (tfjs-cpu's Conv2DBackpropFilter is a slow loop: this is ~3x faster
 * there). Masked kernel entries are never read, so they get no gradient.
 */
export function maskedConv(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor, mask: { shape: [number, number]; data: Float32Array }): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, cin] = x.shape;
    const [kh, kw] = mask.shape;
    const cout = kernel.shape[3]!;
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    const padded = tf.pad(x, [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ]);
    const cols: tf.Tensor4D[] = [];
    const taps: tf.Tensor[] = [];
    for (let r = 0; r < kh; r++)
      for (let c = 0; c < kw; c++) {
        if (!mask.data[r * kw + c]) continue;
        cols.push(tf.slice(padded, [0, r, c, 0], [n, h, w, cin]));
        taps.push(tf.reshape(tf.slice(kernel, [r, c, 0, 0], [1, 1, cin, cout]), [cin, cout]));
      }
    const im = tf.reshape(cols.length === 1 ? cols[0]! : tf.concat(cols, 3), [n * h * w, cols.length * cin]);
    const k = taps.length === 1 ? taps[0]! : tf.concat(taps, 0);
    return tf.add(tf.matMul(im, k), bias).reshape([n, h, w, cout]) as tf.Tensor4D;
  });
}

/** Logits [N, H, W, K] of p(c_i | c_<i) at every position, from one-hot codes [N, H, W, K]. */
export function pixelCnnLogits(c: PixelCnnConfig, w: PixelCnnWeights, oneHot: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const F = c.channels;
    let v: tf.Tensor4D = oneHot;
    let h: tf.Tensor4D = oneHot;
    for (let l = 0; l < c.layers; l++) {
      const m = layerMasks(l, c.kernel);
      const vPre = maskedConv(v, w[`l${l}.v.kernel`]!, w[`l${l}.v.bias`]!, m.v);
      const hPre = tf.add(maskedConv(h, w[`l${l}.h.kernel`]!, w[`l${l}.h.bias`]!, m.h), conv1x1(vPre, w[`l${l}.vh.kernel`]!, w[`l${l}.vh.bias`]!)) as tf.Tensor4D;
      const hOut = conv1x1(gate(hPre, F), w[`l${l}.o.kernel`]!, w[`l${l}.o.bias`]!);
      v = gate(vPre, F);
      h = l === 0 ? hOut : (tf.add(h, hOut) as tf.Tensor4D);
    }
    const hidden = tf.relu(conv1x1(tf.relu(h), w['head.hidden.kernel']!, w['head.hidden.bias']!));
    return conv1x1(hidden, w['head.logits.kernel']!, w['head.logits.bias']!);
  });
}

/** −log p(c_i | c_<i) per position [N, H, W] for one-hot codes [N, H, W, K] (differentiable). */
export function positionNll(c: PixelCnnConfig, w: PixelCnnWeights, oneHot: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(pixelCnnLogits(c, w, oneHot), 3)), 3)) as tf.Tensor3D);
}

export interface CodeScores {
  /** −log p(codes) per grid, nats [N]. */
  codeNll: Float32Array;
  /** −log p(c_i | c_<i) per position, nats [N, H, W]. */
  nllMap: Float32Array;
}

/** Exact −log p of code grids [N·H·W] under the prior (tfjs), in batches. */
export function scoreCodes(c: PixelCnnConfig, w: PixelCnnWeights, codes: ArrayLike<number>, count: number, batchSize = 256): CodeScores {
  const P = c.height * c.width;
  if (codes.length !== count * P) throw new RangeError(`${codes.length} codes for ${count} grid(s) of ${c.height}×${c.width}`);
  const nllMap = new Float32Array(count * P);
  const codeNll = new Float32Array(count);
  for (let b = 0; b < count; b += batchSize) {
    const n = Math.min(batchSize, count - b);
    const slice = Array.prototype.slice.call(codes, b * P, (b + n) * P) as number[];
    const x = oneHotCodes(c, slice, n);
    const m = positionNll(c, w, x);
    const vals = m.dataSync();
    tf.dispose([x, m]);
    nllMap.set(vals, b * P);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += vals[i * P + p]!;
      codeNll[b + i] = s;
    }
  }
  return { codeNll, nllMap };
}

export interface SampleOptions {
  /** Grids to draw. */
  count: number;
  seed: number;
  /** Softmax temperature (default 1: the model's distribution). */
  temperature?: number;
}

/**
 * Ancestral sampling in raster order: H·W forward passes, each fixing one position of every grid
 * from p(c_i | c_<i) with the seeded PRNG. Returns codes [count, H, W] row-major.
 */
export function sampleCodes(c: PixelCnnConfig, w: PixelCnnWeights, o: SampleOptions): Int32Array {
  const P = c.height * c.width;
  const K = c.codes;
  const t = o.temperature ?? 1;
  if (!(t > 0)) throw new RangeError(`temperature must be > 0, got ${t}`);
  if (!Number.isInteger(o.count) || o.count < 1) throw new RangeError(`count must be a positive integer, got ${o.count}`);
  const rng = mulberry32(o.seed);
  const codes = new Int32Array(o.count * P);
  for (let p = 0; p < P; p++) {
    // Positions ≥ p are still 0; the causal masks keep them out of position p's logits.
    const probs = tf.tidy(() => {
      const logits = pixelCnnLogits(c, w, oneHotCodes(c, codes, o.count));
      const at = tf.slice(logits, [0, Math.floor(p / c.width), p % c.width, 0], [o.count, 1, 1, K]).reshape([o.count, K]);
      return tf.softmax(tf.div(at, t)).dataSync();
    });
    for (let n = 0; n < o.count; n++) {
      const u = rng();
      let acc = 0;
      let k = K - 1;
      for (let j = 0; j < K; j++) {
        acc += probs[n * K + j]!;
        if (u < acc) {
          k = j;
          break;
        }
      }
      codes[n * P + p] = k;
    }
  }
  return codes;
}
