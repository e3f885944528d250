/** Videos in the library: what a source file is, how it is imported, and its stored frames. */

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
  /** Duration of what was decoded (equal to the container's claim unless the file ended early). */
  durationSec: number;
  /** Set when the file ended before the duration its container states (a truncated copy): what it claimed. */
  endedEarly?: { probedDurationSec: number } | null;
  /** Things the analyst should know about the import (e.g. a tiny picture scaled up). */
  notes?: string[];
  /** Rate frames were sampled at; equal to sourceFps when every frame was kept. */
  sampledFps: number;
  /** Stored frame size (square, RGB). */
  frameSize: number;
  /** Number of stored (sampled) frames. */
  frameCount: number;
  createdAt: string;
}

export interface IngestOptions {
  /** Sample at this rate; omit to keep every source frame. */
  fps?: number;
  /** Stored square frame size in pixels (default 64). */
  size?: number;
  /** Region of interest in source pixels: only this rectangle is kept (before scaling). */
  crop?: CropRect;
}

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface IngestResult {
  videoId: number;
  frameCount: number;
  /** The file ended before its stated duration: decoded versus claimed seconds. */
  endedEarly?: { decodedSec: number; probedSec: number } | null;
  /** Warnings for the analyst (also stored on the video). */
  notes?: string[];
}

/** A stored frame's identity: its index among the stored frames, the source frame it came from and its timestamp. */
export interface FrameInfo {
  videoId: number;
  index: number;
  sourceFrame: number;
  ptsSec: number;
}

export const DEFAULT_FRAME_SIZE = 64;
export const MIN_FRAME_SIZE = 8;
export const MAX_FRAME_SIZE = 512;
export const MAX_SAMPLE_FPS = 240;
