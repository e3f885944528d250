/**
 * The importance-weighted estimate of log p(x) (family/iwae.ts) for every frame of a video under a
 * VAE-family model, as a score and as a comparison figure. The ONNX graph (ml/onnx/export-iwae.ts) is
 * built from the stored weights on demand (milliseconds) and run with K draws per frame; each frame's
 * draws are a seeded function of (seed, frame index), so a rerun gives the same numbers whatever the batching. The stored score
 * `iw` is −L̂_K, an estimate of −log p(x) in nats: larger is more unusual. It costs about K decoder
 * passes per frame, so it is computed on request (eval, CLI), not in every scoring run.
 */
import { AppError } from '../../shared/envelope.js';
import { mulberry32, standardNormals } from '../ml/family/numeric.js';
import { exportIwaeToOnnx } from '../ml/onnx/export-iwae.js';
import { type LogPrior, OnnxIwaeRunner } from '../ml/onnx/iwae-runtime.js';
import { gmmLogDensity } from '../ml/family/mixture.js';
import { loadMixture } from '../ml/vae/mixture-prior.js';
import { rasterizeIgnoreMask } from '../../shared/ignore-mask.js';
import { parseModelRecord, vaeFamilyModel } from '../models/records.js';
import { allDrivers } from '../models/registry.js';
import { deserializeWeights } from '../ml/vae/checkpoint.js';
import { inputChannels } from '../ml/vae/spec.js';
import { hash32 } from '../ml/vae/train.js';
import { getModel, modelBlobs, updateIwScores } from '../store/models.js';
import type { Store } from '../store/store.js';
import { conditionedFrameBatches } from './frames.js';
import * as tf from '@tensorflow/tfjs';

/**
 * Kinds with an encoder distribution q(z|x) and a decoder likelihood: the IW bound means something.
 * For 'gmvae' the graph's log N(z; 0, I) is replaced by log p(z) under its learned mixture; a model
 * trained with an ignore mask gets the bound on log p(x_obs), its masked likelihood.
 */
export const IW_KINDS: readonly string[] = allDrivers()
  .filter((d) => d.importanceWeighted)
  .map((d) => d.kind);

export interface IwResult {
  samples: number;
  /** L̂_K per frame (nats). */
  bound: Float64Array;
  /** (1/K) Σ log w_k per frame: the Monte-Carlo ELBO over the same draws. */
  elbo: Float64Array;
  /** Effective sample size per frame. */
  ess: Float64Array;
  framesPerSec: number;
}

export async function iwScores(
  store: Store,
  modelId: number,
  videoId: number,
  opts: { samples?: number; seed?: number; batch?: number; write?: boolean; threads?: number } = {},
): Promise<IwResult> {
  const k = opts.samples ?? 16;
  const record = getModel(store, modelId);
  if (!IW_KINDS.includes(record.kind)) throw new AppError('TrainingInputError', `Model ${modelId} is a ${record.kind}: the importance-weighted bound needs a VAE (${IW_KINDS.join(', ')}).`);
  const stored = vaeFamilyModel(parseModelRecord(record)).config;
  const ignoreMask = stored.ignoreMask ? rasterizeIgnoreMask(stored.ignoreMask, stored.ignoreMask.size) : undefined;
  const mixture = stored.mixture ? loadMixture(stored.mixture) : null;
  const logPrior: LogPrior | undefined = mixture ? (z, offset) => gmmLogDensity(mixture, z, offset) : undefined;
  const { weights: bytes } = modelBlobs(store, modelId);
  const { weights, config } = deserializeWeights(bytes);
  let onnx: Uint8Array;
  try {
    if (!config) throw new AppError('StoreError', `Model ${modelId} has no stored config.`);
    const arrays = Object.fromEntries(Object.entries(weights).map(([n, t]) => [n, t.dataSync() as Float32Array]));
    onnx = exportIwaeToOnnx(config, arrays, ignoreMask ? { ignoreMask } : {});
  } finally {
    tf.dispose(Object.values(weights));
  }
  const video = store.getVideo(videoId);
  const runner = await OnnxIwaeRunner.create(onnx, config.latentDim, config.inputSize, inputChannels(config), opts.threads);
  const n = video.frameCount;
  const out: IwResult = { samples: k, bound: new Float64Array(n), elbo: new Float64Array(n), ess: new Float64Array(n), framesPerSec: 0 };
  const t0 = performance.now();
  try {
    // Small batches: the graph holds K decoded pictures per frame.
    for (const b of conditionedFrameBatches(store, videoId, opts.batch ?? Math.max(1, Math.floor(256 / k)), config.conditionFrames ?? 0)) {
      // Each frame's K draws come from its own stream (seed, frame index): batching changes nothing.
      const L = config.latentDim;
      const eps = new Float32Array(k * b.count * L);
      for (let f = 0; f < b.count; f++) {
        const e = standardNormals(k * L, mulberry32(hash32(opts.seed ?? 1, b.first + f)));
        for (let j = 0; j < k; j++) for (let d = 0; d < L; d++) eps[(j * b.count + f) * L + d] = e[j * L + d]!;
      }
      const r = await runner.run(b.pixels, b.count, k, 0, eps, logPrior);
      out.bound.set(r.bound, b.first);
      out.elbo.set(r.elbo, b.first);
      out.ess.set(r.ess, b.first);
    }
  } finally {
    await runner.dispose();
  }
  out.framesPerSec = n / ((performance.now() - t0) / 1000);
  if (opts.write !== false) updateIwScores(store, modelId, videoId, Array.from(out.bound, (v) => -v));
  return out;
}
