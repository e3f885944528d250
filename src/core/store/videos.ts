/**
 * Videos and their decoded frames in the library database: the videos row, one frames row per stored
 * frame (its source frame and timestamp), and the pixels of consecutive frames as clip blobs.
 * The Store class answers these through its methods (store.ts); each function here takes the connection.
 */
import type Database from 'better-sqlite3';
import type { FrameInfo, VideoStatus, VideoSummary } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { OWNER, processAlive } from './owner.js';

type DB = Database.Database;

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

/** Remove videos left half-imported by a process that died mid-ingest (their owner is gone), naming each. */
export function removeInterruptedVideos(db: DB): Array<{ id: number; name: string; path: string }> {
  const rows = db.prepare(`SELECT id, name, path, owner FROM videos WHERE status = 'ingesting'`).all() as Array<{ id: number; name: string; path: string; owner: string | null }>;
  const dead = rows.filter((r) => r.owner !== OWNER && !(r.owner && processAlive(Number(r.owner))));
  const del = db.prepare('DELETE FROM videos WHERE id = ?');
  if (dead.length) db.transaction(() => dead.forEach((r) => del.run(r.id)))();
  return dead.map(({ id, name, path }) => ({ id, name, path }));
}

/** The process importing a video (its pid as text), or null once it is finished. */
export function videoOwner(db: DB, videoId: number): string | null {
  return (db.prepare('SELECT owner FROM videos WHERE id = ?').get(videoId) as { owner: string | null } | undefined)?.owner ?? null;
}

export function beginVideo(db: DB, v: NewVideo): number {
  const info = db
    .prepare(
      `INSERT INTO videos (path, name, status, size_bytes, codec, width, height, source_fps, duration_sec, sampled_fps, frame_size, channels, owner)
       VALUES (@path, @name, 'ingesting', @sizeBytes, @codec, @width, @height, @sourceFps, @durationSec, @sampledFps, @frameSize, @channels, @owner)`,
    )
    .run({ ...v, owner: OWNER });
  return Number(info.lastInsertRowid);
}

/** Store consecutive frames (one clip) and their index rows in one transaction. */
export function appendFrames(db: DB, videoId: number, frames: FrameRecord[], pixels: Uint8Array): void {
  if (frames.length === 0) return;
  const insFrame = db.prepare('INSERT INTO frames (video_id, idx, source_frame, pts_sec) VALUES (?, ?, ?, ?)');
  const insClip = db.prepare('INSERT INTO clips (video_id, first_idx, frame_count, pixels) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const f of frames) insFrame.run(videoId, f.index, f.sourceFrame, f.ptsSec);
    insClip.run(videoId, frames[0]!.index, frames.length, pixels);
    db.prepare('UPDATE videos SET frame_count = frame_count + ? WHERE id = ?').run(frames.length, videoId);
  })();
}

export function finishVideo(db: DB, videoId: number, contentHash: string, outcome: VideoOutcome = {}): void {
  db.prepare(
    `UPDATE videos SET status = 'ready', content_hash = @hash, owner = NULL, probed_duration_sec = duration_sec,
       duration_sec = coalesce(@duration, duration_sec), ended_early = @early, notes = @notes WHERE id = @id`,
  ).run({ hash: contentHash, duration: outcome.durationSec ?? null, early: outcome.endedEarly ? 1 : 0, notes: JSON.stringify(outcome.notes ?? []), id: videoId });
}

export function deleteVideo(db: DB, videoId: number): boolean {
  return db.prepare('DELETE FROM videos WHERE id = ?').run(videoId).changes > 0;
}

export function listVideos(db: DB): VideoSummary[] {
  return (db.prepare('SELECT * FROM videos ORDER BY id DESC').all() as VideoRow[]).map(toSummary);
}

export function getVideo(db: DB, videoId: number): VideoSummary {
  const row = db.prepare('SELECT * FROM videos WHERE id = ?').get(videoId) as VideoRow | undefined;
  if (!row) throw new AppError('NotFoundError', `There is no video ${videoId} in the library.`);
  return toSummary(row);
}

export function counts(db: DB): { videos: number; frames: number; clips: number } {
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return { videos: one('SELECT count(*) AS n FROM videos'), frames: one('SELECT count(*) AS n FROM frames'), clips: one('SELECT count(*) AS n FROM clips') };
}

