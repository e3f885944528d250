/** From the ONNX graph's per-frame outputs to the stored score components of each frame. */
import { type Calibration, codeRarity, combine, latentSteps, patchScore, stillness } from '../scoring/calibrate.js';
import { topKScaled } from '../scoring/motion.js';
import type { ScoreRow } from '../store/models.js';
import type { VaeScores } from '../ml/onnx/runtime.js';
import { categoricalKl } from '../ml/family/gumbel.js';
import { componentLogJoint, klDiagGaussian, type DiagGmm } from '../ml/family/mixture.js';
import { logSumExp } from '../ml/family/numeric.js';

export interface RawComponents {
  recon: number;
  patch: number;
  kl: number;
  nll: number;
  elbo: number;
  temporal: number;
  stillness: number;
  sharpness: number;
  /** Motion since the previous frame (scoring/motion.ts): mean of the largest per-patch |Δ grey|, each over its patch's scale (null: not computed). */
  motion?: number | null;
  /** GP latent-trajectory statistic (kinds with a GP model only; filled in after the whole video is scored). */
  gp?: number | null;
  /** VQ-VAE code rarity (codeRarity). */
  rarity?: number | null;
  /** Mixture-prior VAE: −log p(μ) under the learned mixture (mixtureTerms). */
  mixture?: number | null;
  /** VQ-VAE + PixelCNN prior: −log p(codes) under the prior (the graph's code_nll output). */
  codeNll?: number | null;
}

/**
 * A mixture-prior VAE's two per-frame terms from one pass over each μ's component log joints:
 *   nll = −log p(μ) under the mixture (the `mixture` score component)
 *   kl  = Σ_c q(c|x) KL(N(μ, σ²) ‖ N(m_c, s_c²)) + KL(q(c|x) ‖ π), q(c|x) = the responsibilities of μ
 * (what its training minimizes). The scoring graph's own kl output is KL(q(z|x) ‖ N(0, I)), the plain
 * VAE's prior, not this model's.
 */
export function mixtureTerms(gmm: DiagGmm, mu: Float32Array, logvar: Float32Array, count: number): { nll: Float64Array; kl: Float64Array } {
  const { k, dim } = gmm;
  const nll = new Float64Array(count);
  const kl = new Float64Array(count);
  const q = new Float64Array(k);
  for (let i = 0; i < count; i++) {
    const lj = componentLogJoint(gmm, mu, i * dim);
    const lse = logSumExp(lj);
    nll[i] = -lse;
    for (let c = 0; c < k; c++) q[c] = Math.exp(lj[c]! - lse);
    const m = mu.subarray(i * dim, (i + 1) * dim);
    const lv = logvar.subarray(i * dim, (i + 1) * dim);
    let term = categoricalKl(q, gmm.weights);
    for (let c = 0; c < k; c++)
      if (q[c]! > 0) term += q[c]! * klDiagGaussian(m, lv, gmm.means.subarray(c * dim, (c + 1) * dim), gmm.vars.subarray(c * dim, (c + 1) * dim));
    kl[i] = term;
  }
  return { nll, kl };
}

/** The KL part of mixtureTerms. */
export const mixtureKlTerm = (gmm: DiagGmm, mu: Float32Array, logvar: Float32Array, count: number): Float64Array => mixtureTerms(gmm, mu, logvar, count).kl;

/**
 * Components of a batch of consecutive frames. `prevMu` is μ of the frame before the batch (null at
 * the start of a video). Patch scores need the calibration's patch statistics.
 */
export function batchComponents(
  s: VaeScores,
  count: number,
  latentDim: number,
  calib: Pick<Calibration, 'patchMean' | 'patchStd' | 'latentScale' | 'rarity' | 'patchScale' | 'motionScale'>,
  prevMu: Float32Array | null,
  /** Mixture-prior VAE: its learned prior, for the mixture component. */
  gmm: DiagGmm | null = null,
  /** Per-patch motion of the batch [count, M] (scoring/motion.ts), or null; scored with calib.motionScale. */
  motion: Float32Array | null = null,
): RawComponents[] {
  const m2 = motion ? motion.length / count : 0;
  const g2 = s.patchErr.length / count;
  // A mixture-prior model: its mixture score, and KL and ELBO against its own prior, not the graph's N(0, I).
  const mixture = gmm ? mixtureTerms(gmm, s.mu, s.logvar, count) : null;
  const mix = mixture?.nll ?? null;
  const klMix = mixture?.kl ?? null;
  const steps = latentSteps(s.mu.subarray(0, count * latentDim), latentDim, calib.latentScale, prevMu);
  const out: RawComponents[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      recon: s.reconMse[i]!,
      patch: calib.patchScale ? topKScaled(s.patchErr.subarray(i * g2, (i + 1) * g2), calib.patchScale) : patchScore(s.patchErr.subarray(i * g2, (i + 1) * g2), calib.patchMean, calib.patchStd),
      kl: klMix ? klMix[i]! : s.kl[i]!,
      nll: s.nll[i]!,
      elbo: klMix ? -(s.nll[i]! + klMix[i]!) : s.elbo[i]!,
      temporal: steps[i]!,
      stillness: stillness(steps[i]!),
      sharpness: s.sharpness[i]!,
      ...(motion && calib.motionScale ? { motion: topKScaled(motion.subarray(i * m2, (i + 1) * m2), calib.motionScale) } : {}),
      ...(mix ? { mixture: mix[i]! } : {}),
      ...(s.codeNll ? { codeNll: s.codeNll[i]! } : {}),
      ...(s.codes && calib.rarity ? { rarity: codeRarity(s.codes.subarray((i * s.codes.length) / count, ((i + 1) * s.codes.length) / count), calib.rarity.counts) } : {}),
    });
  }
  return out;
}

/** Score rows of a batch: the components as measured; the combined score from `combineFrom` where given (the adaptive baseline's shifted components), else from them. */
export function toScoreRows(first: number, raw: RawComponents[], s: VaeScores, latentDim: number, calib: Calibration, combineFrom?: RawComponents[]): ScoreRow[] {
  return raw.map((r, i) => ({
    idx: first + i,
    ...r,
    combined: combine(combineFrom?.[i] ?? r, calib),
    mu: s.mu.slice(i * latentDim, (i + 1) * latentDim),
    logvar: s.logvar.slice(i * latentDim, (i + 1) * latentDim),
  }));
}
