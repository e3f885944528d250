/**
 * Judge model versions on the analyst's labels of one video: how well each one's combined score
 * separates the frames labelled incident/tamper from those labelled normal/nuisance (ROC AUC), and
 * what it would cost at its own calibrated threshold (false-alarm frames and events, detected frames).
 * Only stored scores are used: a model that has not scored the video gets a row of nulls.
 */
import { type ModelComparison, type ModelComparisonRow, NORMAL_LABEL_CLASSES } from '../../shared/domain.js';
import { rocAuc } from '../eval/roc.js';
import { frameClasses, listLabels } from '../store/labels.js';
import { getModel, listEvents, readScores } from '../store/models.js';
import type { Store } from '../store/store.js';

/** Classes whose frames count as real change (positives); normal/nuisance are the negatives, other classes are left out. */
export const INCIDENT_LABEL_CLASSES: readonly string[] = ['incident', 'tamper'];

/** Per-frame role of the video's labels: 1 positive, 0 negative, -1 unlabelled or another class. */
function frameRoles(classes: readonly string[]): Int8Array {
  const roles = new Int8Array(classes.length).fill(-1);
  classes.forEach((c, i) => {
    if (INCIDENT_LABEL_CLASSES.includes(c)) roles[i] = 1;
    else if (NORMAL_LABEL_CLASSES.includes(c)) roles[i] = 0;
  });
  return roles;
}

/** prefix[i] = how many of roles[0..i) equal `role`, so any span is counted in O(1). */
function prefixCount(roles: Int8Array, role: 0 | 1): Int32Array {
  const prefix = new Int32Array(roles.length + 1);
  for (let i = 0; i < roles.length; i++) prefix[i + 1] = prefix[i]! + (roles[i] === role ? 1 : 0);
  return prefix;
}

function spanCount(prefix: Int32Array, start: number, end: number): number {
  const a = Math.max(0, Math.min(prefix.length - 1, start));
  const b = Math.max(0, Math.min(prefix.length - 1, end + 1));
  return b > a ? prefix[b]! - prefix[a]! : 0;
}

const unscoredRow = (modelId: number, name: string): ModelComparisonRow => ({
  modelId,
  name,
  scored: false,
  auc: null,
  falseAlarmFrames: null,
  falseAlarmEvents: null,
  detectedFrames: null,
  meanNormalScore: null,
  threshold: null,
});

function calibratedThreshold(calibration: unknown): number | null {
  const t = (calibration as { threshold?: unknown } | null)?.threshold;
  return typeof t === 'number' && Number.isFinite(t) ? t : null;
}

/**
 * One row per model, in the order asked (an id asked twice gets one row). Fails with NotFoundError
 * for an unknown video or model.
 *
 * A stored event is a false alarm when it overlaps a normal/nuisance frame and no incident/tamper
 * frame: an event that covers an incident and runs on into normal footage found the incident.
 * Where labels overlap, the latest label decides a frame's class (as `frameClasses`).
 */
export function compareModels(store: Store, videoId: number, modelIds: readonly number[]): ModelComparison {
  const video = store.getVideo(videoId);
  const roles = frameRoles(frameClasses(listLabels(store, videoId), video.frameCount));
  const negatives = prefixCount(roles, 0);
  const positives = prefixCount(roles, 1);
  const rows = [...new Set(modelIds)].map((modelId) => compareOne(store, videoId, modelId, roles, negatives, positives));
  return { videoId, normalFrames: negatives[roles.length]!, incidentFrames: positives[roles.length]!, rows };
}

function compareOne(store: Store, videoId: number, modelId: number, roles: Int8Array, negatives: Int32Array, positives: Int32Array): ModelComparisonRow {
  const model = getModel(store, modelId);
  const scores = readScores(store, modelId, videoId);
  if (scores.idx.length === 0) return unscoredRow(modelId, model.name);
  const threshold = calibratedThreshold(model.calibration);

  const aucScores: number[] = [];
  const aucLabels: (0 | 1)[] = [];
  let falseAlarmFrames = 0;
  let detectedFrames = 0;
  let normalSum = 0;
  for (let k = 0; k < scores.idx.length; k++) {
    const role = roles[scores.idx[k]!] ?? -1;
    const s = scores.combined[k]!;
    // A frame the model could not score (NaN) says nothing about it; a rank statistic must not see it.
    if (role < 0 || Number.isNaN(s)) continue;
    aucScores.push(s);
    aucLabels.push(role as 0 | 1);
    const flagged = threshold !== null && s >= threshold;
    if (role === 0) {
      normalSum += s;
      if (flagged) falseAlarmFrames++;
    } else if (flagged) detectedFrames++;
  }
  const nNeg = aucLabels.length - aucLabels.reduce<number>((a, b) => a + b, 0);
  const nPos = aucLabels.length - nNeg;
  const auc = nPos > 0 && nNeg > 0 ? rocAuc(aucScores, aucLabels) : null;

  const falseAlarmEvents = listEvents(store, modelId, videoId).filter(
    (e) => spanCount(negatives, e.startIdx, e.endIdx) > 0 && spanCount(positives, e.startIdx, e.endIdx) === 0,
  ).length;

  return {
    modelId,
    name: model.name,
    scored: true,
    auc,
    falseAlarmFrames: threshold === null ? null : falseAlarmFrames,
    falseAlarmEvents,
    detectedFrames: threshold === null ? null : detectedFrames,
    meanNormalScore: nNeg > 0 ? normalSum / nNeg : null,
    threshold,
  };
}
