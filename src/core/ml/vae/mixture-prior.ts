/**
 * The mixture-prior VAE ('gmvae', seed note 000): the conv VAE of spec.ts with a Gaussian-mixture
 * prior p(z) = Σ_c π_c N(z; m_c, diag s_c²) instead of N(0, I), and a discrete class c per frame.
 *
 * Per frame (nats), with q(z|x) = N(μ, diag σ²) from the encoder:
 *
 *   −ELBO = recon NLL + β · [ Σ_c y_c KL(q(z|x) ‖ N(m_c, s_c²)) + KL(q(c|x) ‖ π) ]
 *
 *   q(c|x)  = r(μ) = softmax_c( log π_c + log N(μ; m_c, s_c²) ): the mixture's responsibilities of the
 *             encoder mean. Chosen over a classifier head: no new weights (the ONNX graph, the weights
 *             file and fine-tuning stay those of the plain VAE), and q(c|x) is then a function of x
 *             alone, so with y = q the bracket is the exact KL part of the ELBO of q(z|x) q(c|x).
 *   y       = Gumbel-softmax((log π + log N(μ; m, s²)) + g) / τ) in training (family/gumbel.ts; the soft
 *             relaxed sample, τ annealed with annealTemperature), y = q in validation and scoring.
 *             A frame the analyst labelled has y = q = one_hot(its class): KL(one_hot ‖ π) = −log π_c.
 *   KL(N(μ, σ²) ‖ N(m, s²)) = ½ Σ_j [ log s²_j − log σ²_j + (σ²_j + (μ_j − m_j)²) / s²_j − 1 ]
 *
 * The mixture's parameters are not trained by gradient: they are constants in each step and are
 * updated EM-style once per epoch (updateMixturePrior) from the sampled codes z of that epoch, with
 * responsibilities q(c | z) (family/mixture.ts `responsibilities` + `mStep`, one-hot for labelled frames).
 *
 * Collapse guard. The failure seed note 000 reports is the class term settling at a constant while
 * every frame lands in one class. Here that is a component whose π shrinks: KL(q(c|x) ‖ π) then makes
 * frames avoid it, the next M-step shrinks π further, and it dies. Three counter-measures, each optional:
 *   - π floor: after the M-step π_k ≥ piFloor (then renormalized), so no class becomes unaffordable;
 *   - re-seeding: a component with usage (mean responsibility) below deadBelow gets the worst-explained
 *     code of the epoch (lowest log p(z) under the updated mixture) as its mean, per dimension the
 *     smallest variance of the live components, and weight max(piFloor, 1/(4K));
 *   - an entropy bonus on the batch's mean class usage: entropyWeight · (log K − H(mean_b q_b)) is added to
 *     the loss (0 when classes are used evenly), pushing the encoder to spread frames over classes;
 *   - a balanced M-step (balancedResponsibilities): a component whose share of the epoch's unlabelled
 *     codes is below minShare is fitted to the minShare·N codes that are relatively most likely under
 *     it, so on footage with one broad mode (one fixed camera) the components split that mode instead
 *     of one swallowing it; components above minShare keep their codes, so unequal clusters keep
 *     roughly their sizes.
 * Measured with bench:models on the shared bench scene (dev seed 4, 6 epochs, K = 4; frames per argmax
 * class over the train and test videos, normalized entropy of those classes / of the last epoch's usage):
 *   without the balanced step   0 / 39 / 0 / 961      0.119 / 0.214
 *   entropy bonus × 30 instead  26 / 0 / 974 / 0      0.087 / 0.349  (saturated responsibilities pass no gradient to μ)
 *   with it (the default)       265 / 26 / 13 / 696   0.545 / 0.795
 * AUC 1.000 on every event kind in all three.
 */
import * as tf from '@tensorflow/tfjs';
import { classUsage, entropy } from '../family/gumbel.js';
import { componentLogJoint, gmmLogDensity, initGmm, fitGmm, mStep, responsibilities, type DiagGmm } from '../family/mixture.js';

export const LOG_2PI = Math.log(2 * Math.PI);

export interface CollapseGuard {
  /** Lower bound on every π_k after the M-step (default 0.2 / K). */
  piFloor?: number;
  /** A component whose usage is below this is re-seeded (default 0.25 / K); 0: never. */
  deadBelow?: number;
  /** Weight of the batch usage-entropy bonus, nats per frame (default 1); 0: off. */
  entropyWeight?: number;
  /** Smallest share of the epoch's unlabelled codes each component is fitted to in the M-step (default 0.5 / K); 0: off. */
  minShare?: number;
}

export interface ResolvedGuard {
  piFloor: number;
  deadBelow: number;
  entropyWeight: number;
  /** 0: the M-step fits the plain responsibilities. */
  minShare?: number;
}

