import type {
  AdaptiveBaselineSetting,
  AppInfo,
  ChangeEvent,
  ExportedClip,
  ExportFile,
  FrameInfo,
  GeneratedSamples,
  IgnoreMask,
  IngestOptions,
  JobInfo,
  Label,
  LabelInput,
  LabelPatch,
  LatentProjection,
  LatentTraversalGrid,
  ModelComparison,
  ModelSummary,
  ProjectionMethod,
  ReviewState,
  EventReviewInput,
  EventExportFormat,
  LabelExportFormat,
  SampleRequest,
  ScoreSeries,
  TrainRequest,
  TraversalRequest,
  VideoSummary,
} from './domain.js';

/**
 * Everything the renderer can ask of the app. Served by `AppApiImpl` in core, over IPC in Electron
 * (src/main) and over HTTP in browser mode (src/server). Every method validates its arguments with
 * the zod schema of the same name in `apiSchemas`; channel names derive from method names.
 */
export interface AppApi {
  /** Version, mode, data folder, and which ffmpeg was found (or what to do when none was). */
  getAppInfo(): Promise<AppInfo>;

  /** Every video in the library, newest first. */
  listVideos(): Promise<VideoSummary[]>;

  /** One video; fails with NotFoundError when the id is unknown. */
  getVideo(videoId: number): Promise<VideoSummary>;

  /**
   * Start importing a video file: probe, decode to small frames, store them.
   * Returns at once with the job's id; progress arrives as `job:update` events.
   */
  importVideo(path: string, options?: IngestOptions): Promise<{ jobId: string }>;

  /** Remove a video and everything stored for it. */
  deleteVideo(videoId: number): Promise<void>;

  /** Up to `count` frames spread evenly over the video, for a thumbnail strip. */
  getThumbnailFrames(videoId: number, count: number): Promise<FrameInfo[]>;

  /** Every job of this session, newest first. */
  listJobs(): Promise<JobInfo[]>;

  /** Cancel a queued or running job. Canceling a finished job is a no-op. */
  cancelJob(jobId: string): Promise<void>;

  /** Run a failed, interrupted or canceled job again (a new job with the same request). */
  retryJob(jobId: string): Promise<{ jobId: string }>;

  /** Native "open file" dialog (Electron); resolves null when canceled or unavailable. */
  pickVideoFile(): Promise<string | null>;

  /** Every model version, newest first. */
  listModels(): Promise<ModelSummary[]>;

  /**
   * Train a VAE on a video's frames (normal footage) in the worker, then calibrate it on held-out
   * frames and score the video. Returns the job's id; the new model's id is the job's result.
   */
  trainModel(videoId: number, options?: TrainRequest): Promise<{ jobId: string }>;

  /** Score every frame of a video with a ready model and detect events (a job). */
  scoreVideo(modelId: number, videoId: number): Promise<{ jobId: string }>;

  /** Stored scores of a video under a model; empty columns when it has not been scored. */
  getScores(modelId: number, videoId: number): Promise<ScoreSeries>;

  /** Detected change events of a video under a model, in time order. */
  listEvents(modelId: number, videoId: number): Promise<ChangeEvent[]>;

  /** The analyst's review of a video's events under a model: the model's chosen threshold and the reviewed events. */
  getReviewState(modelId: number, videoId: number): Promise<ReviewState>;

  /** Mark an event (named by its peak frame) reviewed or unreviewed. */
  setEventReviewed(input: EventReviewInput): Promise<void>;

  /** Keep the threshold the analyst chose for a model; null goes back to the calibrated one. */
  setReviewThreshold(modelId: number, threshold: number | null): Promise<void>;

  /** Labels of a video, in time order. */
  listLabels(videoId: number): Promise<Label[]>;

  /** Label a span of frames; the span is clamped to the video. */
  createLabel(input: LabelInput): Promise<Label>;

  /** Change a label's span, class or note. */
  updateLabel(labelId: number, patch: LabelPatch): Promise<Label>;

  /** Remove a label. Removing one that is gone is a no-op. */
  deleteLabel(labelId: number): Promise<void>;

  /** Every label class in use or built in (normal, nuisance, incident, tamper first). */
  listLabelClasses(): Promise<string[]>;

  /** 2-D projection of the posterior means of a scored video's frames (PCA, or UMAP). */
  getLatentProjection(modelId: number, videoId: number, method: ProjectionMethod): Promise<LatentProjection>;

