/** The one implementation of AppApi. Electron (src/main) and browser mode (src/server) both serve it. */
import { fineTuneRefusal } from '../models/registry.js';
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AppApi } from '../../shared/api.js';
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
  EventReviewInput,
  Label,
  ReviewState,
  LabelInput,
  LabelPatch,
  LatentProjection,
  LatentTraversalGrid,
  ModelComparison,
  ModelSummary,
  ProjectionMethod,
  SampleRequest,
  ScoreSeries,
  TrainRequest,
  TraversalRequest,
  VideoSummary,
} from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import type { AppEventName, AppEvents } from '../../shared/events.js';
import type { JobRegistry } from '../jobs/registry.js';
import { mediaTools } from '../media/ffmpeg-locate.js';
import { pathError } from '../media/probe.js';
import * as masks from '../store/ignore-masks.js';
import * as adaptive from '../scoring/adaptive.js';
import * as labels from '../store/labels.js';
import * as reviews from '../store/event-reviews.js';
import { getSetting, setSetting } from '../store/settings.js';
import * as exports from './exports.js';
import { getModel, listModels } from '../store/models.js';
import { OWNER, type Store } from '../store/store.js';
import { compareModels } from '../latent/compare.js';
import { ModelGenerator } from './generation.js';
import { LatentProjections } from '../latent/projection.js';
import type { UmapRunner } from '../latent/umap-worker.js';
import { changeEvents, scoreSeries } from './queries.js';
import { toModelSummary } from './summaries.js';
import { APP_VERSION } from '../version.js';

export type EventSink = <K extends AppEventName>(name: K, ...payload: AppEvents[K] extends never ? [] : [AppEvents[K]]) => void;

export interface AppContext {
  store: Store;
  jobs: JobRegistry;
  dbPath: string;
  dataDir: string;
  mode: AppInfo['mode'];
  emit: EventSink;
  /** Native file dialog, where there is one. */
  pickFile?: () => Promise<string | null>;
  /** UMAP layouts off this thread (a worker); without it they run here. */
  runUmap?: UmapRunner;
}

export class AppApiImpl implements AppApi {
  constructor(private readonly ctx: AppContext) {}

  async getAppInfo(): Promise<AppInfo> {
    let ffmpeg: AppInfo['ffmpeg'] = null;
    let ffmpegError: string | null = null;
    try {
      const t = mediaTools();
      ffmpeg = { path: t.ffmpeg.path, source: t.ffmpeg.source, version: t.version };
    } catch (e) {
      ffmpegError = (e as Error).message;
    }
    return { version: APP_VERSION, mode: this.ctx.mode, dataDir: this.ctx.dataDir, ffmpeg, ffmpegError, canPickFiles: !!this.ctx.pickFile };
  }

  async listVideos(): Promise<VideoSummary[]> {
    this.dropDeadImports();
    return this.ctx.store.listVideos();
  }

  /** Imports left half-done by another process that has since died (a killed CLI import): removed at once, not at the next start. */
  dropDeadImports(): void {
    if (this.ctx.store.removeInterruptedVideos().length) this.ctx.emit('library:changed');
  }

  async getVideo(videoId: number): Promise<VideoSummary> {
    return this.ctx.store.getVideo(videoId);
  }

