/**
 * The importance-weighted log-likelihood graph (family/iwae.ts, Burda et al. 2016) of a VAE-family
 * model, in ONNX: the same encoder and decoder as export-vae.ts, with the noise as an input so the
 * host picks K and the seed.
 *
 * Inputs: `frames` uint8 [N, S, S, C] NHWC; `eps` float [K, N, L] (standard-normal draws).
 * Output: `log_w` [K, N], the log importance weight of each draw, nats:
 *   z_k     = μ + exp(½ log σ²) ⊙ ε_k
 *   log w_k = log p(x | z_k) + log N(z_k; 0, I) − log N(z_k; μ, σ²)
 *           = log p(x | z_k) − ½ Σ_j ( z_kj² − ε_kj² − log σ²_j )          (the log 2π terms cancel)
 * log p(x | z) is the model's decoder likelihood (Bernoulli or Gaussian, as in export-vae.ts).
 * The host turns the K weights of a frame into L̂_K = logSumExp(log w) − log K (iwaeFromLogWeights).
 *
 * Also output: `z` [K, N, L], the draws, so a host whose model has another prior (the mixture-prior
 * VAE) can swap log N(z; 0, I) for its own log p(z) (iwae-runtime.ts `logPrior`).
 * With an ignore mask (masked likelihood, as in export-vae.ts) the encoder sees the ignored pixels as
 * 0 and log p(x | z) is over the observed pixels only: log p(x_obs | z), the masked model's likelihood.
 */
import type * as tf from '@tensorflow/tfjs';
import { inputChannels, validateConfig, type VaeConfig } from '../vae/spec.js';
import { addConditionOps, addDecoderOps, addEncoderOps, addInputOps, addMaskedInputOps, ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, scoreMask, weightReader } from './export-vae.js';
import { attr, DataType, OnnxGraphBuilder } from './proto.js';

export const IWAE_EPS_INPUT = 'eps';
export const IWAE_OUTPUT = 'log_w';
export const IWAE_Z_OUTPUT = 'z';

export interface IwaeExportOptions {
  /** S·S bytes, 1 = ignored (see export-vae.ts): the bound is then on log p(x_obs). */
  ignoreMask?: Uint8Array;
}

export function exportIwaeToOnnx(config: VaeConfig, weights: Record<string, Float32Array | tf.Tensor>, options: IwaeExportOptions = {}): Uint8Array {
  validateConfig(config);
  const mask = scoreMask(options.ignoreMask, config.inputSize);
  const S = config.inputSize;
  const C = config.channels;
  const L = config.latentDim;
  const W = weightReader(config, weights);
  const g = new OnnxGraphBuilder('latentwatch_iwae');
  const frames = g.addInput(ONNX_INPUT, DataType.UINT8, ['N', S, S, inputChannels(config)], 'video frames, uint8 NHWC (current then previous frame for a conditional model)');
  const eps = g.addInput(IWAE_EPS_INPUT, DataType.FLOAT, ['K', 'N', L], 'standard-normal draws');
  const { input, x, cond } = addInputOps(g, config, frames);
  const { mu, logvar } = addEncoderOps(g, config, W, addMaskedInputOps(g, S, input, mask));
  // Observed pixels as a [1, 1, 1, S, S] weight on the per-pixel terms of [K, N, C, S, S]; null: all.
  const observed = mask ? g.addInitializer('observed_px5', [1, 1, 1, S, S], mask.observed) : null;
  const keep = (perPixel: string): string => (observed ? g.op('Mul', [perPixel, observed]) : perPixel);

  // z [K, N, L] -> [K·N, L] for the decoder.
  const std = g.op('Exp', [g.op('Mul', [logvar, g.constFloat('c_half0', [0.5], [])])], {}, 'std');
  const z3 = g.op('Add', [mu, g.op('Mul', [std, eps])], {}, 'z');
  const z = g.op('Reshape', [z3, g.constInt64('shape_z', [-1, L])], {}, 'z_flat');
  const logits = addDecoderOps(g, config, W, z); // [K·N, C, S, S]
  // Back to [K, N, C, S, S] so it broadcasts against x [N, C, S, S].
  const shape5 = g.op('Concat', [g.constInt64('minus1', [-1]), g.op('Shape', [x])], { axis: attr.int(0) }, 'shape_kn');
  const decoded5 = g.op('Reshape', [logits, shape5], {}, 'logits_kn');
  const l5 = cond ? g.op('Add', [decoded5, addConditionOps(g, config, W, cond)], {}, 'logits_kn_cond') : decoded5;
  const axesPix = g.constInt64('axes_pixels5', [2, 3, 4]);
  let logLik: string;
  if (config.likelihood === 'bernoulli') {
    const terms = g.op('Add', [
      g.op('Sub', [g.op('Relu', [l5]), g.op('Mul', [x, l5])]),
      g.op('Log', [g.op('Add', [g.op('Exp', [g.op('Neg', [g.op('Abs', [l5])])]), g.constFloat('c1b', [1], [])])]),
    ]);
    logLik = g.op('Neg', [g.op('ReduceSum', [keep(terms), axesPix], { keepdims: attr.int(0) })], {}, 'log_lik');
  } else {
    const lv = config.likelihood === 'gaussian-fixed' ? new Float32Array(C).fill(config.fixedLogVar) : W('dec.logvar');
    const halfPrec = Float32Array.from(lv, (v) => 0.5 * Math.exp(-v));
    let constant = 0;
    for (const v of lv) constant += 0.5 * (Math.log(2 * Math.PI) + v);
    constant *= mask ? mask.count : S * S;
    const diff = g.op('Sub', [g.op('Sigmoid', [l5]), x]);
    const weighted = g.op('Mul', [g.op('Mul', [diff, diff]), g.constFloat('half_precision5', halfPrec, [1, 1, C, 1, 1])]);
    const nll = g.op('Add', [g.op('ReduceSum', [keep(weighted), axesPix], { keepdims: attr.int(0) }), g.constFloat('nll_const', [constant], [])]);
    logLik = g.op('Neg', [nll], {}, 'log_lik');
  }
  // log p(z) − log q(z|x) = −½ Σ_j (z² − ε² − log σ²), summed over the latent axis.
  const inner = g.op('Sub', [g.op('Sub', [g.op('Mul', [z3, z3]), g.op('Mul', [eps, eps])]), logvar]);
  const prior = g.op('Mul', [g.op('ReduceSum', [inner, g.constInt64('axes_latent2', [2])], { keepdims: attr.int(0) }), g.constFloat('c_mhalf', [-0.5], [])], {}, 'log_prior_ratio');
  g.op('Add', [logLik, prior], {}, IWAE_OUTPUT);
  g.addOutput(IWAE_OUTPUT, DataType.FLOAT, ['K', 'N'], 'log importance weight of each draw, nats');
  g.addOutput(IWAE_Z_OUTPUT, DataType.FLOAT, ['K', 'N', L], 'the draws z = μ + σ ε');
  return g.toBytes({
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    producerName: 'latentwatch',
    producerVersion: '0.1.0',
    docString: 'LatentWatch importance-weighted log-likelihood (frames, eps -> log_w)',
    metadata: { 'latentwatch.format': 'latentwatch-iwae/1', 'latentwatch.vae_config': JSON.stringify(config) },
  });
}
