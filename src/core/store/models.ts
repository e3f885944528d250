/** Models, training runs, scores, latents and events in the library database. */
import type { ChangeEvent } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { OWNER, processAlive, type Store } from './store.js';

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

export interface ScoreRow {
  idx: number;
  recon: number;
  patch: number;
  kl: number;
  nll: number;
  elbo: number;
  temporal: number;
  stillness: number;
  sharpness: number;
  /** GP latent-trajectory statistic; null/absent for kinds without one. */
  gp?: number | null;
  /** VQ-VAE: −log p̂ of the frame's codes under the training code frequencies; null/absent otherwise. */
  rarity?: number | null;
  /** Mixture-prior VAE: −log p(μ) under the learned mixture (nats); null/absent otherwise. */
  mixture?: number | null;
  /** Motion since the previous frame (scoring/motion.ts); null/absent where not computed. */
  motion?: number | null;
  combined: number;
  mu: Float32Array;
  logvar: Float32Array;
}

export function clearScores(store: Store, modelId: number, videoId: number): void {
  store.db.transaction(() => {
    for (const t of ['scores', 'latents', 'events']) store.db.prepare(`DELETE FROM ${t} WHERE model_id = ? AND video_id = ?`).run(modelId, videoId);
  })();
}

/**
 * A scoring in progress is marked in settings (`scoring:<model>:<video>` = its process), so scores half
 * written by a process that was killed are found and removed at the next start.
 */
export function markScoring(store: Store, modelId: number, videoId: number, on: boolean): void {
  const key = `scoring:${modelId}:${videoId}`;
  if (on) store.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, JSON.stringify({ owner: OWNER }));
  else store.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
}

/** Remove the partial scores of scorings whose process is gone; returns which. */
export function removeInterruptedScores(store: Store): Array<{ modelId: number; videoId: number }> {
  const rows = store.db.prepare(`SELECT key, value FROM settings WHERE key LIKE 'scoring:%'`).all() as Array<{ key: string; value: string }>;
  const out: Array<{ modelId: number; videoId: number }> = [];
  for (const r of rows) {
    let owner = '';
    try {
      owner = String((JSON.parse(r.value) as { owner?: unknown }).owner ?? '');
    } catch {
      // An unreadable mark: treat its process as gone.
    }
    if (owner === OWNER || (owner && processAlive(Number(owner)))) continue;
    const [, m, v] = r.key.split(':');
    clearScores(store, Number(m), Number(v));
    store.db.prepare('DELETE FROM settings WHERE key = ?').run(r.key);
    out.push({ modelId: Number(m), videoId: Number(v) });
  }
  return out;
}

/** One batch of scored frames (scores and latents) in one transaction. */
export function writeScores(store: Store, modelId: number, videoId: number, rows: ScoreRow[]): void {
  const s = store.db.prepare(
    `INSERT OR REPLACE INTO scores (model_id, video_id, idx, recon, patch, kl, nll, elbo, temporal, stillness, sharpness, gp, rarity, mixture, motion, combined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const l = store.db.prepare(`INSERT OR REPLACE INTO latents (model_id, video_id, idx, mu, logvar) VALUES (?, ?, ?, ?, ?)`);
  store.db.transaction(() => {
    for (const r of rows) {
      s.run(modelId, videoId, r.idx, r.recon, r.patch, r.kl, r.nll, r.elbo, r.temporal, r.stillness, r.sharpness, r.gp ?? null, r.rarity ?? null, r.mixture ?? null, r.motion ?? null, r.combined);
      l.run(modelId, videoId, r.idx, Buffer.from(r.mu.buffer, r.mu.byteOffset, r.mu.byteLength), Buffer.from(r.logvar.buffer, r.logvar.byteOffset, r.logvar.byteLength));
    }
  })();
}

export const SCORE_COMPONENTS = ['recon', 'patch', 'kl', 'nll', 'elbo', 'temporal', 'stillness', 'sharpness', 'gp', 'iw', 'rarity', 'mixture', 'motion', 'combined'] as const;
export type ScoreComponent = (typeof SCORE_COMPONENTS)[number];

/** Every stored score of a video under a model, as columns in frame order (a component the model does not compute, e.g. gp, reads as NaN). */
export function readScores(store: Store, modelId: number, videoId: number): { idx: Int32Array } & Record<ScoreComponent, Float32Array> {
  const rows = store.db
    .prepare(`SELECT idx, ${SCORE_COMPONENTS.join(', ')} FROM scores WHERE model_id = ? AND video_id = ? ORDER BY idx`)
    .raw()
    .all(modelId, videoId) as number[][];
  const out = { idx: new Int32Array(rows.length) } as { idx: Int32Array } & Record<ScoreComponent, Float32Array>;
  SCORE_COMPONENTS.forEach((c) => (out[c] = new Float32Array(rows.length)));
  rows.forEach((r, i) => {
    out.idx[i] = r[0]!;
    SCORE_COMPONENTS.forEach((c, k) => (out[c][i] = r[k + 1] ?? NaN));
  });
  return out;
}

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

/**
 * Second pass for kinds whose components need the whole video (the GP trajectory statistic): sets gp
 * and the combined score of frames already written, in one transaction.
 */
export function updateGpScores(store: Store, modelId: number, videoId: number, rows: Array<{ idx: number; gp: number; combined: number }>): void {
  const u = store.db.prepare('UPDATE scores SET gp = ?, combined = ? WHERE model_id = ? AND video_id = ? AND idx = ?');
  store.db.transaction(() => {
    for (const r of rows) u.run(r.gp, r.combined, modelId, videoId, r.idx);
  })();
}

/** −L̂_K (importance-weighted estimate of −log p(x), nats) of each frame 0..n−1 of a scored video (engine/iw-scores.ts). */
export function updateIwScores(store: Store, modelId: number, videoId: number, negBound: ArrayLike<number>): void {
  const u = store.db.prepare('UPDATE scores SET iw = ? WHERE model_id = ? AND video_id = ? AND idx = ?');
  store.db.transaction(() => {
    for (let i = 0; i < negBound.length; i++) u.run(negBound[i], modelId, videoId, i);
  })();
}

/** Every stored μ of a video under a model, row-major [frames, L] in frame order (empty when none). */
export function readLatentMeans(store: Store, modelId: number, videoId: number): { mu: Float32Array; latentDim: number; frames: number } {
  const rows = store.db.prepare('SELECT mu FROM latents WHERE model_id = ? AND video_id = ? ORDER BY idx').raw().all(modelId, videoId) as Array<[Buffer]>;
  const latentDim = rows.length ? rows[0]![0].byteLength / 4 : 0;
  const mu = new Float32Array(rows.length * latentDim);
  rows.forEach(([b], i) => mu.set(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), i * latentDim));
  return { mu, latentDim, frames: rows.length };
}