  /**
   * The model version the analyst works with: the one chosen with setActiveModel, else the oldest ready
   * version (a new training or fine-tune never becomes active by itself); null before any is ready.
   */
  getActiveModel(): Promise<number | null>;

  /** Choose the active model version (also how a version is rolled back). */
  setActiveModel(modelId: number): Promise<void>;

  /** Judge model versions on a video's labels: AUC and false alarms at each one's threshold. */
  compareModels(videoId: number, modelIds: number[]): Promise<ModelComparison>;

  /** Events as CSV or JSON, recomputed at `threshold` when one is given (else the stored ones). */
  exportEvents(modelId: number, videoId: number, format: EventExportFormat, threshold?: number): Promise<ExportFile>;

  /** Labels of a video as JSON, or as a Label Studio video-timeline task. */
  exportLabels(videoId: number, format: LabelExportFormat): Promise<ExportFile>;

  /**
   * The video's ignore mask: rectangles in normalized 0..1 coordinates of the stored frame that are
   * left out of training and scoring. `{ rects: [] }` when none was painted.
   */
  getIgnoreMask(videoId: number): Promise<IgnoreMask>;

  /**
   * Replace the video's ignore mask (an empty list clears it) and return what was stored. Malformed
   * masks are refused whole and leave the stored one as it was. Takes effect for models trained on
   * the video afterwards (existing models keep the mask they were trained with); emits `mask:changed`.
   */
  setIgnoreMask(videoId: number, mask: IgnoreMask): Promise<IgnoreMask>;

  /** Cut a span of the source video to an mp4 (ffmpeg) under the data folder's exports/. */
  exportClip(videoId: number, startSec: number, endSec: number): Promise<ExportedClip>;

  /**
   * "What normal looks like": pictures a ready vae or vae-gp model decodes from seeded draws of its
   * prior, as PNG data URLs. Other kinds fail with UnsupportedModelKindError saying why (see
   * describeKind). At most MAX_GENERATED_SAMPLES; decoded in small chunks on the main process.
   */
  generateSamples(modelId: number, options?: SampleRequest): Promise<GeneratedSamples>;

  /**
   * A 2-D latent traversal of a ready vae, vae-gp, ae or cvae model: a frame's latent code (or the
   * prior's origin) with two dimensions swept over a grid of at most MAX_TRAVERSAL_STEPS², decoded
   * to PNG data URLs. Other kinds fail with UnsupportedModelKindError.
   */
  latentTraversal(modelId: number, request: TraversalRequest): Promise<LatentTraversalGrid>;

  /** A video's adaptive per-video baseline (off unless switched on). */
  getAdaptiveBaseline(videoId: number): Promise<AdaptiveBaselineSetting>;

  /** Switch a video's adaptive baseline on or off (and its window); it applies to the video's next scoring. */
  setAdaptiveBaseline(videoId: number, setting: AdaptiveBaselineSetting): Promise<AdaptiveBaselineSetting>;
}

export type AppApiMethod = keyof AppApi;

/** The method names, in one place, for the preload and the web client to build their proxies from. */
export const APP_API_METHODS = [
  'getAppInfo',
  'listVideos',
  'getVideo',
  'importVideo',
  'deleteVideo',
  'getThumbnailFrames',
  'listJobs',
  'cancelJob',
  'retryJob',
  'pickVideoFile',
  'listModels',
  'trainModel',
  'scoreVideo',
  'getScores',
  'listEvents',
  'getReviewState',
  'setEventReviewed',
  'setReviewThreshold',
  'listLabels',
  'createLabel',
  'updateLabel',
  'deleteLabel',
  'listLabelClasses',
  'getLatentProjection',
  'getActiveModel',
  'setActiveModel',
  'compareModels',
  'exportEvents',
  'exportLabels',
  'getIgnoreMask',
  'setIgnoreMask',
  'exportClip',
  'generateSamples',
  'latentTraversal',
  'getAdaptiveBaseline',
  'setAdaptiveBaseline',
] as const satisfies readonly AppApiMethod[];

// The compiler checks that the list above names every method exactly once.
type Missing = Exclude<AppApiMethod, (typeof APP_API_METHODS)[number]>;
const everyMethodListed: Missing extends never ? true : Missing = true;
void everyMethodListed;

/** IPC channel for a method. */
export const apiChannel = (method: AppApiMethod): string => `api:${method}`;
