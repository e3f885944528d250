/** The analyst's labels on spans of frames, and label classes. */
import { BUILTIN_LABEL_CLASSES, type Label, type LabelInput, type LabelPatch } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
export { frameClasses } from '../../shared/labels.js';
import type { Store } from './store.js';

interface LabelRow {
  id: number;
  video_id: number;
  start_idx: number;
  end_idx: number;
  class: string;
  note: string;
  created_at: string;
  updated_at: string;
}

const toLabel = (r: LabelRow): Label => ({
  id: r.id,
  videoId: r.video_id,
  startIdx: r.start_idx,
  endIdx: r.end_idx,
  cls: r.class,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Clamp a span to the video's stored frames; fails when nothing of it is inside. */
function clampSpan(store: Store, videoId: number, start: number, end: number): [number, number] {
  const v = store.getVideo(videoId);
  if (v.frameCount === 0) throw new AppError('InvalidArgumentError', `${v.name} has no frames to label.`);
  if (end < start) throw new AppError('InvalidArgumentError', 'A label ends at or after its start.');
  if (start > v.frameCount - 1) throw new AppError('InvalidArgumentError', `${v.name} has ${v.frameCount} frames; frame ${start} is past its end.`);
  return [Math.max(0, start), Math.min(v.frameCount - 1, end)];
}

export function listLabels(store: Store, videoId: number): Label[] {
  store.getVideo(videoId);
  const rows = store.db.prepare('SELECT * FROM labels WHERE video_id = ? ORDER BY start_idx, id').all(videoId) as LabelRow[];
  return rows.map(toLabel);
}

/** Every label of every video whose class is one of `classes`. */
export function labelsOfClasses(store: Store, classes: readonly string[]): Label[] {
  if (classes.length === 0) return [];
  const rows = store.db
    .prepare(`SELECT * FROM labels WHERE class IN (${classes.map(() => '?').join(',')}) ORDER BY video_id, start_idx`)
    .all(...classes) as LabelRow[];
  return rows.map(toLabel);
}

export function getLabel(store: Store, labelId: number): Label {
  const r = store.db.prepare('SELECT * FROM labels WHERE id = ?').get(labelId) as LabelRow | undefined;
  if (!r) throw new AppError('NotFoundError', `No label ${labelId}: it may have been deleted.`);
  return toLabel(r);
}

function rememberClass(store: Store, cls: string): void {
  if ((BUILTIN_LABEL_CLASSES as readonly string[]).includes(cls)) return;
  store.db.prepare('INSERT OR IGNORE INTO label_classes (name) VALUES (?)').run(cls);
}

export function createLabel(store: Store, input: LabelInput): Label {
  const [start, end] = clampSpan(store, input.videoId, input.startIdx, input.endIdx);
  const cls = input.cls.trim();
  return store.db.transaction(() => {
    rememberClass(store, cls);
    const r = store.db
      .prepare('INSERT INTO labels (video_id, start_idx, end_idx, class, note) VALUES (?, ?, ?, ?, ?)')
      .run(input.videoId, start, end, cls, input.note ?? '');
    return getLabel(store, Number(r.lastInsertRowid));
  })();
}

export function updateLabel(store: Store, labelId: number, patch: LabelPatch): Label {
  const cur = getLabel(store, labelId);
  const [start, end] = clampSpan(store, cur.videoId, patch.startIdx ?? cur.startIdx, patch.endIdx ?? cur.endIdx);
  const cls = patch.cls?.trim() ?? cur.cls;
  return store.db.transaction(() => {
    rememberClass(store, cls);
    store.db
      .prepare(`UPDATE labels SET start_idx = ?, end_idx = ?, class = ?, note = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`)
      .run(start, end, cls, patch.note ?? cur.note, labelId);
    return getLabel(store, labelId);
  })();
}

/** Delete a label; returns the video it was on, or null when it was already gone. */
export function deleteLabel(store: Store, labelId: number): number | null {
  const r = store.db.prepare('SELECT video_id FROM labels WHERE id = ?').get(labelId) as { video_id: number } | undefined;
  if (!r) return null;
  store.db.prepare('DELETE FROM labels WHERE id = ?').run(labelId);
  return r.video_id;
}

/** Built-in classes first, then the analyst's, then any other class found on a label. */
export function listLabelClasses(store: Store): string[] {
  const added = (store.db.prepare('SELECT name FROM label_classes ORDER BY created_at, name').all() as { name: string }[]).map((r) => r.name);
  const used = (store.db.prepare('SELECT DISTINCT class FROM labels ORDER BY class').all() as { class: string }[]).map((r) => r.class);
  return [...new Set([...BUILTIN_LABEL_CLASSES, ...added, ...used])];
}
