/** Model versions written straight into the store (no training): given scores, events and threshold, for tests of what reads them. */
import { createModel, finishModel, replaceEvents, writeScores } from '../src/core/store/models.js';
import type { Store } from '../src/core/store/store.js';

export interface FakeModel {
  trainVideoId: number;
  parentId?: number | null;
  threshold: number;
  /** Combined score per frame, per video. */
  scores: Record<number, number[]>;
  /** Stored events per video (inclusive frame spans). */
  events?: Record<number, Array<[number, number]>>;
  /** config.pool (base video, held-out frames). */
  pool?: unknown;
  name?: string;
}

export function fakeModel(store: Store, m: FakeModel): number {
  const id = createModel(store, { kind: 'vae', name: m.name ?? 'fake', config: { latentDim: 1, inputSize: 16, ...(m.pool ? { pool: m.pool } : {}) }, parentId: m.parentId ?? null, trainVideoId: m.trainVideoId });
  for (const [video, combined] of Object.entries(m.scores)) {
    const z = new Float32Array(1);
    writeScores(
      store,
      id,
      Number(video),
      combined.map((c, idx) => ({ idx, recon: c, patch: c, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0, combined: c, mu: z, logvar: z })),
    );
    replaceEvents(store, id, Number(video), (m.events?.[Number(video)] ?? []).map(([start, end]) => ({ start, end, peak: start, peakScore: m.threshold * 2 })), m.threshold);
  }
  finishModel(store, id, { weights: new Uint8Array(1), onnx: new Uint8Array(1), calibration: { threshold: m.threshold }, metrics: { threshold: m.threshold }, backend: 'none' });
  return id;
}
