/**
 * The library database (better-sqlite3, WAL). Schema changes are numbered migrations applied in
 * order inside transactions, tracked by PRAGMA user_version. Every write that belongs together is
 * one transaction, so a crash leaves the database consistent.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FrameInfo, VideoStatus, VideoSummary } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';

type DB = Database.Database;

/** Migrations, in order. Index i takes user_version i to i + 1. Never edit one that has shipped: add another. */
export const MIGRATIONS: ReadonlyArray<(db: DB) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE videos (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ingesting', 'ready', 'failed')),
        content_hash TEXT NOT NULL DEFAULT '',
        size_bytes INTEGER NOT NULL,
        codec TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        source_fps REAL NOT NULL,
        duration_sec REAL NOT NULL,
        sampled_fps REAL NOT NULL,
        frame_size INTEGER NOT NULL,
        channels INTEGER NOT NULL CHECK (channels IN (1, 3)),
        frame_count INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      -- One row per stored frame: its index among stored frames, the source frame and its timestamp.
      CREATE TABLE frames (
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        source_frame INTEGER NOT NULL,
        pts_sec REAL NOT NULL,
        PRIMARY KEY (video_id, idx)
      ) WITHOUT ROWID;
      -- Pixels of consecutive frames [first_idx, first_idx + frame_count) as one blob.
      CREATE TABLE clips (
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        first_idx INTEGER NOT NULL,
        frame_count INTEGER NOT NULL,
        pixels BLOB NOT NULL,
        PRIMARY KEY (video_id, first_idx)
      ) WITHOUT ROWID;
    `);
  },
  (db) => {
    db.exec(`
      -- A trained model version: its config, weights (for fine-tuning), the exported scoring graph and
      -- the calibration learned from its training footage.
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        parent_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        train_video_id INTEGER REFERENCES videos(id) ON DELETE SET NULL,
        status TEXT NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
        backend TEXT,
        weights BLOB,
        onnx BLOB,
        calibration TEXT,
        metrics TEXT,
        owner TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      -- Training history of a model: options, per-epoch loss curves, outcome.
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        options TEXT NOT NULL,
        history TEXT NOT NULL DEFAULT '[]',
        error TEXT,
        started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        finished_at TEXT
      );
      -- Posterior of every scored frame: μ and log σ² as float32 arrays.
      CREATE TABLE latents (
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        mu BLOB NOT NULL,
        logvar BLOB NOT NULL,
        PRIMARY KEY (model_id, video_id, idx)
      ) WITHOUT ROWID;
      -- Every score component of every scored frame, keyed to the stored frame (and so its pts).
      CREATE TABLE scores (
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        recon REAL NOT NULL,
        patch REAL NOT NULL,
        kl REAL NOT NULL,
        nll REAL NOT NULL,
        elbo REAL NOT NULL,
        temporal REAL NOT NULL,
        stillness REAL NOT NULL,
        sharpness REAL NOT NULL,
        combined REAL NOT NULL,
        extra TEXT,
        PRIMARY KEY (model_id, video_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        start_idx INTEGER NOT NULL,
        end_idx INTEGER NOT NULL,
        peak_idx INTEGER NOT NULL,
        peak_score REAL NOT NULL,
        threshold REAL NOT NULL
      );
      CREATE INDEX events_by_video ON events (model_id, video_id, start_idx);
      CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        start_idx INTEGER NOT NULL,
        end_idx INTEGER NOT NULL,
        class TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        CHECK (end_idx >= start_idx)
      );
      CREATE INDEX labels_by_video ON labels (video_id, start_idx);
    `);
  },
  (db) => {
    db.exec(`
      -- Small app-wide settings (the active model version, ...), one JSON value a key.
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      -- Label classes the analyst added, besides the built-in ones.
      CREATE TABLE label_classes (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) WITHOUT ROWID;
    `);
  },
  (db) => {
    // v4 (issue 5, model family): the GP latent-trajectory statistic and the importance-weighted −log p(x)
    // estimate as score columns (NULL where a kind or a run does not compute them).
    // and the VQ-VAE's code rarity.
    db.exec(`ALTER TABLE scores ADD COLUMN gp REAL; ALTER TABLE scores ADD COLUMN iw REAL; ALTER TABLE scores ADD COLUMN rarity REAL;`);
  },
  (db) => {
    // v5 (issue 5, mixture-prior VAE 'gmvae'): −log p(μ) under the model's Gaussian-mixture prior (NULL for other kinds).
    db.exec(`ALTER TABLE scores ADD COLUMN mixture REAL;`);
  },
  (db) => {
    // v6 (issue 5 item 6 masked likelihood): one ignore mask per video, as JSON { rects: [{ x, y, width,
    // height }] } in normalized 0..1 coordinates of the stored frame (see shared/domain.ts IgnoreMask).
    // No row: no mask. Rasterized at training time; models record the mask they used in their config.
    db.exec(`
      CREATE TABLE ignore_masks (
        video_id INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
        mask TEXT NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
    `);
  },
  (db) => {
    // v7 (issue 10, detection on real footage): per-frame motion since the previous frame (scoring/motion.ts).
    db.exec(`ALTER TABLE scores ADD COLUMN motion REAL;`);
  },
  (db) => {
    // Issue 12 (nothing crashes it, nothing is lost). Videos: what the container claimed versus what was
    // decoded (duration_sec now holds the decoded span), whether the file ended early, and notes for the
    // analyst (JSON array of strings, e.g. "upscaled from 1x1"). Jobs: every job, persisted, so a
    // restart shows the ones a killed process left as interrupted (with their spec, for a retry).
    db.exec(`
      ALTER TABLE videos ADD COLUMN probed_duration_sec REAL;
      ALTER TABLE videos ADD COLUMN ended_early INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE videos ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        spec TEXT NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        result TEXT,
        owner TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
      ) WITHOUT ROWID;
      CREATE INDEX jobs_by_time ON jobs (created_at);
    `);
  },
  (db) => {
    // Issue 11 (review queue): which events the analyst has reviewed, per model and video. An event is
    // named by its peak frame, which stays the same when the threshold moves its start or end; the span
    // is kept for exports and for the record. No row: not reviewed.
    db.exec(`
      CREATE TABLE event_reviews (
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        peak_idx INTEGER NOT NULL,
        start_idx INTEGER NOT NULL,
        end_idx INTEGER NOT NULL,
        reviewed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (model_id, video_id, peak_idx)
      ) WITHOUT ROWID;
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A video as its import begins: the source file's facts and how it is sampled (the rest comes as it imports). */
export type NewVideo = Pick<VideoSummary, 'path' | 'name' | 'sizeBytes' | 'codec' | 'width' | 'height' | 'sourceFps' | 'durationSec' | 'sampledFps' | 'frameSize'> & {
  channels: 1 | 3;
};

