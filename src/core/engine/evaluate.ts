/**
 * The evaluation protocol of shared/bench/README.md and shared/data/ucsd-ped2/README.md: import TRAIN and
 * each TEST at their native frame rate (so stored frames line up with the truth files), train on TRAIN
 * only, score every frame of every test video, and report, over all test frames pooled:
 *
 * - the deployable frame-level ROC-AUC (scores as the app stores them) overall and per event kind,
 *   beside the classical reference baselines (bgdiff, pca16, framediff) computed on the same frames;
 * - the papers' per-clip protocol AUC (scores min-max scaled within each test clip, then pooled): for
 *   comparison with published numbers only;
 * - at the threshold the model chose from TRAIN: the false-positive rate of normal frames, and from the
 *   stored events (what the analyst sees) event recall, clip recall and false alarms per hour of normal
 *   footage, pooled and per clip.
 *
 * Test clips are either several test videos (each one clip, with its own truth) or one video split by a
 * clips.csv (`clip,start,end`). Joined clips have a scene cut at each boundary; the model scores the
 * video as one, the frame-difference baseline restarts at each clip.
 */
import { basename, dirname } from 'node:path';
import type { JobProgress } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { fitBgDiff, fitFrameDiff, fitPca, type GrayFrames, scoreBgDiff, scoreFrameDiff, scorePca, toGray } from '../eval/baselines.js';
import { checkClipsCover, clipStarts, type ClipRange, type DetectionReport, detectionReport, parseClipsCsv, perClipAuc } from '../eval/clips.js';
import { aucByKind, atThreshold, type KindAuc } from '../eval/roc.js';
import { parseTruthCsv, type Truth } from '../eval/truth.js';
import { ingestVideo } from '../media/ingest.js';
import { calibrationOf, getParsedModel } from '../models/records.js';
import { listEvents, readScores, SCORE_COMPONENTS } from '../store/models.js';
import type { Store } from '../store/store.js';
import { loadFrames } from './frames.js';
import { IW_KINDS, iwScores } from './iw-scores.js';
import { scoreVideo } from './score-video.js';
import { trainModel, type TrainModelOptions } from './train-model.js';

/** One test video with its truth, and optionally the clips it joins. */
export interface EvalTest {
  path: string;
  truthCsv: string;
  /** `clip,start,end` covering the video; without it the video is one clip named after its file. */
  clipsCsv?: string;
  /** Clip name when there is no clipsCsv (default: the file name without extension). */
  name?: string;
}

export interface EvalOptions {
  trainPath: string;
  /** Clip list of the training video when it joins several clips (frame-difference baseline only). */
  trainClipsCsv?: string;
  /** One test video (with truthCsv, optionally clipsCsv), or `tests` for several. */
  testPath?: string;
  truthCsv?: string;
  clipsCsv?: string;
  tests?: EvalTest[];
  train: Omit<TrainModelOptions, 'videoId'>;
  /**
   * Importance samples K for the IW estimate of log p(x) on the test frames (VAE kinds only; 0: off,
   * the default). Stored as the `iw` component; its AUC and the mean bounds are reported.
   */
  iwSamples?: number;
}

export type BaselineAucs = { bgdiff: KindAuc; pca16: KindAuc; framediff: KindAuc };

export interface EvalReport {
  /** The model kind evaluated. */
  kind: string;
  /** Deployable pooled frame AUC of the stored combined score, overall and per event kind. */
  auc: KindAuc;
  baselines: BaselineAucs;
  /** AUC of each stored score component alone (diagnostics: which signal sees which kind). */
  components: Record<string, KindAuc>;
  /** The papers' per-clip protocol (scores min-max scaled within each clip, then pooled): comparison only. */
  perClip: { auc: KindAuc; baselines: BaselineAucs; components: Record<string, KindAuc> };
  /** The test clips, in pooled frame order (`start`/`end` are pooled frame numbers). */
  clips: Array<ClipRange & { video: string }>;
  threshold: number;
  /** Fraction of truth events with a frame scoring ≥ threshold (frame rule; see `detection` for the stored events). */
  eventRecall: number;
  falsePositiveRate: number;
  frameRecall: number;
  /** At the app's threshold, from the stored events: FPR, event and clip recall, false alarms per hour; pooled and per clip. */
  detection: DetectionReport;
  /** Mean over the test's normal frames of the Monte-Carlo ELBO and of L̂_K on the same K draws, nats (when iwSamples > 0). */
  iw?: { samples: number; meanElbo: number; meanBound: number; meanEss: number; framesPerSec: number };
  backend: string;
  trainSeconds: number;
  trainFramesPerSec: number;
  scoreFramesPerSec: number;
  modelId: number;
  frames: { train: number; test: number };
}