/** Defaults of a guard for K components; `false` switches every counter-measure off. */
export function resolveGuard(k: number, guard: CollapseGuard | false | undefined): ResolvedGuard {
  if (guard === false) return { piFloor: 0, deadBelow: 0, entropyWeight: 0, minShare: 0 };
  const g = { piFloor: guard?.piFloor ?? 0.2 / k, deadBelow: guard?.deadBelow ?? 0.25 / k, entropyWeight: guard?.entropyWeight ?? 1, minShare: guard?.minShare ?? 0.5 / k };
  if (!(g.minShare >= 0 && g.minShare * k <= 1)) throw new RangeError(`collapse guard: minShare must be in [0, 1/K], got ${g.minShare}`);
  if (!(g.piFloor >= 0 && g.piFloor * k < 1)) throw new RangeError(`collapse guard: piFloor must be in [0, 1/K), got ${g.piFloor}`);
  if (!(g.deadBelow >= 0 && g.deadBelow < 1)) throw new RangeError(`collapse guard: deadBelow must be in [0, 1), got ${g.deadBelow}`);
  if (!(g.entropyWeight >= 0)) throw new RangeError(`collapse guard: entropyWeight must be >= 0, got ${g.entropyWeight}`);
  return g;
}

/** The mixture as constant tensors for one training step: log π [K], m [K, L], s² [K, L]. */
export interface PriorTensors {
  logPi: tf.Tensor1D;
  means: tf.Tensor2D;
  vars: tf.Tensor2D;
}

export function priorTensors(g: DiagGmm): PriorTensors {
  return {
    logPi: tf.tensor1d(Array.from(g.weights, (w) => Math.log(Math.max(w, 1e-30)))),
    means: tf.tensor2d(Float32Array.from(g.means), [g.k, g.dim]),
    vars: tf.tensor2d(Float32Array.from(g.vars), [g.k, g.dim]),
  };
}

export interface MixtureKlTerms {
  /** Σ_c y_c KL(q(z|x) ‖ p(z|c)) + KL(q(c|x) ‖ π), per frame [N]. */
  kl: tf.Tensor1D;
  /** q(c|x) [N, K] (one-hot for labelled frames). */
  q: tf.Tensor2D;
  /** KL(q(z|x) ‖ p(z|c)) for every class, [N, K]. */
  klz: tf.Tensor2D;
  /** KL(q(c|x) ‖ π), [N]. */
  cat: tf.Tensor1D;
}

export interface MixtureKlOptions {
  /** Standard-Gumbel noise [N, K] and temperature τ: y is the relaxed sample. Absent: y = q. */
  gumbel?: { noise: tf.Tensor2D; tau: number };
  /** One-hot classes [N, K] of labelled frames (rows of zeros for unlabelled ones). */
  labels?: tf.Tensor2D;
}

/**
 * The mixture prior's KL terms for a batch (see the module comment). μ, log σ²: [N, L]. Differentiable
 * with respect to μ and log σ² (the prior is constant).
 */
export function mixtureKl(mu: tf.Tensor2D, logvar: tf.Tensor2D, prior: PriorTensors, opts: MixtureKlOptions = {}): MixtureKlTerms {
  return tf.tidy(() => {
    const [n, l] = mu.shape;
    const k = prior.logPi.shape[0];
    const mu3 = tf.reshape(mu, [n, 1, l]);
    const lv3 = tf.reshape(logvar, [n, 1, l]);
    const m3 = tf.reshape(prior.means, [1, k, l]);
    const s3 = tf.reshape(prior.vars, [1, k, l]);
    const logS = tf.log(s3);
    const d2 = tf.square(tf.sub(mu3, m3)); // [N, K, L]
    // log π_c + log N(μ; m_c, s_c²)
    const logN = tf.mul(-0.5, tf.sum(tf.add(tf.add(logS, LOG_2PI), tf.div(d2, s3)), 2)); // [N, K]
    const logits = tf.add(logN, tf.reshape(prior.logPi, [1, k])) as tf.Tensor2D;
    const klz = tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.sub(logS, lv3), tf.div(tf.add(tf.exp(lv3), d2), s3)), 1), 2)) as tf.Tensor2D;
    const logQ = tf.logSoftmax(logits);
    const qSoft = tf.exp(logQ);
    const catSoft = tf.sum(tf.mul(qSoft, tf.sub(logQ, tf.reshape(prior.logPi, [1, k]))), 1);
    let q: tf.Tensor2D = qSoft as tf.Tensor2D;
    let cat: tf.Tensor = catSoft;
    let y: tf.Tensor = opts.gumbel ? tf.softmax(tf.div(tf.add(logits, opts.gumbel.noise), opts.gumbel.tau)) : qSoft;
    if (opts.labels) {
      const labelled = tf.sum(opts.labels, 1, true); // [N, 1]: 1 for a labelled frame
      const free = tf.sub(1, labelled);
      q = tf.add(tf.mul(free, qSoft), opts.labels) as tf.Tensor2D;
      y = tf.add(tf.mul(free, y), opts.labels);
      const catLabelled = tf.neg(tf.sum(tf.mul(opts.labels, tf.reshape(prior.logPi, [1, k])), 1));
      cat = tf.add(tf.mul(tf.reshape(free, [n]), catSoft), catLabelled);
    }
    const kl = tf.add(tf.sum(tf.mul(y, klz), 1), cat) as tf.Tensor1D;
    return { kl, q, klz, cat: cat as tf.Tensor1D };
  });
}

