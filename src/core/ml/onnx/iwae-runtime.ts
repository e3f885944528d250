/**
 * Runs the importance-weighted graph of export-iwae.ts in onnxruntime-node: per frame, the K-sample
 * bound L̂_K on log p(x) and the K-draw average ELBO estimate (1/K) Σ log w_k, in nats.
 * The noise is given by the caller or drawn from a seed for the whole batch (engine/iw-scores.ts draws
 * it per frame, so batching does not change a frame's estimate).
 */
import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { iwaeFromLogWeights, logStdNormal } from '../family/iwae.js';
import { mulberry32, standardNormals } from '../family/numeric.js';
import { ONNX_INPUT } from './export-vae.js';
import { IWAE_EPS_INPUT, IWAE_OUTPUT, IWAE_Z_OUTPUT } from './export-iwae.js';

/** log p(z) of one draw under a model's own prior (the graph's log w assumes N(0, I)). */
export type LogPrior = (z: Float32Array, offset: number, dim: number) => number;


export interface IwaeBatch {
  /** L̂_K per frame, nats. */
  bound: Float64Array;
  /** (1/K) Σ_k log w_k per frame: the single-sample ELBO averaged over the same draws (≤ bound). */
  elbo: Float64Array;
  /** Effective sample size per frame (1..K). */
  ess: Float64Array;
}

export class OnnxIwaeRunner {
  private constructor(
    private session: ort.InferenceSession | null,
    readonly inputSize: number,
    readonly channels: number,
    readonly latentDim: number,
  ) {}

  /** `channels`: of the frames given to run() (2C for a conditional model). */
  static async create(bytes: Uint8Array, latentDim: number, inputSize: number, channels: number, threads?: number): Promise<OnnxIwaeRunner> {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', logSeverityLevel: 3, ...(threads ? { intraOpNumThreads: threads } : {}) });
    return new OnnxIwaeRunner(session, inputSize, channels, latentDim);
  }

  /**
   * K draws for each of `count` frames (uint8 NHWC); `eps` [K, count, L] may be given (tests), else drawn
   * from `seed`. With `logPrior`, each log w_k has the graph's log N(z_k; 0, I) replaced by logPrior(z_k):
   *   log w_k = log p(x | z_k) + log p(z_k) − log q(z_k | x).
   */
  async run(frames: Uint8Array, count: number, k: number, seed: number, eps?: Float32Array, logPrior?: LogPrior): Promise<IwaeBatch & { logW: Float32Array }> {
    if (!this.session) throw new Error('OnnxIwaeRunner.run after dispose()');
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`K must be a positive integer, not ${k}`);
    const L = this.latentDim;
    const S = this.inputSize;
    if (frames.byteLength !== count * S * S * this.channels) throw new RangeError(`frames has ${frames.byteLength} bytes, ${count} frames need ${count * S * S * this.channels}`);
    const noise = eps ?? Float32Array.from(standardNormals(k * count * L, mulberry32(seed)));
    if (noise.length !== k * count * L) throw new RangeError(`eps has ${noise.length} values, need K·N·L = ${k * count * L}`);
    const out = await this.session.run(
      { [ONNX_INPUT]: new ort.Tensor('uint8', frames, [count, S, S, this.channels]), [IWAE_EPS_INPUT]: new ort.Tensor('float32', noise, [k, count, L]) },
      logPrior ? [IWAE_OUTPUT, IWAE_Z_OUTPUT] : [IWAE_OUTPUT],
    );
    const logW = out[IWAE_OUTPUT]!.data as Float32Array;
    if (logPrior) {
      const z = out[IWAE_Z_OUTPUT]!.data as Float32Array;
      for (let i = 0; i < k * count; i++) {
        logW[i] = logW[i]! - logStdNormal(z, i * L, L) + logPrior(z, i * L, L);
      }
    }
    const bound = new Float64Array(count);
    const elbo = new Float64Array(count);
    const ess = new Float64Array(count);
    const col = new Float64Array(k);
    for (let n = 0; n < count; n++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += col[j] = logW[j * count + n]!;
      const w = iwaeFromLogWeights(col);
      bound[n] = w.bound;
      elbo[n] = s / k;
      ess[n] = w.ess;
    }
    return { bound, elbo, ess, logW };
  }

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}
