/**
 * 2-D projections of the posterior means μ of a scored video's frames, for the latent scatter: PCA
 * (exact, milliseconds) or UMAP (umap-js, seeded so the same latents always give the same picture).
 * Projections are cached per (model, video, method) and recomputed when the video's scores change.
 */
import { UMAP } from 'umap-js';
import type { LatentProjection, ProjectionMethod } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { latentTrajectory } from '../engine/trajectory.js';
import { symmetricEigen } from '../math/linalg.js';
import { FittedNeighbourSearch, exactNeighbours, membershipWeights } from './latent-neighbours.js';
import { getParsedModel, parseModelRecord } from '../models/records.js';
import { findDriver } from '../models/registry.js';
import { mulberry32 } from '../ml/prng.js';
import { type ModelRecord, getModel } from '../store/models.js';
import { type LatentMeans, readLatentMeans } from '../store/scores.js';
import type { Store } from '../store/store.js';

export interface Projected {
  x: Float64Array;
  y: Float64Array;
}

export interface PcaProjection extends Projected {
  /** Share of μ's total variance along each of the two axes. */
  explained: [number, number];
  /** The two principal axes (unit vectors of length dim), as rows. */
  axes: Float64Array;
  /** The mean of μ (the origin of the projection). */
  mean: Float64Array;
}

/** Stored μ of a video's frames under a model, in frame order; NotScoredError when there are none. */
export function scoredLatentMeans(store: Store, modelId: number, videoId: number): LatentMeans {
  getModel(store, modelId);
  store.getVideo(videoId);
  const means = readLatentMeans(store, modelId, videoId);
  if (means.count === 0) throw new AppError('NotScoredError', `Score this video with model ${modelId} first: it has no latents from that model yet.`);
  return means;
}

/** μ's principal axes: the mean, and every eigenpair of the covariance (largest variance first), signs fixed. */
export interface PrincipalBasis {
  mean: Float64Array;
  /** Variance along each axis, descending. */
  variances: Float64Array;
  /** Unit axes as rows (dim × dim). */
  axes: Float64Array;
  dim: number;
}

/**
 * Centre μ, form its dim×dim covariance (dim is the latent size, a few dozen at most, so Jacobi on it is
 * exact and instant) and take its eigenvectors. Sign convention, so the picture never flips between runs
 * or versions: each axis is oriented so its largest-magnitude coefficient is positive.
 */
export function principalBasis(m: LatentMeans): PrincipalBasis {
  const { mu, dim, count } = m;
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d]! += mu[i * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= Math.max(1, count);
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = mu[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += ra * row[b]!;
    }
  }
  const n = Math.max(1, count - 1);
  for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[b * dim + a] = cov[a * dim + b]! /= n;
  const eig = symmetricEigen(cov, dim);
  const axes = new Float64Array(dim * dim);
  const variances = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    let big = 0;
    for (let d = 0; d < dim; d++) if (Math.abs(eig.vectors[k * dim + d]!) > Math.abs(eig.vectors[k * dim + big]!)) big = d;
    const sign = eig.vectors[k * dim + big]! < 0 ? -1 : 1;
    for (let d = 0; d < dim; d++) axes[k * dim + d] = sign * eig.vectors[k * dim + d]!;
    variances[k] = Math.max(0, eig.values[k]!);
  }
  return { mean, variances, axes, dim };
}

/** μ in the principal basis: row i's coordinate along axis k at [i*dim + k]. A rotation: distances are kept. */
export function rotateToBasis(m: LatentMeans, b: PrincipalBasis): Float32Array {
  const { mu, dim, count } = m;
  const out = new Float32Array(count * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = mu[i * dim + d]! - b.mean[d]!;
    for (let k = 0; k < dim; k++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += row[d]! * b.axes[k * dim + d]!;
      out[i * dim + k] = s;
    }
  }
  return out;
}

/**
 * Top-2 principal components of μ after standardizing each dimension (z-scores), and the share of the
 * standardized total variance along each. Raw μ let one or two dimensions with a large scale take
 * almost all the variance (98.8% on one axis on the demo scene); standardized, every dimension counts
 * by its correlations. The per-dimension scale is folded into the axes, so `projectOntoPca` on raw μ
 * (a trajectory, a traversal's centre) lands in the same picture.
 */