/** log K − H(mean_n q_n): 0 when the batch uses every class equally, log K when it uses one. */
export function usageDeficit(q: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const k = q.shape[1];
    const p = tf.mean(q, 0);
    const h = tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-12)))));
    return tf.sub(Math.log(k), h) as tf.Scalar;
  });
}

export interface MixtureUpdate {
  gmm: DiagGmm;
  /** Mean responsibility of each class over the codes (before the update), [K]. */
  usage: number[];
  /** H(usage) / log K in [0, 1]. */
  usageEntropy: number;
  /** Components re-seeded by the collapse guard. */
  reseeded: number[];
}

/** Global per-dimension variance of codes [N, D]. */
function globalVar(zs: ArrayLike<number>, n: number, dim: number, floor: number): Float64Array {
  const mean = new Float64Array(dim);
  const v = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] = mean[j]! + zs[r * dim + j]! / n;
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) v[j] = v[j]! + (zs[r * dim + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < dim; j++) v[j] = Math.max(floor, v[j]!);
  return v;
}

/**
 * One EM update of the prior from an epoch's sampled codes zs [N, D] (labels [N]: class or −1), with
 * the collapse guard: re-seed dead components at the worst-explained codes, fit to balanced
 * responsibilities (every component ≥ minShare of the unlabelled codes), floor π.
 */
export function updateMixturePrior(g: DiagGmm, zs: ArrayLike<number>, labels: ArrayLike<number> | undefined, guard: ResolvedGuard, varFloor = 1e-3): MixtureUpdate {
  const { resp, usage, usageEntropy } = mixtureUsage(g, zs, labels);
  const n = zs.length / g.dim;
  const reseeded: number[] = [];
  // Re-seed dead components first (from the codes this mixture explains worst), so the M-step below
  // already fits them to the codes around their new place.
  let current = g;
  if (guard.deadBelow > 0 && n > 0) {
    const dead: number[] = [];
    for (let c = 0; c < g.k; c++) if (usage[c]! < guard.deadBelow) dead.push(c);
    if (dead.length) {
      current = { ...g, weights: Float64Array.from(g.weights), means: Float64Array.from(g.means), vars: Float64Array.from(g.vars) };
      // Worst-explained codes (unlabelled ones first: a labelled code belongs to its class).
      const order = Array.from({ length: n }, (_, r) => r)
        .map((r) => ({ r, lp: gmmLogDensity(g, zs, r * g.dim), labelled: !!labels && labels[r] !== undefined && labels[r]! >= 0 }))
        .sort((a, b) => Number(a.labelled) - Number(b.labelled) || a.lp - b.lp);
      // The new component is as tight as the tightest live one (per dimension): a broad one would lose every code to them again.
      const live = Array.from({ length: g.k }, (_, c) => c).filter((c) => !dead.includes(c));
      const v = live.length ? Float64Array.from({ length: g.dim }, (_, j) => Math.min(...live.map((c) => g.vars[c * g.dim + j]!))) : globalVar(zs, n, g.dim, varFloor);
      dead.forEach((c, i) => {
        const pick = order[Math.min(i, order.length - 1)]!.r;
        for (let j = 0; j < g.dim; j++) {
          current.means[c * g.dim + j] = zs[pick * g.dim + j]!;
          current.vars[c * g.dim + j] = v[j]!;
        }
        current.weights[c] = Math.max(guard.piFloor, 1 / (g.k * 4));
        reseeded.push(c);
      });
      floorWeights(current.weights, 0);
    }
  }
  const plain = current === g ? resp : responsibilities(current, zs, labels).resp;
  const fitted = guard.minShare ? balancedResponsibilities(current, zs, labels, guard.minShare, plain) : plain;
  const next = mStep(zs, fitted, g.k, g.dim, { varFloor, previous: current });
  floorWeights(next.weights, guard.piFloor);
  return { gmm: next, usage, usageEntropy, reseeded };
}

