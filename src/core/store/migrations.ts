/**
 * The library database's schema: numbered migrations applied in order inside transactions, tracked by
 * PRAGMA user_version.
 */
import type Database from 'better-sqlite3';
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
  (db) => {
    // Issue 16 (kind 'vq-pixelcnn'): −log p(codes) of the frame's code grid under the PixelCNN prior
    // (nats; NULL for other kinds).
    db.exec(`ALTER TABLE scores ADD COLUMN code_nll REAL;`);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

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