export function projectPca(m: LatentMeans): PcaProjection {
  const { mu, dim, count } = m;
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d]! += mu[i * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= Math.max(1, count);
  const sd = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) sd[d]! += (mu[i * dim + d]! - mean[d]!) ** 2;
  // A dimension that never moves (a collapsed unit) keeps scale 1: nothing to standardize, and no 0/0.
  for (let d = 0; d < dim; d++) sd[d] = Math.sqrt(sd[d]! / Math.max(1, count - 1)) || 1;
  const z = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) z[i * dim + d] = (mu[i * dim + d]! - mean[d]!) / sd[d]!;
  const b = principalBasis({ ...m, mu: z });
  let total = 0;
  for (const v of b.variances) total += v;
  const explained: [number, number] = [0, 0];
  const axes = new Float64Array(2 * dim);
  for (let k = 0; k < Math.min(2, dim); k++) {
    explained[k] = total > 0 ? b.variances[k]! / total : 0;
    for (let d = 0; d < dim; d++) axes[k * dim + d] = b.axes[k * dim + d]! / sd[d]!;
  }
  const { x, y } = projectOntoPca({ axes, mean }, mu.subarray(0, count * dim), dim);
  return { x, y, explained, axes, mean };
}

/** Rows of `points` ([n, dim]) in the 2-D PCA coordinates of `p` (same centring and axes as the points). */
export function projectOntoPca(p: Pick<PcaProjection, 'axes' | 'mean'>, points: ArrayLike<number>, dim: number): Projected {
  const n = Math.floor(points.length / dim);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    for (let d = 0; d < dim; d++) {
      const c = points[i * dim + d]! - p.mean[d]!;
      px += c * p.axes[d]!;
      py += c * p.axes[dim + d]!;
    }
    x[i] = px;
    y[i] = py;
  }
  return { x, y };
}

export interface UmapOptions {
  seed?: number;
  nNeighbors?: number;
  /** Optimisation epochs of the fit (UMAP's own default for large data, 200). */
  epochs?: number;
  /** Fit on at most this many frames (an even subsample); the rest are placed beside their nearest fitted frames. */
  fitLimit?: number;
  /** Yield to the event loop after this much uninterrupted work, so the app stays responsive. */
  sliceMs?: number;
}

export interface UmapProjection extends Projected {
  /** Milliseconds spent (wall clock, yields included): k-NN of the fitted frames, UMAP fit, placing the rest. */
  timings: { neighbours: number; fit: number; place: number };
}

/** Fewer frames than this have no neighbourhood structure for UMAP to keep: use PCA. */
export const UMAP_MIN_FRAMES = 8;

/** Frames fitted directly by UMAP; the others are placed beside their nearest fitted frames (see projectUmap). */
export const UMAP_FIT_LIMIT = 2000;

/**
 * UMAP of μ with umap-js and a seeded generator (it draws every random number from it: same latents
 * and seed, same layout).
 *
 * Up to `fitLimit` frames are laid out by UMAP itself, from their exact k-NN graph. A longer video is
 * fitted on an even subsample (one frame from each of `fitLimit` equal runs), and every other
 * frame is placed the way UMAP's `transform` starts: at the membership-weighted mean of the layout of
 * its k nearest fitted frames (found by a graph search seeded at the fitted frames next to it in time
 * and along the first principal axis). umap-js's `transform` then runs a refinement optimisation per
 * batch, which is what makes it unusable here.
 *
 * Measured on the development VM (2 cores shared with other builds, load 2–4; 16-d μ on a curved 3-d
 * manifold, scratch runs while writing this and the timing test in projection.test.ts):
 *   umap-js alone, direct fit of 5,000 frames (default 400 epochs): 23.5 s (its k-NN 1.8 s, fuzzy set
 *   3.5 s, epochs 16 s); umap-js `transform`: ~1.1 ms per frame, ≈ 100 s for 100,000 frames;
 *   brute-force k-NN of 100,000 frames against 2,000 fitted ones: ~20 s.
 *   This function on 100,000 frames: 6.6–8.5 s in all = exact k-NN of the 2,000 fitted frames 0.2–0.4 s
 *   + umap-js fit with 200 epochs 4.0–5.0 s + graph-search placement of the other 98,000 frames 2.2–2.8 s
 *   (the search finds ~98% of the true 15 nearest fitted frames).
 * The work yields to the event loop every `sliceMs`; the fuzzy-set construction (≈ 0.6 s for 2,000
 * frames) is one uninterrupted step inside umap-js.
 */