/** The tests of the options, in one list. */
function testsOf(o: EvalOptions): EvalTest[] {
  if (o.tests && o.tests.length) {
    if (o.testPath !== undefined) throw new RangeError('evaluate: give testPath or tests, not both');
    return o.tests;
  }
  if (o.testPath === undefined || o.truthCsv === undefined) throw new RangeError('evaluate: a test video and its truth are needed');
  return [{ path: o.testPath, truthCsv: o.truthCsv, ...(o.clipsCsv !== undefined ? { clipsCsv: o.clipsCsv } : {}) }];
}

/** A test video's clip name: its file name without extension, with its folder when two files share a name, else numbered. */
function videoName(tests: EvalTest[], i: number): string {
  const plain = (t: EvalTest) => basename(t.path).replace(/\.[^.]+$/, '');
  const withDir = (t: EvalTest) => `${basename(dirname(t.path))}/${plain(t)}`;
  if (tests.filter((t) => plain(t) === plain(tests[i]!)).length === 1) return plain(tests[i]!);
  if (tests.filter((t) => withDir(t) === withDir(tests[i]!)).length === 1) return withDir(tests[i]!);
  return `${plain(tests[i]!)}#${i + 1}`;
}

const concat = (parts: ArrayLike<number>[]): Float64Array => {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[k++] = p[i]!;
  return out;
};