export interface FrameRecord {
  index: number;
  sourceFrame: number;
  ptsSec: number;
}

interface VideoRow {
  id: number;
  path: string;
  name: string;
  status: VideoStatus;
  content_hash: string;
  size_bytes: number;
  codec: string;
  width: number;
  height: number;
  source_fps: number;
  duration_sec: number;
  sampled_fps: number;
  frame_size: number;
  channels: number;
  frame_count: number;
  owner: string | null;
  created_at: string;
  probed_duration_sec: number | null;
  ended_early: number;
  notes: string;
}

const parseNotes = (s: string): string[] => {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};

const toSummary = (r: VideoRow): VideoSummary => ({
  id: r.id,
  path: r.path,
  name: r.name,
  status: r.status,
  contentHash: r.content_hash,
  sizeBytes: r.size_bytes,
  codec: r.codec,
  width: r.width,
  height: r.height,
  sourceFps: r.source_fps,
  durationSec: r.duration_sec,
  sampledFps: r.sampled_fps,
  frameSize: r.frame_size,
  frameCount: r.frame_count,
  createdAt: r.created_at,
  endedEarly: r.ended_early ? { probedDurationSec: r.probed_duration_sec ?? r.duration_sec } : null,
  notes: parseNotes(r.notes),
});

/** What an import learned only once decoding ended: the decoded span, a short file, notes. */
export interface VideoOutcome {
  durationSec?: number;
  endedEarly?: boolean;
  notes?: string[];
}

