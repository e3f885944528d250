/**
 * Loss curves of a running training job, built from its `job:update` events. Training reports the
 * latest step's figures in `progress.metrics` (src/core/models/vae/train.ts): `epoch` (0-based),
 * `loss` (the negative ELBO), `recon`, `kl` and `beta` as running means over the epoch so far, and
 * `valLoss`, the validation loss of the last finished epoch, once there is one.
 */
import { type EpochSummary, type JobInfo, TRAINING_BACKENDS } from '../../../shared/domain.js';

export interface LossPoint {
  /** Training steps done over the whole run (the job's `progress.done`). */
  step: number;
  /** 0-based epoch in progress. */
  epoch: number;
  loss: number;
  recon: number;
  kl: number;
  valLoss: number | null;
}

/** A point for the chart: x is steps for a live run, epochs for a finished model's history. */
export interface ChartPoint {
  x: number;
  loss: number;
  recon: number;
  kl: number;
  valLoss: number | null;
}

/** The most points a live curve keeps; past it, every other older point is dropped (the shape stays). */
export const MAX_LIVE_POINTS = 2000;

/** The loss point a train job's update carries, or null when it carries none (loading, calibrating). */
export function lossPointFromJob(job: JobInfo): LossPoint | null {
  const m = job.progress.metrics;
  if (job.kind !== 'train' || !m) return null;
  const { loss, recon, kl } = m;
  if (loss === undefined || recon === undefined || kl === undefined) return null;
  return { step: job.progress.done, epoch: m.epoch ?? 0, loss, recon, kl, valLoss: m.valLoss ?? null };
}

/**
 * Add a point to a curve (a new array). A point that is not past the last one (a repeated or late
 * update) is ignored; when the curve outgrows `max`, it is thinned to half by keeping every other point
 * and always the newest.
 */
export function appendLossPoint(points: readonly LossPoint[], point: LossPoint, max = MAX_LIVE_POINTS): readonly LossPoint[] {
  const last = points[points.length - 1];
  if (last && point.step <= last.step) return points;
  const next = [...points, point];
  if (next.length <= max) return next;
  const thinned = next.filter((_, i) => i % 2 === 0);
  if (thinned[thinned.length - 1] !== point) thinned.push(point);
  return thinned;
}

export const livePoints = (points: readonly LossPoint[]): ChartPoint[] =>
  points.map((p) => ({ x: p.step, loss: p.loss, recon: p.recon, kl: p.kl, valLoss: p.valLoss }));

/** A finished model's per-epoch figures, x = epoch number counted from 1. */
export const historyPoints = (history: readonly EpochSummary[]): ChartPoint[] =>
  history.map((h) => ({ x: h.epoch + 1, loss: h.loss, recon: h.recon, kl: h.kl, valLoss: h.valLoss }));

/**
 * The backend a train job runs on. Training names it in its stage ("training (wasm)", "training on
 * wasm: epoch 2/20 …") and in its result when done; null until it says.
 */
export function backendFromJob(job: JobInfo): string | null {
  const fromResult = trainResult(job)?.backend;
  if (fromResult) return fromResult;
  // Longest names first, so tfjs-node-gpu is not read as tfjs-node.
  const names = [...TRAINING_BACKENDS].sort((a, b) => b.length - a.length);
  return names.find((name) => new RegExp(`(^|[\\s(])${name.replace(/-/g, '\\-')}([\\s):,]|$)`).test(job.progress.stage)) ?? null;
}

/** What a succeeded train job returns: the new model's id and the backend it trained on. */
export function trainResult(job: JobInfo): { modelId: number; backend: string | null } | null {
  const r = job.result as { modelId?: unknown; backend?: unknown } | null;
  if (job.kind !== 'train' || !r || typeof r !== 'object' || typeof r.modelId !== 'number') return null;
  return { modelId: r.modelId, backend: typeof r.backend === 'string' ? r.backend : null };
}
