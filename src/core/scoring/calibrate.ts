/**
 * Turning raw score components into one change score an analyst can trust.
 *
 * Each component is standardized against its own distribution on the model's held-out training
 * frames (median and MAD-based scale, robust to the odd unusual frame in "normal" footage). The
 * combined score is the largest standardized component: a frame is as unusual as its most unusual
 * aspect. The alarm threshold is a quantile of the combined score on those same held-out frames,
 * set by a target false-positive rate: test labels never enter.
 */
import type { Gap } from './gap.js';
import type { GpTrajectoryModel } from './gp-trajectory.js';
import { surpriseLog10, tailLog10P, type TailModel } from '../../shared/tails.js';

/** Components that may enter the combined score; each is "larger = more unusual" unless two-sided. */
export const COMBINED_COMPONENTS = ['recon', 'patch', 'kl', 'temporal', 'stillness', 'sharpness', 'motion'] as const;
export type CombinedComponent = (typeof COMBINED_COMPONENTS)[number];

/**
 * How a component enters the combined score. 'upper': only unusually high values count. 'both': a
 * typicality test (Nalisnick et al., 2019), where unusually LOW values count too: a defocused or
 * washed-out picture is easier to reconstruct than any normal frame, which is just as abnormal.
 */
export type Sidedness = 'upper' | 'both';
/** 'gp': the GP latent-trajectory statistic (gp-trajectory.ts), used by kinds that fit one. */
export type CombinationRule = Partial<Record<CombinedComponent | 'gp' | 'rarity' | 'mixture' | 'codeNll', Sidedness>>;

/**
 * The default rule, chosen on development scenes (bench seeds 4 and 5), never on the reported ones.
 * The latent step ('temporal') stays a stored component but is left out: it fires on the first normal
 * frame after an event as much as on the event's first frame. KL's upper tail saw no event kind.
 * Sharpness is two-sided: defocus removes fine detail, a gain jump amplifies it.
 */
export const DEFAULT_COMBINATION: CombinationRule = { recon: 'both', patch: 'upper', stillness: 'upper', sharpness: 'both', motion: 'upper' };

/**
 * The 'vae-gp' kind: the GP trajectory statistic (two-sided: a jump is too rough, a freeze too smooth)
 * takes the place of stillness, so what sees a freeze is the GP, not the latent step.
 */
export const GP_COMBINATION: CombinationRule = { recon: 'both', patch: 'upper', sharpness: 'both', gp: 'both', motion: 'upper' };

/**
 * The 'cvae' kind: its reconstruction of frame t given frame t−1 is a prediction error, two-sided (a
 * frozen picture is predicted too well). Stillness is left out so the freeze is the CVAE's own finding.
 */
/** The 'vq-vae' kind: the default rule plus the rarity of the frame's codes (upper tail: unseen codes). */
export const VQ_COMBINATION: CombinationRule = { ...DEFAULT_COMBINATION, rarity: 'upper' };
/** The 'vq-pixelcnn' kind: the VQ-VAE's rule plus −log p(codes) under its PixelCNN prior (upper tail: an unlikely arrangement of codes). */
export const VQ_PIXELCNN_COMBINATION: CombinationRule = { ...VQ_COMBINATION, codeNll: 'upper' };

/** The 'gmvae' kind: the default rule plus −log p(μ) under the learned mixture prior (upper tail: a latent far from every learned kind of scene). */
export const GMVAE_COMBINATION: CombinationRule = { ...DEFAULT_COMBINATION, mixture: 'upper' };

/**
 * −log p̂ of a frame's codes under the training code frequencies, positions independent:
 * Σ_positions −log((n_c + 1) / (N + K)) (add-one smoothing, as family/vq.ts codeRarity).
 */
export function codeRarity(codes: ArrayLike<number>, counts: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k]!;
  let s = 0;
  for (let i = 0; i < codes.length; i++) s -= Math.log((counts[codes[i]!]! + 1) / (total + counts.length));
  return s;
}

export const CVAE_COMBINATION: CombinationRule = { recon: 'both', patch: 'upper', sharpness: 'both', motion: 'upper' };

export interface RobustStat {
  median: number;
  /** 1.4826 × median absolute deviation (σ for Gaussian data), floored so it is never 0. */
  scale: number;
}

