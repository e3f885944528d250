/**
 * Generation from a trained VAE-family model (engine side; no UI yet): samples from the prior
 * (z ~ N(0, I), decoded to pictures) and latent traversals (one frame's μ with one dimension swept
 * over a range, each point decoded), for looking at what the model has learned. Pictures are the
 * decoder mean sigmoid(logits) as uint8 NHWC. Runs in tfjs on the active backend.
 * Kinds: vae, vae-gp, gmvae (z from its mixture, or one of its components), ae (a plain autoencoder's "prior samples" are not meaningful: refused), and
 * cvae for traversals (decoded given the frame's predecessor).
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/envelope.js';
import { sampleGmm } from '../ml/family/mixture.js';
import { mulberry32, standardNormals } from '../ml/family/numeric.js';
import { loadMixture, type StoredMixture } from '../ml/vae/mixture-prior.js';
import { deserializeWeights } from '../ml/vae/checkpoint.js';
import { decodeLogits, encode, inputChannels, type VaeConfig, type VaeWeights } from '../ml/vae/spec.js';
import { getModel, modelBlobs } from '../store/models.js';
import type { Store } from '../store/store.js';
import { gatherFrames, pairFrames } from './frames.js';

const toBytes = (t: tf.Tensor): Uint8Array => Uint8Array.from(t.dataSync(), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

function load(store: Store, modelId: number, kinds: readonly string[]): { config: VaeConfig; weights: VaeWeights } {
  const m = getModel(store, modelId);
  if (!kinds.includes(m.kind)) throw new AppError('TrainingInputError', `Model ${modelId} is a ${m.kind}: this needs one of ${kinds.join(', ')}.`);
  const { weights, config } = deserializeWeights(modelBlobs(store, modelId).weights);
  if (!config) {
    tf.dispose(Object.values(weights));
    throw new AppError('StoreError', `Model ${modelId} has no stored config.`);
  }
  return { config, weights };
}

/**
 * `count` pictures decoded from z drawn from the model's prior (seeded): N(0, I), or for 'gmvae' its
 * learned mixture (only component `component` when given: pictures of one learned class). [count, S, S, C] bytes.
 */
export function samplePrior(store: Store, modelId: number, count: number, seed = 1, component?: number): { pixels: Uint8Array; size: number; channels: number; z: Float32Array } {
  const { config, weights } = load(store, modelId, ['vae', 'vae-gp', 'gmvae']);
  try {
    const stored = (getModel(store, modelId).config as { mixture?: StoredMixture }).mixture;
    let z: Float32Array;
    if (stored) {
      let g = loadMixture(stored);
      if (component !== undefined) {
        if (!Number.isInteger(component) || component < 0 || component >= g.k) throw new AppError('TrainingInputError', `component must be in 0..${g.k - 1}`);
        g = { ...g, weights: Float64Array.from({ length: g.k }, (_, c) => (c === component ? 1 : 0)) };
      }
      z = Float32Array.from(sampleGmm(g, count, seed).z);
    } else {
      if (component !== undefined) throw new AppError('TrainingInputError', `Model ${modelId} has no mixture prior to pick a component of.`);
      z = Float32Array.from(standardNormals(count * config.latentDim, mulberry32(seed)));
    }
    const pixels = tf.tidy(() => toBytes(tf.sigmoid(decodeLogits(config, weights, tf.tensor2d(z, [count, config.latentDim])))));
    return { pixels, size: config.inputSize, channels: config.channels, z };
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Frame `index` of a video encoded to μ, then dimension `dim` set to each of `steps` values evenly
 * spaced in [μ_dim − range, μ_dim + range] and decoded: [steps, S, S, C] bytes and the values used.
 */
export function latentTraversal(store: Store, modelId: number, videoId: number, index: number, dim: number, steps = 7, range = 3): { pixels: Uint8Array; values: number[]; size: number; channels: number } {
  const { config, weights } = load(store, modelId, ['vae', 'vae-gp', 'ae', 'cvae', 'gmvae']);
  try {
    if (!Number.isInteger(dim) || dim < 0 || dim >= config.latentDim) throw new AppError('TrainingInputError', `dim must be in 0..${config.latentDim - 1}`);
    const cur = gatherFrames(store, [{ videoId, index }]);
    const input = config.conditionFrames ? pairFrames(cur, gatherFrames(store, [{ videoId, index: Math.max(0, index - 1) }]).data) : cur.data;
    return tf.tidy(() => {
      const S = config.inputSize;
      const x = tf.tensor4d(Float32Array.from(input, (b) => b / 255), [1, S, S, inputChannels(config)]);
      const mu = encode(config, weights, x).mu.dataSync();
      const values = Array.from({ length: steps }, (_, i) => mu[dim]! - range + (steps > 1 ? (2 * range * i) / (steps - 1) : range));
      const z = new Float32Array(steps * config.latentDim);
      values.forEach((v, i) => {
        z.set(mu, i * config.latentDim);
        z[i * config.latentDim + dim] = v;
      });
      const cond = config.conditionFrames ? tf.tile(tf.slice(x, [0, 0, 0, config.channels], [1, S, S, config.channels]), [steps, 1, 1, 1]) as tf.Tensor4D : undefined;
      const pixels = toBytes(tf.sigmoid(decodeLogits(config, weights, tf.tensor2d(z, [steps, config.latentDim]), cond)));
      return { pixels, values, size: S, channels: config.channels };
    });
  } finally {
    tf.dispose(Object.values(weights));
  }
}
