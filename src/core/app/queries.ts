/** Read-side queries shared by the API and the CLI. */
import type { ChangeEvent, ComponentScale, ScoreSeries } from '../../shared/domain.js';
import { type Calibration, COMBINED_COMPONENTS } from '../scoring/calibrate.js';
import { getParsedModel } from '../models/records.js';
import { getModel, listEvents, readScores } from '../store/models.js';
import type { Store } from '../store/store.js';

export function scoreSeries(store: Store, modelId: number, videoId: number): ScoreSeries {
  const m = getParsedModel(store, modelId);
  store.getVideo(videoId);
  const s = readScores(store, modelId, videoId);
  const pts = store.framePts(videoId);
  const col = (a: Float32Array) => Array.from(a);
  // Older calibrations may lack (or hold null in) the optional fields: read them defensively.
  const calib: Partial<Calibration> | null = m.calibration;
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
    // Only kinds with a code prior (vq-pixelcnn) store it; the others' column is all NULL (NaN).
    ...(s.codeNll.some(Number.isFinite) ? { codeNll: col(s.codeNll) } : {}),
    threshold: calib?.threshold ?? NaN,
    lowThreshold: calib?.lowThreshold ?? calib?.threshold ?? NaN,
    sampledFps: calib?.sampledFps ?? store.getVideo(videoId).sampledFps,
    ...componentScales(m.calibration),
  };
}

export function changeEvents(store: Store, modelId: number, videoId: number): ChangeEvent[] {
  getModel(store, modelId);
  const pts = store.framePts(videoId);
  return listEvents(store, modelId, videoId).map((e) => ({ ...e, startSec: pts[e.startIdx] ?? NaN, endSec: pts[e.endIdx] ?? NaN }));
}

/** The calibrated components that enter the combined score, for "which component drove this frame". */
function componentScales(c: Partial<Calibration> | null): { components?: ComponentScale[] } {
  if (!c?.components) return {};
  const out: ComponentScale[] = [];
  for (const name of COMBINED_COMPONENTS) {
    const side = c.rule ? c.rule[name] : 'upper';
    const st = c.components[name];
    const tail = c.version === 2 ? c.tails?.[name] : undefined;
    if (side && st) out.push({ name, median: st.median, scale: st.scale, side, ...(tail ? { tail } : {}) });
  }
  // −log p(codes) (vq-pixelcnn) is calibrated by its tail model only: its centre and spread are read off the tail's quantiles.
  const codeTail = c.version === 2 ? c.tails?.codeNll : undefined;
  const codeSide = c.rule?.codeNll;
  if (codeSide && codeTail) out.push({ name: 'codeNll', median: codeTail.q[50]!, scale: Math.max((codeTail.q[75]! - codeTail.q[25]!) / 1.349, 1e-9), side: codeSide, tail: codeTail });
  return { components: out };
}
