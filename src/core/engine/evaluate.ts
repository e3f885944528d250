/**
 * The evaluation protocol of shared/bench/README.md: import TRAIN and TEST at their native frame rate
 * (so stored frames line up with truth.csv), train on TRAIN only, score every frame of TEST, and report
 * frame-level ROC-AUC overall and per event kind beside the two classical baselines computed on the
 * same frames, plus event recall and false-positive rate at the threshold the model chose from TRAIN.
 */
import type { JobProgress } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { fitBgDiff, fitPca, scoreBgDiff, scorePca, toGray } from '../eval/baselines.js';
import { aucByKind, atThreshold, type KindAuc } from '../eval/roc.js';
import { parseTruthCsv } from '../eval/truth.js';
import { ingestVideo } from '../media/ingest.js';
import { getModel, readScores, SCORE_COMPONENTS } from '../store/models.js';
import type { Store } from '../store/store.js';
import { loadFrames } from './frames.js';
import { IW_KINDS, iwScores } from './iw-scores.js';
import { scoreVideo } from './score-video.js';
import { trainModel, type TrainModelOptions } from './train-model.js';

export interface EvalOptions {
  trainPath: string;
  testPath: string;
  truthCsv: string;
  train: Omit<TrainModelOptions, 'videoId'>;
  /**
   * Importance samples K for the IW estimate of log p(x) on the test frames (VAE kinds only; 0: off,
   * the default). Stored as the `iw` component; its AUC and the mean bounds are reported.
   */
  iwSamples?: number;
}

export interface EvalReport {
  /** The model kind evaluated. */
  kind: string;
  auc: KindAuc;
  baselines: { bgdiff: KindAuc; pca16: KindAuc };
  /** AUC of each stored score component alone (diagnostics: which signal sees which kind). */
  components: Record<string, KindAuc>;
  threshold: number;
  eventRecall: number;
  falsePositiveRate: number;
  frameRecall: number;
  /** Mean over the test's normal frames of the Monte-Carlo ELBO and of L̂_K on the same K draws, nats (when iwSamples > 0). */
  iw?: { samples: number; meanElbo: number; meanBound: number; meanEss: number; framesPerSec: number };
  backend: string;
  trainSeconds: number;
  trainFramesPerSec: number;
  scoreFramesPerSec: number;
  modelId: number;
  frames: { train: number; test: number };
}

export async function evaluate(store: Store, o: EvalOptions, hooks: { onProgress?: (p: JobProgress) => void; signal?: AbortSignal } = {}): Promise<EvalReport> {
  const truth = parseTruthCsv(o.truthCsv);
  const ingestHooks = { ...hooks };
  const train = await ingestVideo(store, o.trainPath, {}, ingestHooks);
  const test = await ingestVideo(store, o.testPath, {}, ingestHooks);
  if (test.frameCount !== truth.frames)
    throw new AppError('TruthMismatchError', `${o.testPath} decodes to ${test.frameCount} frames but the truth file has ${truth.frames} rows: they must describe the same video.`);

  const trained = await trainModel(store, { ...o.train, videoId: train.videoId }, hooks);
  const scored = await scoreVideo(store, trained.modelId, test.videoId, hooks);
  const model = getModel(store, trained.modelId);
  let iw: EvalReport['iw'];
  if (o.iwSamples && IW_KINDS.includes(model.kind)) {
    hooks.onProgress?.({ done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: `importance-weighted bound, K = ${o.iwSamples}` });
    const r = await iwScores(store, trained.modelId, test.videoId, { samples: o.iwSamples });
    const normal = (a: Float64Array) => {
      let s = 0;
      let n = 0;
      a.forEach((v, i) => {
        if (!truth.anomaly[i]) {
          s += v;
          n++;
        }
      });
      return s / n;
    };
    iw = { samples: r.samples, meanElbo: normal(r.elbo), meanBound: normal(r.bound), meanEss: normal(r.ess), framesPerSec: r.framesPerSec };
  }
  const scores = readScores(store, trained.modelId, test.videoId);
  const threshold = (model.calibration as { threshold: number }).threshold;
  const at = atThreshold(scores.combined, truth, threshold);

  const components: Record<string, KindAuc> = {};
  for (const c of SCORE_COMPONENTS) {
    const col = scores[c];
    if (c === 'combined' || col.every((x) => Number.isNaN(x) || x === col[0])) continue; // not computed by this kind (NULL or constant)
    components[c] = aucByKind(c === 'elbo' ? scores[c].map((x) => -x) : scores[c], truth);
  }

  hooks.onProgress?.({ done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: 'baselines' });
  const trainGray = toGray(asFrames(loadFrames(store, train.videoId)));
  const testGray = toGray(asFrames(loadFrames(store, test.videoId)));
  const bg = fitBgDiff(trainGray);
  const pca = fitPca(trainGray, 16);
  return {
    kind: model.kind,
    auc: aucByKind(scores.combined, truth),
    baselines: { bgdiff: aucByKind(scoreBgDiff(bg, testGray), truth), pca16: aucByKind(scorePca(pca, testGray), truth) },
    components,
    threshold,
    ...(iw ? { iw } : {}),
    eventRecall: at.eventRecall,
    falsePositiveRate: at.falsePositiveRate,
    frameRecall: at.frameRecall,
    backend: trained.backend,
    trainSeconds: trained.trainSeconds,
    trainFramesPerSec: trained.trainFramesPerSec,
    scoreFramesPerSec: scored.framesPerSec,
    modelId: trained.modelId,
    frames: { train: train.frameCount, test: test.frameCount },
  };
}

const asFrames = (f: { data: Uint8Array; count: number; size: number; channels: number }) => ({ ...f, channels: f.channels as 1 | 3 });
