/**
 * The library database (better-sqlite3, WAL). Schema changes are numbered migrations (migrations.ts).
 * Every write that belongs together is one transaction, so a crash leaves the database consistent.
 *
 * Tables by family, one file each: videos and frames (videos.ts, answered by the Store methods below),
 * models and runs (models.ts), scores and latents (scores.ts), detected events (events.ts), the
 * analyst's review of them (event-reviews.ts), labels (labels.ts), ignore masks (ignore-masks.ts),
 * app settings (settings.ts).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FrameInfo, VideoSummary } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { migrate } from './migrations.js';
import * as videos from './videos.js';
import type { FrameRecord, NewVideo, VideoOutcome } from './videos.js';

export { OWNER, processAlive } from './owner.js';
export type { FrameRecord, NewVideo, VideoOutcome } from './videos.js';

type DB = Database.Database;

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
    return videos.removeInterruptedVideos(this.db);
  }

  /** The process importing a video (its pid as text), or null once it is finished. */
  videoOwner(videoId: number): string | null {
    return videos.videoOwner(this.db, videoId);
  }

  beginVideo(v: NewVideo): number {
    return videos.beginVideo(this.db, v);
  }

  /** Store consecutive frames (one clip) and their index rows in one transaction. */
  appendFrames(videoId: number, frames: FrameRecord[], pixels: Uint8Array): void {
    videos.appendFrames(this.db, videoId, frames, pixels);
  }

  finishVideo(videoId: number, contentHash: string, outcome: VideoOutcome = {}): void {
    videos.finishVideo(this.db, videoId, contentHash, outcome);
  }

  deleteVideo(videoId: number): boolean {
    return videos.deleteVideo(this.db, videoId);
  }

  listVideos(): VideoSummary[] {
    return videos.listVideos(this.db);
  }

  getVideo(videoId: number): VideoSummary {
    return videos.getVideo(this.db, videoId);
  }

  counts(): { videos: number; frames: number; clips: number } {
    return videos.counts(this.db);
  }

  frameInfo(videoId: number, index: number): FrameInfo {
    return videos.frameInfo(this.db, videoId, index);
  }

  /** Timestamps of every stored frame, by index. */
  framePts(videoId: number): Float64Array {
    return videos.framePts(this.db, videoId);
  }

  /** Up to `count` frames spread evenly over the video. */
  spreadFrames(videoId: number, count: number): FrameInfo[] {
    return videos.spreadFrames(this.db, videoId, count);
  }

  /** Pixels of one stored frame. */
  framePixels(videoId: number, index: number): { size: number; channels: 1 | 3; data: Uint8Array } {
    return videos.framePixels(this.db, videoId, index);
  }

  /**
   * Stream every frame's pixels in index order, clip by clip (for training and scoring). One query per
   * clip, so the connection is free between clips and the caller may write while iterating.
   */
  iterateClips(videoId: number): Generator<{ firstIndex: number; count: number; pixels: Uint8Array }> {
    return videos.iterateClips(this.db, videoId);
  }
}