export async function evaluate(store: Store, o: EvalOptions, hooks: { onProgress?: (p: JobProgress) => void; signal?: AbortSignal } = {}): Promise<EvalReport> {
  const tests = testsOf(o);
  const truths = tests.map((t) => parseTruthCsv(t.truthCsv));
  const trainClips = o.trainClipsCsv !== undefined ? parseClipsCsv(o.trainClipsCsv) : null;
  const ingestHooks = { ...hooks };
  const train = await ingestVideo(store, o.trainPath, {}, ingestHooks);
  if (trainClips) checkClipsCover(trainClips, train.frameCount, `the training clip list (${train.frameCount} frames in ${o.trainPath})`);
  const videos: Array<{ videoId: number; frameCount: number; fps: number; clips: ClipRange[]; name: string }> = [];
  for (const [i, t] of tests.entries()) {
    const v = await ingestVideo(store, t.path, {}, ingestHooks);
    const truth = truths[i]!;
    if (v.frameCount !== truth.frames)
      throw new AppError('TruthMismatchError', `${t.path} decodes to ${v.frameCount} frames but the truth file has ${truth.frames} rows: they must describe the same video.`);
    const name = t.name ?? videoName(tests, i);
    let clips: ClipRange[] = [{ name, start: 0, end: v.frameCount - 1 }];
    if (t.clipsCsv !== undefined) {
      clips = parseClipsCsv(t.clipsCsv);
      try {
        checkClipsCover(clips, v.frameCount, `the clip list of ${t.path}`);
      } catch (e) {
        throw new AppError('TruthMismatchError', (e as Error).message);
      }
    }
    videos.push({ videoId: v.videoId, frameCount: v.frameCount, fps: store.getVideo(v.videoId).sampledFps, clips, name });
  }

  const trained = await trainModel(store, { ...o.train, videoId: train.videoId }, hooks);
  let scoredFrames = 0;
  let scoreSeconds = 0;
  for (const v of videos) {
    const scored = await scoreVideo(store, trained.modelId, v.videoId, hooks);
    scoredFrames += v.frameCount;
    scoreSeconds += v.frameCount / scored.framesPerSec;
  }
  const model = getParsedModel(store, trained.modelId);

  // Pool every test video's frames, truth, clips and stored events.
  const offsets: number[] = [];
  let total = 0;
  for (const v of videos) {
    offsets.push(total);
    total += v.frameCount;
  }
  const truth: Truth = { anomaly: new Uint8Array(total), kind: [], frames: total };
  truths.forEach((t, i) => {
    truth.anomaly.set(t.anomaly, offsets[i]);
    truth.kind.push(...t.kind);
  });
  const clips = videos.flatMap((v, i) => v.clips.map((c) => ({ name: videos.length > 1 && v.clips.length > 1 ? `${v.name}/${c.name}` : c.name, start: c.start + offsets[i]!, end: c.end + offsets[i]!, video: v.name })));
  const fps = new Float64Array(total);
  videos.forEach((v, i) => fps.fill(v.fps, offsets[i], offsets[i]! + v.frameCount));
  const events = videos.flatMap((v, i) => listEvents(store, trained.modelId, v.videoId).map((e) => ({ start: e.startIdx + offsets[i]!, end: e.endIdx + offsets[i]! })));

  let iw: EvalReport['iw'];
  if (o.iwSamples && IW_KINDS.includes(model.kind)) {
    hooks.onProgress?.({ done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: `importance-weighted bound, K = ${o.iwSamples}` });
    let elbo = 0;
    let bound = 0;
    let ess = 0;
    let normal = 0;
    let frames = 0;
    let seconds = 0;
    let samples = o.iwSamples;
    for (const [i, v] of videos.entries()) {
      const r = await iwScores(store, trained.modelId, v.videoId, { samples: o.iwSamples });
      const t = truths[i]!;
      for (let f = 0; f < v.frameCount; f++) {
        if (t.anomaly[f]) continue;
        elbo += r.elbo[f]!;
        bound += r.bound[f]!;
        ess += r.ess[f]!;
        normal++;
      }
      samples = r.samples;
      frames += v.frameCount;
      seconds += v.frameCount / r.framesPerSec;
    }
    iw = { samples, meanElbo: elbo / normal, meanBound: bound / normal, meanEss: ess / normal, framesPerSec: frames / seconds };
  }
  const perVideo = videos.map((v) => readScores(store, trained.modelId, v.videoId));
  const column = (c: (typeof SCORE_COMPONENTS)[number]) => concat(perVideo.map((s) => s[c]));
  const combined = column('combined');
  const threshold = calibrationOf(model).threshold;
  const at = atThreshold(combined, truth, threshold);
  const detection = detectionReport({ scores: combined, truth, clips, events, threshold, fps });

  const components: Record<string, KindAuc> = {};
  const componentsPerClip: Record<string, KindAuc> = {};
  for (const c of SCORE_COMPONENTS) {
    const col = column(c);
    if (c === 'combined' || col.every((x) => Number.isNaN(x) || x === col[0])) continue; // not computed by this kind (NULL or constant)
    if (c === 'elbo') col.forEach((x, i) => (col[i] = -x));
    if (col.some((x) => Number.isNaN(x))) continue; // computed on some frames only
    components[c] = aucByKind(col, truth);
    componentsPerClip[c] = perClipAuc(col, truth, clips);
  }

  hooks.onProgress?.({ done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: 'baselines' });
  const trainGray = toGray(asFrames(loadFrames(store, train.videoId)));
  const bg = fitBgDiff(trainGray);
  const pca = fitPca(trainGray, 16);
  const fd = fitFrameDiff(trainGray, trainClips ? { clipStarts: clipStarts(trainClips) } : {});
  const base = { bgdiff: [] as Float64Array[], pca16: [] as Float64Array[], framediff: [] as Float64Array[] };
  for (const v of videos) {
    const g: GrayFrames = toGray(asFrames(loadFrames(store, v.videoId)));
    base.bgdiff.push(scoreBgDiff(bg, g));
    base.pca16.push(scorePca(pca, g));
    base.framediff.push(scoreFrameDiff(fd, g, clipStarts(v.clips)));
  }
  const baseScores = { bgdiff: concat(base.bgdiff), pca16: concat(base.pca16), framediff: concat(base.framediff) };
  const baselinesAt = (f: (s: Float64Array) => KindAuc): BaselineAucs => ({ bgdiff: f(baseScores.bgdiff), pca16: f(baseScores.pca16), framediff: f(baseScores.framediff) });
  return {
    kind: model.kind,
    auc: aucByKind(combined, truth),
    baselines: baselinesAt((s) => aucByKind(s, truth)),
    components,
    perClip: { auc: perClipAuc(combined, truth, clips), baselines: baselinesAt((s) => perClipAuc(s, truth, clips)), components: componentsPerClip },
    clips,
    threshold,
    ...(iw ? { iw } : {}),
    eventRecall: at.eventRecall,
    falsePositiveRate: at.falsePositiveRate,
    frameRecall: at.frameRecall,
    detection,
    backend: trained.backend,
    trainSeconds: trained.trainSeconds,
    trainFramesPerSec: trained.trainFramesPerSec,
    scoreFramesPerSec: scoreSeconds > 0 ? scoredFrames / scoreSeconds : NaN,
    modelId: trained.modelId,
    frames: { train: train.frameCount, test: total },
  };
}

const asFrames = (f: { data: Uint8Array; count: number; size: number; channels: number }) => ({ ...f, channels: f.channels as 1 | 3 });
