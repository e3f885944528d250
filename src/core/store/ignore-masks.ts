/** Per-video ignore masks (issue 5, item 6): stored as validated JSON rectangles, one row a video. */
import type { IgnoreMask } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { ignoreMaskSchema } from '../../shared/schemas.js';
import type { Store } from './store.js';

const EMPTY: IgnoreMask = { rects: [] };

/** Check a mask from any caller (the API validates too; the engine and CLI come here directly). */
export function parseIgnoreMask(mask: unknown): IgnoreMask {
  const r = ignoreMaskSchema.safeParse(mask);
  if (!r.success) throw new AppError('ValidationError', `Invalid ignore mask: ${r.error.issues.map((i) => `${i.path.join('.') || 'mask'}: ${i.message}`).join('; ')}`);
  return { rects: r.data.rects.map((q) => ({ x: q.x, y: q.y, width: q.width, height: q.height })) };
}

/** The video's mask; `{ rects: [] }` when it has none. Fails with NotFoundError for an unknown video. */
export function getIgnoreMask(store: Store, videoId: number): IgnoreMask {
  store.getVideo(videoId);
  const row = store.db.prepare('SELECT mask FROM ignore_masks WHERE video_id = ?').get(videoId) as { mask: string } | undefined;
  if (!row) return { rects: [] };
  // A row that no longer parses (edited by hand, a future format) is reported, never silently dropped.
  let json: unknown;
  try {
    json = JSON.parse(row.mask);
  } catch {
    throw new AppError('StoreError', `The stored ignore mask of video ${videoId} is not valid JSON.`);
  }
  return parseIgnoreMask(json);
}

/**
 * Replace the video's mask (validated first: a bad mask throws and leaves the stored one untouched).
 * An empty mask deletes the row. Returns what is stored now.
 */
export function setIgnoreMask(store: Store, videoId: number, mask: unknown): IgnoreMask {
  const m = parseIgnoreMask(mask);
  store.getVideo(videoId);
  if (m.rects.length === 0) {
    store.db.prepare('DELETE FROM ignore_masks WHERE video_id = ?').run(videoId);
    return EMPTY;
  }
  store.db
    .prepare(`INSERT INTO ignore_masks (video_id, mask) VALUES (?, ?) ON CONFLICT(video_id) DO UPDATE SET mask = excluded.mask, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`)
    .run(videoId, JSON.stringify(m));
  return getIgnoreMask(store, videoId);
}
