/** The analyst's review of events (issue 11): reviewed events per model and video, and each model's chosen threshold. */
import type { EventReviewInput, ReviewState } from '../../shared/domain.js';
import { getSetting, setSetting } from './settings.js';
import { getModel } from './models.js';
import type { Store } from './store.js';

const thresholdKey = (modelId: number): string => `review.threshold.${modelId}`;

export function getReviewState(store: Store, modelId: number, videoId: number): ReviewState {
  getModel(store, modelId);
  store.getVideo(videoId);
  const rows = store.db.prepare('SELECT peak_idx AS p FROM event_reviews WHERE model_id = ? AND video_id = ? ORDER BY peak_idx').all(modelId, videoId) as { p: number }[];
  const t = getSetting<number>(store, thresholdKey(modelId));
  return { modelId, videoId, threshold: typeof t === 'number' && Number.isFinite(t) ? t : null, reviewedPeaks: rows.map((r) => r.p) };
}

export function setEventReviewed(store: Store, r: EventReviewInput): void {
  getModel(store, r.modelId);
  store.getVideo(r.videoId);
  if (r.reviewed) {
    store.db
      .prepare(
        `INSERT INTO event_reviews (model_id, video_id, peak_idx, start_idx, end_idx) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(model_id, video_id, peak_idx) DO UPDATE SET start_idx = excluded.start_idx, end_idx = excluded.end_idx`,
      )
      .run(r.modelId, r.videoId, r.peakIdx, r.startIdx, r.endIdx);
  } else {
    store.db.prepare('DELETE FROM event_reviews WHERE model_id = ? AND video_id = ? AND peak_idx = ?').run(r.modelId, r.videoId, r.peakIdx);
  }
}

export function setReviewThreshold(store: Store, modelId: number, threshold: number | null): void {
  getModel(store, modelId);
  if (threshold === null) store.db.prepare('DELETE FROM settings WHERE key = ?').run(thresholdKey(modelId));
  else setSetting(store, thresholdKey(modelId), threshold);
}