/** This process, as recorded on rows it is still writing. */
export const OWNER = `${process.pid}`;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function migrate(db: DB): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION)
    throw new AppError('SchemaError', `This database is from a newer LatentWatch (schema ${current}, this one knows ${SCHEMA_VERSION}). Update the app.`);
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      MIGRATIONS[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return SCHEMA_VERSION;
}

export class Store {
  readonly db: DB;

  constructor(readonly path: string, opts: { readonly?: boolean } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new Database(path, { readonly: opts.readonly ?? false, timeout: 10_000 });
    } catch (e) {
      throw new AppError('StoreError', `Cannot open the database at ${path}: ${(e as Error).message}`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    if (!opts.readonly) migrate(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Remove videos left half-imported by a process that died mid-ingest (their owner is gone).
   * Returns how many were removed.
   */
  recoverInterrupted(): number {
    return this.removeInterruptedVideos().length;
  }

  /** As recoverInterrupted, naming each video removed. */
  removeInterruptedVideos(): Array<{ id: number; name: string; path: string }> {
    const rows = this.db.prepare(`SELECT id, name, path, owner FROM videos WHERE status = 'ingesting'`).all() as Array<{ id: number; name: string; path: string; owner: string | null }>;
    const dead = rows.filter((r) => r.owner !== OWNER && !(r.owner && processAlive(Number(r.owner))));
    const del = this.db.prepare('DELETE FROM videos WHERE id = ?');
    if (dead.length) this.db.transaction(() => dead.forEach((r) => del.run(r.id)))();
    return dead.map(({ id, name, path }) => ({ id, name, path }));
  }

  /** The process importing a video (its pid as text), or null once it is finished. */
  videoOwner(videoId: number): string | null {
    return (this.db.prepare('SELECT owner FROM videos WHERE id = ?').get(videoId) as { owner: string | null } | undefined)?.owner ?? null;
  }

  beginVideo(v: NewVideo): number {
    const info = this.db
      .prepare(
        `INSERT INTO videos (path, name, status, size_bytes, codec, width, height, source_fps, duration_sec, sampled_fps, frame_size, channels, owner)
         VALUES (@path, @name, 'ingesting', @sizeBytes, @codec, @width, @height, @sourceFps, @durationSec, @sampledFps, @frameSize, @channels, @owner)`,
      )
      .run({ ...v, owner: OWNER });
    return Number(info.lastInsertRowid);
  }

  /** Store consecutive frames (one clip) and their index rows in one transaction. */
  appendFrames(videoId: number, frames: FrameRecord[], pixels: Uint8Array): void {
    if (frames.length === 0) return;
    const insFrame = this.db.prepare('INSERT INTO frames (video_id, idx, source_frame, pts_sec) VALUES (?, ?, ?, ?)');
    const insClip = this.db.prepare('INSERT INTO clips (video_id, first_idx, frame_count, pixels) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const f of frames) insFrame.run(videoId, f.index, f.sourceFrame, f.ptsSec);
      insClip.run(videoId, frames[0]!.index, frames.length, pixels);
      this.db.prepare('UPDATE videos SET frame_count = frame_count + ? WHERE id = ?').run(frames.length, videoId);
    })();
  }

  finishVideo(videoId: number, contentHash: string, outcome: VideoOutcome = {}): void {
    this.db
      .prepare(
        `UPDATE videos SET status = 'ready', content_hash = @hash, owner = NULL, probed_duration_sec = duration_sec,
           duration_sec = coalesce(@duration, duration_sec), ended_early = @early, notes = @notes WHERE id = @id`,
      )
      .run({ hash: contentHash, duration: outcome.durationSec ?? null, early: outcome.endedEarly ? 1 : 0, notes: JSON.stringify(outcome.notes ?? []), id: videoId });
  }

  deleteVideo(videoId: number): boolean {
    return this.db.prepare('DELETE FROM videos WHERE id = ?').run(videoId).changes > 0;
  }

  listVideos(): VideoSummary[] {
    return (this.db.prepare('SELECT * FROM videos ORDER BY id DESC').all() as VideoRow[]).map(toSummary);
  }

  getVideo(videoId: number): VideoSummary {
    const row = this.db.prepare('SELECT * FROM videos WHERE id = ?').get(videoId) as VideoRow | undefined;
    if (!row) throw new AppError('NotFoundError', `There is no video ${videoId} in the library.`);
    return toSummary(row);
  }

  counts(): { videos: number; frames: number; clips: number } {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return { videos: one('SELECT count(*) AS n FROM videos'), frames: one('SELECT count(*) AS n FROM frames'), clips: one('SELECT count(*) AS n FROM clips') };
  }

  frameInfo(videoId: number, index: number): FrameInfo {
    const r = this.db.prepare('SELECT idx, source_frame, pts_sec FROM frames WHERE video_id = ? AND idx = ?').get(videoId, index) as
      | { idx: number; source_frame: number; pts_sec: number }
      | undefined;
    if (!r) throw new AppError('NotFoundError', `Video ${videoId} has no frame ${index}.`);
    return { videoId, index: r.idx, sourceFrame: r.source_frame, ptsSec: r.pts_sec };
  }

  /** Timestamps of every stored frame, by index. */
  framePts(videoId: number): Float64Array {
    const rows = this.db.prepare('SELECT idx, pts_sec FROM frames WHERE video_id = ? ORDER BY idx').raw().all(videoId) as Array<[number, number]>;
    const out = new Float64Array(rows.length ? rows[rows.length - 1]![0] + 1 : 0).fill(NaN);
    for (const [i, p] of rows) out[i] = p;
    return out;
  }

  /** Up to `count` frames spread evenly over the video. */
  spreadFrames(videoId: number, count: number): FrameInfo[] {
    const v = this.getVideo(videoId);
    if (v.frameCount === 0) return [];
    const n = Math.min(count, v.frameCount);
    const picks = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * v.frameCount) / n));
    return picks.map((i) => this.frameInfo(videoId, i));
  }

  /** Pixels of one stored frame. */
  framePixels(videoId: number, index: number): { size: number; channels: 1 | 3; data: Uint8Array } {
    const v = this.db.prepare('SELECT frame_size, channels FROM videos WHERE id = ?').get(videoId) as { frame_size: number; channels: 1 | 3 } | undefined;
    if (!v) throw new AppError('NotFoundError', `There is no video ${videoId} in the library.`);
    const clip = this.db
      .prepare('SELECT first_idx, frame_count, pixels FROM clips WHERE video_id = ? AND first_idx <= ? ORDER BY first_idx DESC LIMIT 1')
      .get(videoId, index) as { first_idx: number; frame_count: number; pixels: Buffer } | undefined;
    if (!clip || index >= clip.first_idx + clip.frame_count) throw new AppError('NotFoundError', `Video ${videoId} has no frame ${index}.`);
    const bytes = v.frame_size * v.frame_size * v.channels;
    const off = (index - clip.first_idx) * bytes;
    return { size: v.frame_size, channels: v.channels, data: new Uint8Array(clip.pixels.subarray(off, off + bytes)) };
  }

  /**
   * Stream every frame's pixels in index order, clip by clip (for training and scoring). One query per
   * clip, so the connection is free between clips and the caller may write while iterating.
   */
  *iterateClips(videoId: number): Generator<{ firstIndex: number; count: number; pixels: Uint8Array }> {
    const next = this.db.prepare('SELECT first_idx, frame_count, pixels FROM clips WHERE video_id = ? AND first_idx >= ? ORDER BY first_idx LIMIT 1');
    let from = 0;
    for (;;) {
      const r = next.get(videoId, from) as { first_idx: number; frame_count: number; pixels: Buffer } | undefined;
      if (!r) return;
      yield { firstIndex: r.first_idx, count: r.frame_count, pixels: new Uint8Array(r.pixels.buffer, r.pixels.byteOffset, r.pixels.byteLength) };
      from = r.first_idx + r.frame_count;
    }
  }

}