/** How a mixture's classes are used by codes zs [N, D] (labelled codes count for their class): mean responsibility, its normalized entropy, and the responsibilities. */
export function mixtureUsage(g: DiagGmm, zs: ArrayLike<number>, labels: ArrayLike<number> | undefined): { resp: Float64Array; usage: number[]; usageEntropy: number } {
  const { resp } = responsibilities(g, zs, labels);
  const usage = classUsage(resp, g.k);
  return { resp, usage: Array.from(usage), usageEntropy: g.k > 1 ? entropy(usage) / Math.log(g.k) : 1 };
}

/**
 * Responsibilities for a balanced M-step: each component whose share of the unlabelled codes (mean
 * responsibility) is below minShare takes, whole, the ⌈minShare·N⌉ unlabelled codes with the highest
 * log-odds of belonging to it (log π_k N(z; m_k, s_k²) − log Σ_{j≠k} π_j N(z; m_j, s_j²)), codes not
 * already taken by another starving component; every other code keeps its plain responsibilities, and
 * labelled codes their one-hot class. With every share already ≥ minShare this is the plain E-step.
 */
export function balancedResponsibilities(
  g: DiagGmm, zs: ArrayLike<number>, labels: ArrayLike<number> | undefined, minShare: number,
  /** The plain responsibilities of g, when the caller already has them. */
  plain: Float64Array = responsibilities(g, zs, labels).resp,
): Float64Array {
  const { k, dim } = g;
  const n = zs.length / dim;
  const free: number[] = [];
  for (let r = 0; r < n; r++) if (!labels || labels[r] === undefined || labels[r]! < 0 || labels[r]! >= k) free.push(r);
  if (free.length === 0) return plain;
  const share = new Float64Array(k);
  for (const r of free) for (let c = 0; c < k; c++) share[c]! += plain[r * k + c]! / free.length;
  const starving = Array.from({ length: k }, (_, c) => c).filter((c) => share[c]! < minShare).sort((a, b) => share[a]! - share[b]!);
  if (starving.length === 0) return plain;
  const out = Float64Array.from(plain);
  const taken = new Uint8Array(n);
  const need = Math.ceil(minShare * free.length);
  const joint = free.map((r) => componentLogJoint(g, zs, r * dim));
  for (const c of starving) {
    const odds = free
      .map((r, i) => {
        const lj = joint[i]!;
        let max = -Infinity;
        for (let j = 0; j < k; j++) if (j !== c) max = Math.max(max, lj[j]!);
        let sum = 0;
        for (let j = 0; j < k; j++) if (j !== c) sum += Math.exp(lj[j]! - max);
        return { r, odds: lj[c]! - (max + Math.log(sum)) };
      })
      .filter((e) => !taken[e.r])
      .sort((a, b) => b.odds - a.odds);
    for (const { r } of odds.slice(0, need)) {
      taken[r] = 1;
      for (let j = 0; j < k; j++) out[r * k + j] = j === c ? 1 : 0;
    }
  }
  return out;
}

/** π_k ← max(π_k, floor), then renormalized (in place): every weight ends ≥ floor / (1 + K·floor). */
function floorWeights(w: Float64Array, floor: number): void {
  let s = 0;
  for (let c = 0; c < w.length; c++) {
    w[c] = Math.max(w[c]!, floor, 1e-12);
    s += w[c]!;
  }
  for (let c = 0; c < w.length; c++) w[c] = w[c]! / s;
}

/** A first mixture for codes zs [N, D]: k-means++ means, then a few EM iterations (semi-supervised when labels are given). */
export function initialMixture(zs: ArrayLike<number>, k: number, dim: number, labels: ArrayLike<number> | undefined, seed: number, varFloor = 1e-3): DiagGmm {
  const init = initGmm(zs, k, dim, seed, varFloor);
  return fitGmm(init, zs, { iterations: 20, varFloor, ...(labels ? { labels } : {}) }).gmm;
}

/** A mixture as JSON-safe arrays (for a model's config). */
export interface StoredMixture {
  k: number;
  dim: number;
  weights: number[];
  means: number[];
  vars: number[];
}

export const storeMixture = (g: DiagGmm): StoredMixture => ({ k: g.k, dim: g.dim, weights: Array.from(g.weights), means: Array.from(g.means), vars: Array.from(g.vars) });
export const loadMixture = (s: StoredMixture): DiagGmm => ({ k: s.k, dim: s.dim, weights: Float64Array.from(s.weights), means: Float64Array.from(s.means), vars: Float64Array.from(s.vars) });
