import { z } from 'zod';
import type { AppApi, AppApiMethod } from './api.js';
import { MAX_FRAME_SIZE, MAX_SAMPLE_FPS, MIN_FRAME_SIZE } from './domain.js';

const id = z.number().int().positive();
const path = z.string().min(1, 'a file path is required').max(4096).refine((s) => !s.includes('\0'), 'path contains a NUL byte');
const ingestOptions = z
  .object({
    fps: z.number().positive().max(MAX_SAMPLE_FPS).optional(),
    size: z.number().int().min(MIN_FRAME_SIZE).max(MAX_FRAME_SIZE).optional(),
  })
  .strict();

type Args<K extends AppApiMethod> = Parameters<AppApi[K]>;

/** One runtime schema per method: the argument tuple it accepts. Checked before any method runs. */
export const apiSchemas: { [K in AppApiMethod]: z.ZodType<Args<K>> } = {
  getAppInfo: z.tuple([]),
  listVideos: z.tuple([]),
  getVideo: z.tuple([id]),
  importVideo: z.union([z.tuple([path]), z.tuple([path, ingestOptions])]),
  deleteVideo: z.tuple([id]),
  getThumbnailFrames: z.tuple([id, z.number().int().min(1).max(64)]),
  listJobs: z.tuple([]),
  cancelJob: z.tuple([z.string().min(1).max(64)]),
  pickVideoFile: z.tuple([]),
};
