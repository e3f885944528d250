/** Database records turned into the plain summaries that cross the API. */
import type { EpochSummary, IgnoreMask, ModelSummary, TrainingPoolRecord } from '../../shared/domain.js';
import type { ModelRecord } from '../store/models.js';

interface StoredMetrics {
  threshold?: number;
  trainSeconds?: number;
  trainFramesPerSec?: number;
  history?: Array<{ epoch: number; loss: number; recon: number; kl: number; valLoss: number | null }>;
}

export function toModelSummary(m: ModelRecord): ModelSummary {
  const cfg = (m.config ?? {}) as { latentDim?: number; inputSize?: number; ignoreMask?: IgnoreMask | null; pool?: Partial<TrainingPoolRecord> & { heldOut?: unknown } };
  const metrics = (m.metrics ?? {}) as StoredMetrics;
  const history: EpochSummary[] = (metrics.history ?? []).map((h) => ({ epoch: h.epoch, loss: h.loss, recon: h.recon, kl: h.kl, valLoss: h.valLoss }));
  return {
    id: m.id,
    kind: m.kind,
    name: m.name,
    status: m.status,
    trainVideoId: m.trainVideoId,
    parentId: m.parentId,
    backend: m.backend,
    latentDim: cfg.latentDim ?? 0,
    inputSize: cfg.inputSize ?? 0,
    threshold: metrics.threshold ?? null,
    trainSeconds: metrics.trainSeconds ?? null,
    trainFramesPerSec: metrics.trainFramesPerSec ?? null,
    history,
    createdAt: m.createdAt,
    ignoreMask: cfg.ignoreMask ? { rects: cfg.ignoreMask.rects } : null,
    pool: poolOf(cfg.pool),
  };
}

/** A model's recorded pool without its held-out frame list; null for versions trained before it was recorded. */
function poolOf(p: (Partial<TrainingPoolRecord> & { heldOut?: unknown }) | undefined): TrainingPoolRecord | null {
  if (!p || typeof p.baseVideoId !== 'number' || typeof p.baseSource !== 'string') return null;
  const n = (v: number | undefined) => v ?? 0;
  return {
    baseVideoId: p.baseVideoId,
    baseSource: p.baseSource,
    baseFrames: n(p.baseFrames),
    excludedFrames: n(p.excludedFrames),
    excludedEventFrames: n(p.excludedEventFrames),
    reservedHeldOutFrames: n(p.reservedHeldOutFrames),
    labelledFrames: n(p.labelledFrames),
    labelledNormal: n(p.labelledNormal),
    labelledNuisance: n(p.labelledNuisance),
    labelledVideos: n(p.labelledVideos),
    labelledRepeats: n(p.labelledRepeats),
  };
}
