/** Detected events (spans of frames over a model's threshold), per model and video, in the library database. */
import type { ChangeEvent } from '../../shared/domain.js';
import type { Store } from './store.js';

/** A stored event: a ChangeEvent before its start and end times are looked up from the frames. */
export type EventRecord = Omit<ChangeEvent, 'startSec' | 'endSec'>;

export function replaceEvents(
  store: Store,
  modelId: number,
  videoId: number,
  events: Array<{ start: number; end: number; peak: number; peakScore: number }>,
  threshold: number,
): void {
  const ins = store.db.prepare(`INSERT INTO events (model_id, video_id, start_idx, end_idx, peak_idx, peak_score, threshold) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  store.db.transaction(() => {
    store.db.prepare('DELETE FROM events WHERE model_id = ? AND video_id = ?').run(modelId, videoId);
    for (const e of events) ins.run(modelId, videoId, e.start, e.end, e.peak, e.peakScore, threshold);
  })();
}

export function listEvents(store: Store, modelId: number, videoId: number): EventRecord[] {
  return (
    store.db
      .prepare(
        `SELECT id, model_id AS modelId, video_id AS videoId, start_idx AS startIdx, end_idx AS endIdx, peak_idx AS peakIdx, peak_score AS peakScore, threshold
         FROM events WHERE model_id = ? AND video_id = ? ORDER BY start_idx`,
      )
      .all(modelId, videoId) as EventRecord[]
  );
}