  async importVideo(path: string, options: IngestOptions = {}): Promise<{ jobId: string }> {
    const abs = resolve(path);
    // Fail at once for what needs no decoding to know; deeper problems fail the job with a reason.
    const st = await stat(abs).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new AppError('NotFoundError', `No file at ${abs}. Check the path and try again.`);
      if (e.code === 'EACCES') throw new AppError('PermissionError', `Cannot read ${abs}: permission denied.`);
      throw pathError(abs, e) ?? e;
    });
    if (!st.isFile()) throw new AppError('NotAVideoError', `${abs} is a folder, not a video file.`);
    const job = this.ctx.jobs.submit('ingest', `Import ${basename(abs)}`, { kind: 'ingest', dbPath: this.ctx.dbPath, path: abs, options });
    return { jobId: job.id };
  }

  async deleteVideo(videoId: number): Promise<void> {
    this.dropDeadImports();
    const v = this.ctx.store.getVideo(videoId);
    if (v.status === 'ingesting') {
      const owner = this.ctx.store.videoOwner(videoId);
      if (owner && owner !== OWNER) throw new AppError('BusyError', `${v.name} is being imported by another LatentWatch process (pid ${owner}): stop that import first.`);
      const job = this.ctx.jobs.findActive((s) => s.kind === 'ingest' && resolve(s.path) === v.path);
      throw new AppError('BusyError', `${v.name} is still importing${job ? ` (job "${job.title}")` : ''}: cancel its job in the jobs panel first.`);
    }
    this.ctx.store.deleteVideo(videoId);
    this.ctx.emit('library:changed');
  }

  async getThumbnailFrames(videoId: number, count: number): Promise<FrameInfo[]> {
    return this.ctx.store.spreadFrames(videoId, count);
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.ctx.jobs.list();
  }

  async cancelJob(jobId: string): Promise<void> {
    this.ctx.jobs.cancel(jobId);
  }

  async retryJob(jobId: string): Promise<{ jobId: string }> {
    return { jobId: this.ctx.jobs.retry(jobId).id };
  }

  async pickVideoFile(): Promise<string | null> {
    return this.ctx.pickFile ? this.ctx.pickFile() : null;
  }

  async listModels(): Promise<ModelSummary[]> {
    return listModels(this.ctx.store).map(toModelSummary);
  }

  async trainModel(videoId: number, options: TrainRequest = {}): Promise<{ jobId: string }> {
    const v = this.ctx.store.getVideo(videoId);
    if (v.status !== 'ready') throw new AppError('NotReadyError', `${v.name} is still importing: wait for it to finish.`);
    if (options.parentModelId !== undefined) {
      const parent = getModel(this.ctx.store, options.parentModelId);
      if (parent.status !== 'ready') throw new AppError('NotReadyError', `Model ${parent.id} is not ready (${parent.status}): fine-tune from a ready version.`);
      const refusal = fineTuneRefusal(parent.kind);
      if (refusal) throw new AppError('InvalidArgumentError', `Model ${parent.id} is a ${parent.kind}: ${refusal}.`);
    }
    const title = options.parentModelId !== undefined ? `Fine-tune model ${options.parentModelId} on ${v.name}` : `Train on ${v.name}`;
    const job = this.ctx.jobs.submit('train', title, {
      kind: 'train',
      dbPath: this.ctx.dbPath,
      checkpointDir: join(this.ctx.dataDir, 'checkpoints'),
      videoId,
      options,
    });
    return { jobId: job.id };
  }

  async scoreVideo(modelId: number, videoId: number): Promise<{ jobId: string }> {
    const m = getModel(this.ctx.store, modelId);
    if (m.status !== 'ready') throw new AppError('NotReadyError', `Model ${modelId} is not ready (${m.status}).`);
    const v = this.ctx.store.getVideo(videoId);
    const job = this.ctx.jobs.submit('score', `Score ${v.name} with model ${modelId}`, { kind: 'score', dbPath: this.ctx.dbPath, modelId, videoId });
    return { jobId: job.id };
  }

  async getScores(modelId: number, videoId: number): Promise<ScoreSeries> {
    return scoreSeries(this.ctx.store, modelId, videoId);
  }

  async listEvents(modelId: number, videoId: number): Promise<ChangeEvent[]> {
    return changeEvents(this.ctx.store, modelId, videoId);
  }

  async getReviewState(modelId: number, videoId: number): Promise<ReviewState> {
    return reviews.getReviewState(this.ctx.store, modelId, videoId);
  }

  async setEventReviewed(input: EventReviewInput): Promise<void> {
    reviews.setEventReviewed(this.ctx.store, input);
  }

  async setReviewThreshold(modelId: number, threshold: number | null): Promise<void> {
    reviews.setReviewThreshold(this.ctx.store, modelId, threshold);
  }

  async listLabels(videoId: number): Promise<Label[]> {
    return labels.listLabels(this.ctx.store, videoId);
  }

  async createLabel(input: LabelInput): Promise<Label> {
    const l = labels.createLabel(this.ctx.store, input);
    this.ctx.emit('labels:changed', { videoId: l.videoId });
    return l;
  }

  async updateLabel(labelId: number, patch: LabelPatch): Promise<Label> {
    const l = labels.updateLabel(this.ctx.store, labelId, patch);
    this.ctx.emit('labels:changed', { videoId: l.videoId });
    return l;
  }

  async deleteLabel(labelId: number): Promise<void> {
    const videoId = labels.deleteLabel(this.ctx.store, labelId);
    if (videoId !== null) this.ctx.emit('labels:changed', { videoId });
  }

  async listLabelClasses(): Promise<string[]> {
    return labels.listLabelClasses(this.ctx.store);
  }

  async getActiveModel(): Promise<number | null> {
    const chosen = getSetting<number>(this.ctx.store, ACTIVE_MODEL_KEY);
    const ready = listModels(this.ctx.store).filter((m) => m.status === 'ready');
    if (chosen !== null && ready.some((m) => m.id === chosen)) return chosen;
    // None chosen (or the chosen one was deleted): the oldest ready version. Never the newest: a training
    // or fine-tune only adds newer versions, so it cannot change the active one by itself (the analyst does).
    return ready.at(-1)?.id ?? null;
  }

  async setActiveModel(modelId: number): Promise<void> {
    const m = getModel(this.ctx.store, modelId);
    if (m.status !== 'ready') throw new AppError('NotReadyError', `Model ${modelId} is not ready (${m.status}); choose a ready version.`);
    setSetting(this.ctx.store, ACTIVE_MODEL_KEY, modelId);
    this.ctx.emit('models:changed');
  }

  /** Cached per (model, video, method) and recomputed when a re-score replaces the latents (made on first use). */
  private projections: LatentProjections | null = null;

  async getLatentProjection(modelId: number, videoId: number, method: ProjectionMethod): Promise<LatentProjection> {
    this.projections ??= new LatentProjections(this.ctx.store, this.ctx.runUmap ? { runUmap: this.ctx.runUmap } : {});
    return this.projections.get(modelId, videoId, method);
  }

  async compareModels(videoId: number, modelIds: number[]): Promise<ModelComparison> {
    return compareModels(this.ctx.store, videoId, modelIds);
  }

  async exportEvents(modelId: number, videoId: number, format: 'csv' | 'json', threshold?: number): Promise<ExportFile> {
    return exports.exportEvents(this.ctx.store, modelId, videoId, format, threshold);
  }

  async exportLabels(videoId: number, format: 'json' | 'label-studio'): Promise<ExportFile> {
    return exports.exportLabels(this.ctx.store, videoId, format);
  }

  async getIgnoreMask(videoId: number): Promise<IgnoreMask> {
    return masks.getIgnoreMask(this.ctx.store, videoId);
  }

  async setIgnoreMask(videoId: number, mask: IgnoreMask): Promise<IgnoreMask> {
    const saved = masks.setIgnoreMask(this.ctx.store, videoId, mask);
    this.ctx.emit('mask:changed', { videoId });
    return saved;
  }

  async exportClip(videoId: number, startSec: number, endSec: number): Promise<ExportedClip> {
    return exports.exportClip(this.ctx.store, join(this.ctx.dataDir, 'exports'), videoId, startSec, endSec);
  }

  /** Prior samples and traversals, one request at a time (made on first use). */
  private generator: ModelGenerator | null = null;

  async generateSamples(modelId: number, options: SampleRequest = {}): Promise<GeneratedSamples> {
    this.generator ??= new ModelGenerator(this.ctx.store);
    return this.generator.samples(modelId, options);
  }

  async latentTraversal(modelId: number, request: TraversalRequest): Promise<LatentTraversalGrid> {
    this.generator ??= new ModelGenerator(this.ctx.store);
    return this.generator.traversal(modelId, request);
  }

  async getAdaptiveBaseline(videoId: number): Promise<AdaptiveBaselineSetting> {
    this.ctx.store.getVideo(videoId);
    return adaptive.getAdaptiveBaseline(this.ctx.store, videoId);
  }

  async setAdaptiveBaseline(videoId: number, setting: AdaptiveBaselineSetting): Promise<AdaptiveBaselineSetting> {
    return adaptive.setAdaptiveBaseline(this.ctx.store, videoId, setting);
  }
}

const ACTIVE_MODEL_KEY = 'activeModelId';