export async function projectUmap(m: LatentMeans, o: UmapOptions = {}): Promise<UmapProjection> {
  const { count, dim } = m;
  if (count < UMAP_MIN_FRAMES)
    throw new AppError('TooFewFramesError', `UMAP needs at least ${UMAP_MIN_FRAMES} scored frames and this video has ${count}: use PCA.`);
  const fitLimit = Math.max(UMAP_MIN_FRAMES, o.fitLimit ?? UMAP_FIT_LIMIT);
  const sliceMs = o.sliceMs ?? 40;
  const fitCount = Math.min(count, fitLimit);
  const nNeighbors = Math.min(o.nNeighbors ?? 15, fitCount - 1);
  let sliceStart = performance.now();
  const breathe = async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };

  // Work in the principal basis (a rotation: the same distances), largest variance first, so a distance
  // computation can stop after a few coordinates once it exceeds the distance it has to beat.
  const mu = rotateToBasis(m, principalBasis(m));

  // The frames to fit: all, or an even subsample: one frame from each of fitLimit equal runs, drawn
  // (seeded) within its run so that footage with a period (a blinking light) cannot alias the sample.
  const pick = mulberry32((o.seed ?? 42) ^ 0x5eed);
  const fitRows = Array.from({ length: fitCount }, (_, k) => {
    if (count <= fitLimit) return k;
    const from = Math.ceil((k * count) / fitLimit);
    const to = Math.ceil(((k + 1) * count) / fitLimit);
    return from + Math.floor(pick() * (to - from));
  });
  const t0 = performance.now();
  const knn = exactNeighbours(mu, dim, fitRows, nNeighbors);
  const t1 = performance.now();
  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: 0.1, nEpochs: o.epochs ?? 200, random: mulberry32(o.seed ?? 42) });
  umap.setPrecomputedKNN(knn.indices, knn.distances);
  const epochs = umap.initializeFit(fitRows.map((i) => Array.from(mu.subarray(i * dim, (i + 1) * dim))));
  for (let e = 0; e < epochs; e++) {
    umap.step();
    await breathe();
  }
  const layout = umap.getEmbedding();
  const t2 = performance.now();
  const timings = () => ({ neighbours: t1 - t0, fit: t2 - t1, place: performance.now() - t2 });
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  fitRows.forEach((i, k) => {
    x[i] = layout[k]![0]!;
    y[i] = layout[k]![1]!;
  });
  if (fitCount === count) return { x, y, timings: timings() };

  // Every other frame: beside its nearest fitted frames. Seeds: the fitted frames just before and
  // after it in time, and the fitted frame nearest along the first principal axis (for a frame unlike
  // its neighbours in time, e.g. a short event between two fitted frames).
  const pc1 = (i: number) => mu[i * dim]!;
  const byPc1 = fitRows.map((_, k) => k).sort((a, b) => pc1(fitRows[a]!) - pc1(fitRows[b]!));
  const sortedPc1 = Float64Array.from(byPc1, (k) => pc1(fitRows[k]!));
  const search = new FittedNeighbourSearch(mu, dim, fitRows, knn, nNeighbors);
  const seeds: number[] = [];
  let after = 0;
  for (let i = 0; i < count; i++) {
    while (after < fitCount && fitRows[after]! < i) after++;
    if (fitRows[after] === i) continue;
    seeds.length = 0;
    if (after > 0) seeds.push(after - 1);
    if (after < fitCount) seeds.push(after);
    seeds.push(byPc1[Math.min(fitCount - 1, lowerBound(sortedPc1, pc1(i)))]!);
    const near = search.search(i, seeds, nNeighbors);
    const w = membershipWeights(near.distances);
    let px = 0;
    let py = 0;
    for (let q = 0; q < near.indices.length; q++) {
      px += w[q]! * layout[near.indices[q]!]![0]!;
      py += w[q]! * layout[near.indices[q]!]![1]!;
    }
    x[i] = px;
    y[i] = py;
    if ((i & 1023) === 0) await breathe();
  }
  return { x, y, timings: timings() };
}

/** The first position in ascending `a` whose value is ≥ v. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Mixture-prior models: each frame's most likely mixture component (argmax of the responsibilities of
 * its μ under the model's learned prior, see ml/family/mixture.ts `responsibilities`). 'gmvae' stores
 * its prior in its config (ml/vae/mixture-prior.ts); every other kind gets null.
 */
export function mixtureClasses(model: ModelRecord, means: LatentMeans): number[] | null {
  const d = findDriver(model.kind);
  return d?.frameClasses ? d.frameClasses(parseModelRecord(model), means) : null;
}

