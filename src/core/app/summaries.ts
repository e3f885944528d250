/** Database records turned into the plain summaries that cross the API. */
import type { EpochSummary, IgnoreMask, ModelSummary } from '../../shared/domain.js';
import type { ModelRecord } from '../store/models.js';

interface StoredMetrics {
  threshold?: number;
  trainSeconds?: number;
  trainFramesPerSec?: number;
  history?: Array<{ epoch: number; loss: number; recon: number; kl: number; valLoss: number | null }>;
}

export function toModelSummary(m: ModelRecord): ModelSummary {
  const cfg = (m.config ?? {}) as { latentDim?: number; inputSize?: number; ignoreMask?: IgnoreMask | null };
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
  };
}
