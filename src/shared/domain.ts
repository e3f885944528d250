/** Domain types shared by every process. Plain data only: everything here crosses IPC as JSON. */

export type VideoStatus = 'ingesting' | 'ready' | 'failed';

/** A video in the library: the source file's facts and how it was sampled into stored frames. */
export interface VideoSummary {
  id: number;
  /** Absolute path of the source file at import time. */
  path: string;
  /** File name shown to the analyst. */
  name: string;
  status: VideoStatus;
  /** SHA-256 of the source file's bytes. */
  contentHash: string;
  sizeBytes: number;
  codec: string;
  /** Source picture size. */
  width: number;
  height: number;
  /** Source frame rate (frames per second). */
  sourceFps: number;
  durationSec: number;
  /** Rate frames were sampled at; equal to sourceFps when every frame was kept. */
  sampledFps: number;
  /** Stored frame size (square, RGB). */
  frameSize: number;
  /** Number of stored (sampled) frames. */
  frameCount: number;
  createdAt: string;
}

export type JobKind = 'ingest';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export interface JobProgress {
  /** Units done (frames for ingest). */
  done: number;
  /** Units expected; null while unknown. */
  total: number | null;
  /** 0..1 where total is known. */
  fraction: number | null;
  /** Throughput in units per second over the job so far. */
  rate: number;
  /** Estimated seconds left; null while unknown. */
  etaSec: number | null;
  /** A short phrase for the analyst: "probing", "decoding", ... */
  stage: string;
}

export interface JobError {
  name: string;
  message: string;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  /** A short title for the jobs panel, e.g. "Import lobby cam.mp4". */
  title: string;
  state: JobState;
  progress: JobProgress;
  error: JobError | null;
  /** Kind-specific result on success (ingest: { videoId }). */
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export interface IngestOptions {
  /** Sample at this rate; omit to keep every source frame. */
  fps?: number;
  /** Stored square frame size in pixels (default 64). */
  size?: number;
}

export interface IngestResult {
  videoId: number;
  frameCount: number;
}

/** A stored frame's identity: its index among the stored frames, the source frame it came from and its timestamp. */
export interface FrameInfo {
  videoId: number;
  index: number;
  sourceFrame: number;
  ptsSec: number;
}

export interface AppInfo {
  version: string;
  /** 'electron' for the desktop shell, 'browser' for src/server. */
  mode: 'electron' | 'browser';
  dataDir: string;
  ffmpeg: { path: string; source: string; version: string } | null;
  /** Where ffmpeg could not be found: what to do about it. */
  ffmpegError: string | null;
  /** Whether a native file dialog is available (Electron only). */
  canPickFiles: boolean;
}

export const DEFAULT_FRAME_SIZE = 64;
export const MIN_FRAME_SIZE = 8;
export const MAX_FRAME_SIZE = 512;
export const MAX_SAMPLE_FPS = 240;