/** Coordinates to about 7 significant digits of the axis range: plenty for a screen, half the JSON. */
function rounded(values: Float64Array): number[] {
  let big = 0;
  for (const v of values) if (Number.isFinite(v)) big = Math.max(big, Math.abs(v));
  if (big === 0) return Array.from(values);
  const k = 6 - Math.floor(Math.log10(big));
  if (k >= 0) {
    const s = 10 ** k;
    return Array.from(values, (v) => Math.round(v * s) / s);
  }
  const s = 10 ** -k;
  return Array.from(values, (v) => Math.round(v / s) * s);
}

/**
 * Identity of a video's stored latents under a model. Scores and latents are written (and cleared)
 * together, one transaction per batch, so the count, index range and sum of the combined scores change
 * whenever a re-score replaces the latents (a re-score by the same model reproduces the same μ, and then
 * the same identity is right). A range scan of the scores: about 25 ms for 100,000 frames.
 */
function latentStamp(store: Store, modelId: number, videoId: number): string {
  const r = store.db
    .prepare('SELECT count(*) AS n, min(idx) AS lo, max(idx) AS hi, total(combined) AS sum FROM scores WHERE model_id = ? AND video_id = ?')
    .get(modelId, videoId) as { n: number; lo: number | null; hi: number | null; sum: number };
  return `${r.n}:${r.lo}:${r.hi}:${r.sum}`;
}

/**
 * Changes whenever anything was committed to the database since the last call: PRAGMA data_version
 * counts commits by other connections (the scoring worker, the CLI), total_changes() this connection's
 * own writes. Microseconds: while it holds still, no latents can have changed.
 */
function databaseVersion(store: Store): string {
  const other = store.db.pragma('data_version', { simple: true }) as number;
  const own = (store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${other}:${own}`;
}

interface CacheEntry {
  stamp: string;
  /** The database version at which `stamp` was last checked. */
  checkedAt: string;
  value: Promise<LatentProjection>;
}

/** Projections of (model, video, method), kept in memory (the most recent `capacity`) until the video's latents change. */
export class LatentProjections {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    /** `runUmap` lays UMAP out elsewhere (a worker thread, see umap-worker.ts); without it, in this thread. */
    private readonly options: { capacity?: number; umap?: UmapOptions; runUmap?: (modelId: number, videoId: number) => Promise<Projected> } = {},
  ) {}

  get(modelId: number, videoId: number, method: ProjectionMethod): Promise<LatentProjection> {
    const key = `${modelId}/${videoId}/${method}`;
    // Version and stamp are read before the latents: a commit in between makes the stamp stale, so the
    // next call recomputes (never the other way round).
    const version = databaseVersion(this.store);
    const hit = this.entries.get(key);
    const stamp = hit?.checkedAt === version ? hit.stamp : latentStamp(this.store, modelId, videoId);
    if (hit && hit.stamp === stamp) {
      hit.checkedAt = version;
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = this.compute(modelId, videoId, method);
    const entry: CacheEntry = { stamp, checkedAt: version, value };
    this.entries.set(key, entry);
    // A failure is not kept: the next call tries again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    const capacity = this.options.capacity ?? 8;
    for (const k of this.entries.keys()) {
      if (this.entries.size <= capacity) break;
      this.entries.delete(k);
    }
    return value;
  }

  /** Forget everything (tests; a library switch). */
  clear(): void {
    this.entries.clear();
  }

  private async compute(modelId: number, videoId: number, method: ProjectionMethod): Promise<LatentProjection> {
    const model = getParsedModel(this.store, modelId);
    const means = scoredLatentMeans(this.store, modelId, videoId);
    let xy: Projected;
    let explained: number[] = [];
    let trajectory: LatentProjection['trajectory'] = null;
    if (method === 'pca') {
      const p = projectPca(means);
      xy = p;
      explained = p.explained;
      if (model.calibration?.gp) {
        const t = latentTrajectory(this.store, modelId, videoId, means);
        const line = projectOntoPca(p, t.smooth, means.dim);
        trajectory = { x: rounded(line.x), y: rounded(line.y) };
      }
    } else {
      xy = this.options.runUmap ? await this.options.runUmap(modelId, videoId) : await projectUmap(means, this.options.umap);
      if (xy.x.length !== means.count) throw new AppError('StoreError', 'The latents changed while UMAP ran: ask again.');
    }
    return {
      modelId,
      videoId,
      method,
      index: Array.from(means.index),
      x: rounded(xy.x),
      y: rounded(xy.y),
      explained,
      mixtureClass: mixtureClasses(model, means),
      trajectory,
    };
  }
}
