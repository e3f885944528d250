import {
  DEFAULT_FRAME_SIZE,
  MAX_FRAME_SIZE,
  MAX_SAMPLE_FPS,
  MIN_FRAME_SIZE,
  type IngestOptions,
} from '../../../shared/domain.js';

export type IngestOptionsResult = { ok: true; options: IngestOptions } | { ok: false; message: string };

/**
 * Turn the import panel's fields into IngestOptions. An empty sample rate keeps every source frame;
 * an empty frame size means the default. Messages name the field and the allowed range.
 */
export function readIngestOptions(fps: number | null | undefined, size: number | null | undefined): IngestOptionsResult {
  const options: IngestOptions = {};
  if (fps !== null && fps !== undefined) {
    if (!Number.isFinite(fps) || fps <= 0 || fps > MAX_SAMPLE_FPS) {
      return { ok: false, message: `Sample rate must be above 0 and at most ${MAX_SAMPLE_FPS} fps, or empty to keep every frame.` };
    }
    options.fps = fps;
  }
  const frameSize = size ?? DEFAULT_FRAME_SIZE;
  if (!Number.isInteger(frameSize) || frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE) {
    return { ok: false, message: `Frame size must be a whole number of pixels from ${MIN_FRAME_SIZE} to ${MAX_FRAME_SIZE}.` };
  }
  options.size = frameSize;
  return { ok: true, options };
}
