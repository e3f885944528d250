import { z } from 'zod';
import type { AppApi, AppApiMethod } from './api.js';
import {
  EVENT_EXPORT_FORMATS,
  LABEL_EXPORT_FORMATS,
  LIKELIHOODS,
  MAX_CONDITION_FRAMES,
  MAX_FRAME_SIZE,
  MAX_GENERATED_SAMPLES,
  MAX_MASK_RECTS,
  MAX_MIXTURE_COMPONENTS,
  MAX_SAMPLE_FPS,
  MAX_TRAVERSAL_RANGE,
  MAX_TRAVERSAL_STEPS,
  MIN_FRAME_SIZE,
  MODEL_KINDS,
  PROJECTION_METHODS,
  TRAINING_BACKENDS,
} from './domain.js';

const id = z.number().int().positive();
const path = z.string().min(1, 'a file path is required').max(4096).refine((s) => !s.includes('\0'), 'path contains a NUL byte');
const ingestOptions = z
  .object({
    fps: z.number().positive().max(MAX_SAMPLE_FPS).optional(),
    size: z.number().int().min(MIN_FRAME_SIZE).max(MAX_FRAME_SIZE).optional(),
    crop: z
      .object({ x: z.number().int().min(0), y: z.number().int().min(0), width: z.number().int().min(2), height: z.number().int().min(2) })
      .strict()
      .optional(),
  })
  .strict();

export const trainRequestSchema = z
  .object({
    kind: z.enum(MODEL_KINDS).optional(),
    name: z.string().min(1).max(200).optional(),
    epochs: z.number().int().min(1).max(1000).optional(),
    batchSize: z.number().int().min(1).max(1024).optional(),
    learningRate: z.number().positive().max(1).optional(),
    latentDim: z.number().int().min(1).max(256).optional(),
    beta: z.number().min(0).max(100).optional(),
    klWarmupEpochs: z.number().int().min(0).max(1000).optional(),
    maxFrames: z.number().int().min(20).max(1_000_000).optional(),
    targetFpr: z.number().positive().max(0.5).optional(),
    backend: z.enum(TRAINING_BACKENDS).optional(),
    workers: z.number().int().min(1).max(64).optional(),
    likelihood: z.enum(LIKELIHOODS).optional(),
    seed: z.number().int().min(0).max(2 ** 31).optional(),
    useIgnoreMask: z.boolean().optional(),
    conditionFrames: z.number().int().min(1).max(MAX_CONDITION_FRAMES).optional(),
    mixtureComponents: z.number().int().min(1).max(MAX_MIXTURE_COMPONENTS).optional(),
    parentModelId: id.optional(),
  })
  .strict();

/** Slack for rectangles that end at the frame's edge after floating-point arithmetic in the renderer. */
const EDGE_SLACK = 1e-9;
const unit = z.number().finite().min(0).max(1);
const maskRect = z
  .object({ x: unit, y: unit, width: unit.positive('a rectangle has a width above 0'), height: unit.positive('a rectangle has a height above 0') })
  .strict()
  .refine((r) => r.x + r.width <= 1 + EDGE_SLACK && r.y + r.height <= 1 + EDGE_SLACK, 'a rectangle lies inside the frame (x + width and y + height at most 1)');
/** An ignore mask: up to MAX_MASK_RECTS rectangles in normalized 0..1 frame coordinates (an empty list clears it). */
export const ignoreMaskSchema = z
  .object({ rects: z.array(maskRect).max(MAX_MASK_RECTS, `a mask holds at most ${MAX_MASK_RECTS} rectangles`) })
  .strict();

const frameIdx = z.number().int().min(0).max(2 ** 31);
const labelClass = z
  .string()
  .trim()
  .min(1, 'a label class is required')
  .max(40)
  .regex(/^[\p{L}\p{N} _.-]+$/u, 'a label class is letters, digits, spaces, _ . or -');
const note = z.string().max(2000);
const labelInput = z
  .object({ videoId: id, startIdx: frameIdx, endIdx: frameIdx, cls: labelClass, note: note.optional() })
  .strict()
  .refine((l) => l.endIdx >= l.startIdx, 'a label ends at or after its start');
const eventReviewInput = z
  .object({ modelId: id, videoId: id, peakIdx: frameIdx, startIdx: frameIdx, endIdx: frameIdx, reviewed: z.boolean() })
  .strict()
  .refine((r) => r.endIdx >= r.startIdx && r.peakIdx >= r.startIdx && r.peakIdx <= r.endIdx, 'an event ends at or after its start and holds its peak');
const labelPatch = z
  .object({ startIdx: frameIdx.optional(), endIdx: frameIdx.optional(), cls: labelClass.optional(), note: note.optional() })
  .strict();
const seconds = z.number().min(0).max(1e7);
const sampleRequest = z
  .object({ count: z.number().int().min(1).max(MAX_GENERATED_SAMPLES).optional(), seed: z.number().int().min(0).max(2 ** 31).optional() })
  .strict();
const latentDimIndex = z.number().int().min(0).max(255);
const traversalRequest = z
  .object({
    videoId: id.optional(),
    index: frameIdx.optional(),
    dims: z.tuple([latentDimIndex, latentDimIndex]),
    steps: z.number().int().min(2).max(MAX_TRAVERSAL_STEPS).optional(),
    range: z.number().positive().max(MAX_TRAVERSAL_RANGE).optional(),
  })
  .strict()
  .refine((r) => (r.videoId === undefined) === (r.index === undefined), 'give both videoId and index to centre on a frame, or neither')
  .refine((r) => r.dims[0] !== r.dims[1], 'the two latent dimensions must differ');

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
  retryJob: z.tuple([z.string().min(1).max(64)]),
  pickVideoFile: z.tuple([]),
  listModels: z.tuple([]),
  trainModel: z.union([z.tuple([id]), z.tuple([id, trainRequestSchema])]),
  scoreVideo: z.tuple([id, id]),
  getScores: z.tuple([id, id]),
  listEvents: z.tuple([id, id]),
  getReviewState: z.tuple([id, id]),
  setEventReviewed: z.tuple([eventReviewInput]),
  setReviewThreshold: z.tuple([id, z.number().finite().nullable()]),
  listLabels: z.tuple([id]),
  createLabel: z.tuple([labelInput]),
  updateLabel: z.tuple([id, labelPatch]),
  deleteLabel: z.tuple([id]),
  listLabelClasses: z.tuple([]),
  getLatentProjection: z.tuple([id, id, z.enum(PROJECTION_METHODS)]),
  getActiveModel: z.tuple([]),
  setActiveModel: z.tuple([id]),
  compareModels: z.tuple([id, z.array(id).min(1).max(50)]),
  exportEvents: z.union([z.tuple([id, id, z.enum(EVENT_EXPORT_FORMATS)]), z.tuple([id, id, z.enum(EVENT_EXPORT_FORMATS), z.number().finite()])]),
  exportLabels: z.tuple([id, z.enum(LABEL_EXPORT_FORMATS)]),
  getIgnoreMask: z.tuple([id]),
  setIgnoreMask: z.tuple([id, ignoreMaskSchema]),
  exportClip: z.tuple([id, seconds, seconds]).refine(([, a, b]) => b > a, 'a clip ends after it starts'),
  generateSamples: z.union([z.tuple([id]), z.tuple([id, sampleRequest])]),
  latentTraversal: z.tuple([id, traversalRequest]),
  getAdaptiveBaseline: z.tuple([id]),
  setAdaptiveBaseline: z.tuple([id, z.strictObject({ on: z.boolean(), windowSec: z.number().finite().min(10).max(86_400) })]),
};