export function frameInfo(db: DB, videoId: number, index: number): FrameInfo {
  const r = db.prepare('SELECT idx, source_frame, pts_sec FROM frames WHERE video_id = ? AND idx = ?').get(videoId, index) as
    | { idx: number; source_frame: number; pts_sec: number }
    | undefined;
  if (!r) throw new AppError('NotFoundError', `Video ${videoId} has no frame ${index}.`);
  return { videoId, index: r.idx, sourceFrame: r.source_frame, ptsSec: r.pts_sec };
}

/** Timestamps of every stored frame, by index. */
export function framePts(db: DB, videoId: number): Float64Array {
  const rows = db.prepare('SELECT idx, pts_sec FROM frames WHERE video_id = ? ORDER BY idx').raw().all(videoId) as Array<[number, number]>;
  const out = new Float64Array(rows.length ? rows[rows.length - 1]![0] + 1 : 0).fill(NaN);
  for (const [i, p] of rows) out[i] = p;
  return out;
}

/** Up to `count` frames spread evenly over the video. */
export function spreadFrames(db: DB, videoId: number, count: number): FrameInfo[] {
  const v = getVideo(db, videoId);
  if (v.frameCount === 0) return [];
  const n = Math.min(count, v.frameCount);
  const picks = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * v.frameCount) / n));
  return picks.map((i) => frameInfo(db, videoId, i));
}

/** Pixels of one stored frame. */
export function framePixels(db: DB, videoId: number, index: number): { size: number; channels: 1 | 3; data: Uint8Array } {
  const v = db.prepare('SELECT frame_size, channels FROM videos WHERE id = ?').get(videoId) as { frame_size: number; channels: 1 | 3 } | undefined;
  if (!v) throw new AppError('NotFoundError', `There is no video ${videoId} in the library.`);
  const clip = db
    .prepare('SELECT first_idx, frame_count, pixels FROM clips WHERE video_id = ? AND first_idx <= ? ORDER BY first_idx DESC LIMIT 1')
    .get(videoId, index) as { first_idx: number; frame_count: number; pixels: Buffer } | undefined;
  if (!clip || index >= clip.first_idx + clip.frame_count) throw new AppError('NotFoundError', `Video ${videoId} has no frame ${index}.`);
  const bytes = v.frame_size * v.frame_size * v.channels;
  const off = (index - clip.first_idx) * bytes;
  return { size: v.frame_size, channels: v.channels, data: new Uint8Array(clip.pixels.subarray(off, off + bytes)) };
}

/**
 * Clips one query of iterateClips reads, in bytes (at least one clip). Each query seeks the clips
 * b-tree, and SQLite reads the whole row of every key a seek compares with when the row overflows its
 * page (a clip always does), so one query per clip read every clip several times over.
 */
export const CLIP_QUERY_BYTES = 8 << 20;

/**
 * Stream every frame's pixels in index order, clip by clip (for training and scoring). A few clips per
 * query (CLIP_QUERY_BYTES), so the connection is free between queries and the caller may write while
 * iterating. `queryBytes`: the clips one query reads (tests set it small).
 */
export function* iterateClips(db: DB, videoId: number, queryBytes = CLIP_QUERY_BYTES): Generator<{ firstIndex: number; count: number; pixels: Uint8Array }> {
  const next = db.prepare('SELECT first_idx, frame_count, pixels FROM clips WHERE video_id = ? AND first_idx >= ? ORDER BY first_idx LIMIT ?');
  let from = 0;
  let clips = 1;
  for (;;) {
    const rows = next.all(videoId, from, clips) as Array<{ first_idx: number; frame_count: number; pixels: Buffer }>;
    if (!rows.length) return;
    for (const r of rows) {
      yield { firstIndex: r.first_idx, count: r.frame_count, pixels: new Uint8Array(r.pixels.buffer, r.pixels.byteOffset, r.pixels.byteLength) };
      from = r.first_idx + r.frame_count;
    }
    clips = Math.max(1, Math.floor(queryBytes / Math.max(1, rows[0]!.pixels.byteLength)));
  }
}
