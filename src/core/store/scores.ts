/** Scores and latents (μ, log σ²) of every scored frame, per model and video, in the library database. */
import { AppError } from '../../shared/envelope.js';
import { OWNER, processAlive } from './owner.js';
import type { Store } from './store.js';

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
  /** VQ-VAE + PixelCNN prior: −log p(codes) of the frame's code grid under the prior (nats); null/absent otherwise. */
  codeNll?: number | null;
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
    `INSERT OR REPLACE INTO scores (model_id, video_id, idx, recon, patch, kl, nll, elbo, temporal, stillness, sharpness, gp, rarity, mixture, code_nll, motion, combined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const l = store.db.prepare(`INSERT OR REPLACE INTO latents (model_id, video_id, idx, mu, logvar) VALUES (?, ?, ?, ?, ?)`);
  store.db.transaction(() => {
    for (const r of rows) {
      s.run(modelId, videoId, r.idx, r.recon, r.patch, r.kl, r.nll, r.elbo, r.temporal, r.stillness, r.sharpness, r.gp ?? null, r.rarity ?? null, r.mixture ?? null, r.codeNll ?? null, r.motion ?? null, r.combined);
      l.run(modelId, videoId, r.idx, Buffer.from(r.mu.buffer, r.mu.byteOffset, r.mu.byteLength), Buffer.from(r.logvar.buffer, r.logvar.byteOffset, r.logvar.byteLength));
    }
  })();
}

export const SCORE_COMPONENTS = ['recon', 'patch', 'kl', 'nll', 'elbo', 'temporal', 'stillness', 'sharpness', 'gp', 'iw', 'rarity', 'mixture', 'codeNll', 'motion', 'combined'] as const;
export type ScoreComponent = (typeof SCORE_COMPONENTS)[number];
/** The column of a component where its name is not the column's. */
const COLUMN: Partial<Record<ScoreComponent, string>> = { codeNll: 'code_nll' };
const column = (c: ScoreComponent): string => COLUMN[c] ?? c;

/** Every stored score of a video under a model, as columns in frame order (a component the model does not compute, e.g. gp, reads as NaN). */
export function readScores(store: Store, modelId: number, videoId: number): { idx: Int32Array } & Record<ScoreComponent, Float32Array> {
  const rows = store.db
    .prepare(`SELECT idx, ${SCORE_COMPONENTS.map(column).join(', ')} FROM scores WHERE model_id = ? AND video_id = ? ORDER BY idx`)
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

/** The μ of every scored frame, row-major: frame `index[i]` has μ = mu[i*dim .. i*dim+dim). */
export interface LatentMeans {
  index: Int32Array;
  mu: Float32Array;
  dim: number;
  count: number;
}

/** Every stored μ of a video under a model, in frame order (count 0 when it has none). */
export function readLatentMeans(store: Store, modelId: number, videoId: number): LatentMeans {
  const rows = store.db.prepare('SELECT idx, mu FROM latents WHERE model_id = ? AND video_id = ? ORDER BY idx').raw().all(modelId, videoId) as Array<[number, Buffer]>;
  const dim = rows.length ? rows[0]![1].byteLength / 4 : 0;
  const count = rows.length;
  const index = new Int32Array(count);
  const mu = new Float32Array(count * dim);
  // Blobs need not be 4-byte aligned: copy bytes into the (aligned) destination instead of viewing them.
  const bytes = new Uint8Array(mu.buffer);
  rows.forEach(([idx, blob], i) => {
    if (blob.byteLength !== dim * 4) throw new AppError('StoreError', `Latents of frame ${idx} have ${blob.byteLength / 4} values, frame ${rows[0]![0]} has ${dim}.`);
    index[i] = idx;
    bytes.set(blob, i * dim * 4);
  });
  return { index, mu, dim, count };
}
