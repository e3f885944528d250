/**
 * Models and their training runs in the library database. A model's scores and latents are in
 * scores.ts, its detected events in events.ts; both are re-exported here for the callers that import
 * them from this file.
 */
import { AppError } from '../../shared/envelope.js';
import { OWNER, processAlive } from './owner.js';
import type { Store } from './store.js';

export { type ScoreRow, type ScoreComponent, SCORE_COMPONENTS, clearScores, markScoring, removeInterruptedScores, writeScores, readScores, updateGpScores, updateIwScores, type LatentMeans, readLatentMeans } from './scores.js';
export { type EventRecord, replaceEvents, listEvents } from './events.js';

export type ModelStatus = 'training' | 'ready' | 'failed';

export interface ModelRecord {
  id: number;
  kind: string;
  name: string;
  config: unknown;
  parentId: number | null;
  trainVideoId: number | null;
  status: ModelStatus;
  backend: string | null;
  calibration: unknown;
  metrics: unknown;
  createdAt: string;
}

interface ModelRow {
  id: number;
  kind: string;
  name: string;
  config: string;
  parent_id: number | null;
  train_video_id: number | null;
  status: ModelStatus;
  backend: string | null;
  calibration: string | null;
  metrics: string | null;
  created_at: string;
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
const toModel = (r: ModelRow): ModelRecord => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  config: parse(r.config),
  parentId: r.parent_id,
  trainVideoId: r.train_video_id,
  status: r.status,
  backend: r.backend,
  calibration: parse(r.calibration),
  metrics: parse(r.metrics),
  createdAt: r.created_at,
});

const MODEL_COLUMNS = 'id, kind, name, config, parent_id, train_video_id, status, backend, calibration, metrics, created_at';

export function createModel(store: Store, m: { kind: string; name: string; config: unknown; parentId?: number | null; trainVideoId: number }): number {
  const r = store.db
    .prepare(`INSERT INTO models (kind, name, config, parent_id, train_video_id, status, owner) VALUES (?, ?, ?, ?, ?, 'training', ?)`)
    .run(m.kind, m.name, JSON.stringify(m.config), m.parentId ?? null, m.trainVideoId, OWNER);
  return Number(r.lastInsertRowid);
}

export function finishModel(
  store: Store,
  id: number,
  /** `config`, when given, replaces the config stored at createModel (e.g. with what training learned: a mixture prior). */
  m: { weights: Uint8Array; onnx: Uint8Array; calibration: unknown; metrics: unknown; backend: string; config?: unknown },
): void {
  store.db
    .prepare(`UPDATE models SET status = 'ready', weights = ?, onnx = ?, calibration = ?, metrics = ?, backend = ?, owner = NULL WHERE id = ?`)
    .run(m.weights, m.onnx, JSON.stringify(m.calibration), JSON.stringify(m.metrics), m.backend, id);
  if (m.config !== undefined) store.db.prepare('UPDATE models SET config = ? WHERE id = ?').run(JSON.stringify(m.config), id);
}

export function deleteModel(store: Store, id: number): void {
  store.db.prepare('DELETE FROM models WHERE id = ?').run(id);
}

export function getModel(store: Store, id: number): ModelRecord {
  const r = store.db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
  if (!r) throw new AppError('NotFoundError', `There is no model ${id}.`);
  return toModel(r);
}

export function listModels(store: Store): ModelRecord[] {
  return (store.db.prepare(`SELECT ${MODEL_COLUMNS} FROM models ORDER BY id DESC`).all() as ModelRow[]).map(toModel);
}

export function modelBlobs(store: Store, id: number): { weights: Uint8Array; onnx: Uint8Array } {
  const r = store.db.prepare(`SELECT status, weights, onnx FROM models WHERE id = ?`).get(id) as
    | { status: ModelStatus; weights: Buffer | null; onnx: Buffer | null }
    | undefined;
  if (!r) throw new AppError('NotFoundError', `There is no model ${id}.`);
  if (r.status !== 'ready' || !r.weights || !r.onnx) throw new AppError('NotReadyError', `Model ${id} is not ready (${r.status}).`);
  return { weights: new Uint8Array(r.weights), onnx: new Uint8Array(r.onnx) };
}

/** Models left 'training' by a process that died: remove them (a rerun resumes from its checkpoint file). */
export function removeUnfinishedModels(store: Store): number {
  return removeUnfinishedModelList(store).length;
}

/** As removeUnfinishedModels, naming each model removed and the video it was training on. */
export function removeUnfinishedModelList(store: Store): Array<{ id: number; trainVideoId: number | null }> {
  const rows = store.db.prepare(`SELECT id, owner, train_video_id FROM models WHERE status = 'training'`).all() as Array<{ id: number; owner: string | null; train_video_id: number | null }>;
  const dead = rows.filter((r) => r.owner !== OWNER && !(r.owner && processAlive(Number(r.owner))));
  const del = store.db.prepare('DELETE FROM models WHERE id = ?');
  if (dead.length) store.db.transaction(() => dead.forEach((r) => del.run(r.id)))();
  return dead.map((r) => ({ id: r.id, trainVideoId: r.train_video_id }));
}

export function recordRun(store: Store, modelId: number, options: unknown, history: unknown, state: string, error: string | null = null): void {
  store.db
    .prepare(`INSERT INTO runs (model_id, state, options, history, error, finished_at) VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`)
    .run(modelId, state, JSON.stringify(options), JSON.stringify(history), error);
}