export interface Calibration {
  /**
   * 2: tail-probability calibration (tails.ts): each component in the rule is a p-value under its
   * held-out distribution, the combined score is −log10 of the Bonferroni-corrected smallest, and the
   * patch and motion scores divide by per-patch scales with a floor. Absent: the first calibration
   * (robust z per component, the largest one wins), kept for models trained before.
   */
  version?: 2;
  /**
   * Version 2: each rule component's tail model on the training footage: the held-out blocks, and the
   * frames the model trained on corrected by `gap` (gap.ts).
   */
  tails?: Partial<Record<CombinedComponent | 'gp' | 'rarity' | 'mixture' | 'codeNll', TailModel>>;
  /** Each model component's generalization gap (gap.ts), measured between the held-out blocks and the trained-on frames around them; absent before it was measured. */
  gap?: Partial<Record<string, Gap>>;
  /** Trained-on frames left out of the calibration sample as possible incidents (gap.ts OUTLIER_DECADES). */
  outliersLeftOut?: number;
  /** Version 2: per-patch scale of the model's patch error and of motion (quantile floored at a share of the frame-wide one). */
  patchScale?: number[];
  motionScale?: number[];
  components: Record<CombinedComponent, RobustStat>;
  /** Which components enter the combined score and how (older models: every component, upper tail). */
  rule?: CombinationRule;
  /** Per-patch mean and standard deviation of the patch error on held-out training frames. */
  patchMean: number[];
  patchStd: number[];
  /** Per-dimension scale of μ for the latent step (temporal) score. */
  latentScale: number[];
  /** Combined score threshold and the false-positive rate it was chosen for. */
  threshold: number;
  lowThreshold: number;
  targetFpr: number;
  /** Frame rate the calibration frames were sampled at: temporal scores depend on it. */
  sampledFps: number;
  /** Kinds with a GP latent-trajectory model: the model and its statistic's robust scale on held-out frames. */
  gp?: { model: GpTrajectoryModel; stat: RobustStat };
  /** VQ-VAE: each code's count over the training split's grid positions, and the rarity's robust scale on held-out frames. */
  rarity?: { counts: number[]; stat: RobustStat };
  /** Mixture-prior VAE: the robust scale of −log p(μ) on held-out frames (the mixture itself is in the model's config). */
  mixture?: { stat: RobustStat };
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(values).sort();
  if (a.length === 0) return NaN;
  const pos = Math.min(1, Math.max(0, q)) * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}

export function robustStat(values: ArrayLike<number>): RobustStat {
  const median = quantile(values, 0.5);
  const dev = Float64Array.from(values, (v) => Math.abs(v - median));
  const mad = quantile(dev, 0.5) * 1.4826;
  // A component that barely varies on normal footage still needs a finite scale.
  const floor = 1e-6 * Math.max(1, Math.abs(median));
  return { median, scale: Math.max(mad, floor) };
}

export const standardize = (x: number, s: RobustStat): number => (x - s.median) / s.scale;

/** Largest standardized patch error: a small intruder is not averaged away by the rest of the picture. */
export function patchScore(patchErr: ArrayLike<number>, mean: ArrayLike<number>, std: ArrayLike<number>): number {
  let best = -Infinity;
  for (let p = 0; p < patchErr.length; p++) best = Math.max(best, (patchErr[p]! - mean[p]!) / std[p]!);
  return best;
}

/**
 * Step length of the latent trajectory between consecutive frames (μ scaled per dimension). The first
 * frame has no predecessor: it gets the step to itself from the next frame.
 */
export function latentSteps(mu: Float32Array, latentDim: number, scale: ArrayLike<number>, prev: Float32Array | null = null): Float64Array {
  const n = mu.length / latentDim;
  const d = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const a = t > 0 ? mu.subarray((t - 1) * latentDim, t * latentDim) : prev;
    if (!a) continue;
    let s = 0;
    for (let k = 0; k < latentDim; k++) {
      const v = (mu[t * latentDim + k]! - a[k]!) / scale[k]!;
      s += v * v;
    }
    d[t] = Math.sqrt(s);
  }
  if (!prev && n > 1) d[0] = d[1]!;
  return d;
}

/** "The picture stopped changing": a step far shorter than normal footage ever takes. */
export const STILLNESS_EPS = 1e-4;
export const stillness = (step: number): number => -Math.log(step + STILLNESS_EPS);

export type CombinableRaw = Record<Exclude<CombinedComponent, 'motion'>, number> & { motion?: number | null; gp?: number | null; rarity?: number | null; mixture?: number | null; codeNll?: number | null };

/** Version 2: each rule component's log10 p-value; `combined` is −log10 of the Bonferroni-corrected smallest p. */
export function componentLog10P(raw: CombinableRaw, c: Calibration): Partial<Record<keyof CombinationRule, number>> {
  const out: Partial<Record<keyof CombinationRule, number>> = {};
  for (const [k, side] of Object.entries(c.rule ?? {}) as [keyof CombinationRule, Sidedness | undefined][]) {
    const t = c.tails?.[k];
    const v = raw[k];
    if (!side || !t || v === undefined || v === null) continue;
    out[k] = tailLog10P(v, t, side);
  }
  return out;
}

export function combine(raw: CombinableRaw, c: Calibration): number {
  if (c.version === 2) {
    const lp = Object.values(componentLog10P(raw, c));
    return lp.length ? surpriseLog10(Math.min(...lp), lp.length) : 0;
  }
  let best = -Infinity;
  for (const k of COMBINED_COMPONENTS) {
    const side = c.rule ? c.rule[k] : 'upper';
    if (!side || !c.components[k]) continue;
    const z = standardize(raw[k] ?? NaN, c.components[k]);
    best = Math.max(best, side === 'both' ? Math.abs(z) : z);
  }
  const gpSide = c.rule?.gp;
  if (gpSide && c.gp && raw.gp !== undefined && raw.gp !== null) {
    const z = standardize(raw.gp, c.gp.stat);
    best = Math.max(best, gpSide === 'both' ? Math.abs(z) : z);
  }
  const raritySide = c.rule?.rarity;
  if (raritySide && c.rarity && raw.rarity !== undefined && raw.rarity !== null) {
    const z = standardize(raw.rarity, c.rarity.stat);
    best = Math.max(best, raritySide === 'both' ? Math.abs(z) : z);
  }
  const mixtureSide = c.rule?.mixture;
  if (mixtureSide && c.mixture && raw.mixture !== undefined && raw.mixture !== null) {
    const z = standardize(raw.mixture, c.mixture.stat);
    best = Math.max(best, mixtureSide === 'both' ? Math.abs(z) : z);
  }
  return best;
}
