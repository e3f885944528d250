/** Read-side queries shared by the API and the CLI. */
import type { ChangeEvent, ScoreSeries } from '../../shared/domain.js';
import { getModel, listEvents, readScores } from '../store/models.js';
import type { Store } from '../store/store.js';

export function scoreSeries(store: Store, modelId: number, videoId: number): ScoreSeries {
  const m = getModel(store, modelId);
  store.getVideo(videoId);
  const s = readScores(store, modelId, videoId);
  const pts = store.framePts(videoId);
  const col = (a: Float32Array) => Array.from(a);
  const calib = m.calibration as { threshold?: number; lowThreshold?: number; sampledFps?: number } | null;
  return {
    modelId,
    videoId,
    index: Array.from(s.idx),
    ptsSec: Array.from(s.idx, (i) => pts[i] ?? NaN),
    combined: col(s.combined),
    recon: col(s.recon),
    patch: col(s.patch),
    kl: col(s.kl),
    elbo: col(s.elbo),
    temporal: col(s.temporal),
    stillness: col(s.stillness),
    sharpness: col(s.sharpness),
    motion: col(s.motion),
    threshold: calib?.threshold ?? NaN,
    lowThreshold: calib?.lowThreshold ?? calib?.threshold ?? NaN,
    sampledFps: calib?.sampledFps ?? store.getVideo(videoId).sampledFps,
  };
}

export function changeEvents(store: Store, modelId: number, videoId: number): ChangeEvent[] {
  getModel(store, modelId);
  const pts = store.framePts(videoId);
  return listEvents(store, modelId, videoId).map((e) => ({ ...e, startSec: pts[e.startIdx] ?? NaN, endSec: pts[e.endIdx] ?? NaN }));
}
