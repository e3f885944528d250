/**
 * Judge model versions on the analyst's labels of one video, each at its own calibrated threshold (the
 * one scale every version is alarmed on): per label class, how many incident/tamper frames it still
 * detects and how many nuisance/normal frames it flags; its false-positive rate on held-out normal
 * footage (a compared version's own calibration frames, recorded in its config); and a verdict per
 * fine-tune against its parent: a regression when any of those got worse. ROC AUC is kept as a
 * secondary figure: it can rise while detection at the threshold falls, so it is never the verdict.
 * Only stored scores are used: a model that has not scored the video gets a row of nulls.
 */
import {
  type ComparedClass,
  COMPARED_CLASSES,
  type ComparisonVerdict,
  type FlaggedCount,
  type ModelComparison,
  type ModelComparisonRow,
  NORMAL_LABEL_CLASSES,
  type VerdictChange,
} from '../../shared/domain.js';
import { storedPool } from '../engine/training-pool.js';
import { rocAuc } from '../eval/roc.js';
import type { Calibration } from '../scoring/calibrate.js';
import { frameClasses, listLabels } from '../store/labels.js';
import { getParsedModel, type ParsedModel } from '../models/records.js';
import { listEvents, readScores } from '../store/models.js';
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
  classes: null,
  heldOutFpr: null,
});

function calibratedThreshold(calibration: Calibration | null): number | null {
  const t = calibration?.threshold;
  return t !== undefined && Number.isFinite(t) ? t : null;
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
  const classes = frameClasses(listLabels(store, videoId), video.frameCount);
  const roles = frameRoles(classes);
  const negatives = prefixCount(roles, 0);
  const positives = prefixCount(roles, 1);
  const ids = [...new Set(modelIds)];
  const models = ids.map((id) => getParsedModel(store, id));
  const heldOut = referenceHeldOut(store, models);
  const rows = ids.map((modelId) => compareOne(store, videoId, modelId, classes, roles, negatives, positives, heldOut));
  const classFrames = Object.fromEntries(COMPARED_CLASSES.map((c) => [c, classes.reduce((n, x) => n + (x === c ? 1 : 0), 0)])) as Record<ComparedClass, number>;
  return {
    videoId,
    normalFrames: negatives[roles.length]!,
    incidentFrames: positives[roles.length]!,
    classFrames,
    heldOut: heldOut ? { modelId: heldOut.modelId, videoId: heldOut.videoId, frames: heldOut.indices.length } : null,
    rows,
    verdicts: verdicts(rows, new Map(models.map((m) => [m.id, m.parentId]))),
  };
}

interface HeldOutSet {
  modelId: number;
  videoId: number;
  indices: number[];
}

/**
 * The held-out normal frames to measure false alarms on: those of a compared version that is the
 * parent of another compared one (its fine-tunes left them out of training), else of the oldest
 * compared version. Frames since labelled as anything but normal/nuisance are left out. Null when that
 * version recorded none (trained before they were recorded) or its video is gone: a later version's
 * held-out frames are not used, since an older one may have trained on them.
 */
function referenceHeldOut(store: Store, models: readonly ParsedModel[]): HeldOutSet | null {
  const parents = models.filter((m) => models.some((c) => c.parentId === m.id));
  const oldest = [...models].sort((a, b) => a.id - b.id).slice(0, 1);
  for (const m of parents.length ? parents : oldest) {
    const held = storedPool(m)?.heldOut;
    if (!held || held.indices.length === 0) continue;
    const v = store.listVideos().find((x) => x.id === held.videoId);
    if (!v) continue;
    const classes = frameClasses(listLabels(store, v.id), v.frameCount);
    const indices = held.indices.filter((i) => i >= 0 && i < v.frameCount && (classes[i] === '' || NORMAL_LABEL_CLASSES.includes(classes[i]!)));
    if (indices.length) return { modelId: m.id, videoId: v.id, indices };
  }
  return null;
}

function compareOne(
  store: Store,
  videoId: number,
  modelId: number,
  classes: readonly string[],
  roles: Int8Array,
  negatives: Int32Array,
  positives: Int32Array,
  heldOut: HeldOutSet | null,
): ModelComparisonRow {
  const model = getParsedModel(store, modelId);
  const scores = readScores(store, modelId, videoId);
  if (scores.idx.length === 0) return unscoredRow(modelId, model.name);
  const threshold = calibratedThreshold(model.calibration);

  const aucScores: number[] = [];
  const aucLabels: (0 | 1)[] = [];
  let falseAlarmFrames = 0;
  let detectedFrames = 0;
  let normalSum = 0;
  const perClass = Object.fromEntries(COMPARED_CLASSES.map((c) => [c, { flagged: 0, frames: 0 }])) as Record<ComparedClass, FlaggedCount>;
  for (let k = 0; k < scores.idx.length; k++) {
    const i = scores.idx[k]!;
    const role = roles[i] ?? -1;
    const s = scores.combined[k]!;
    // A frame the model could not score (NaN) says nothing about it; a rank statistic must not see it.
    if (role < 0 || Number.isNaN(s)) continue;
    aucScores.push(s);
    aucLabels.push(role as 0 | 1);
    const flagged = threshold !== null && s >= threshold;
    const c = perClass[classes[i] as ComparedClass];
    if (c) {
      c.frames++;
      if (flagged) c.flagged++;
    }
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
    classes: threshold === null ? null : perClass,
    heldOutFpr: threshold === null || !heldOut ? null : heldOutRate(store, modelId, heldOut, threshold),
  };
}

/** How many of the held-out frames the model flags at its threshold; null when it has not scored that video. */
function heldOutRate(store: Store, modelId: number, held: HeldOutSet, threshold: number): FlaggedCount | null {
  const scores = readScores(store, modelId, held.videoId);
  if (scores.idx.length === 0) return null;
  const at = new Map<number, number>();
  for (let k = 0; k < scores.idx.length; k++) at.set(scores.idx[k]!, scores.combined[k]!);
  let frames = 0;
  let flagged = 0;
  for (const i of held.indices) {
    const s = at.get(i);
    if (s === undefined || Number.isNaN(s)) continue;
    frames++;
    if (s >= threshold) flagged++;
  }
  return frames ? { flagged, frames } : null;
}

const rate = (c: FlaggedCount) => (c.frames ? c.flagged / c.frames : 0);

/**
 * Which way one figure moved. Label classes: any change in the share of the class's frames counts.
 * Held-out false alarms: only a move beyond two standard errors of the difference of two rates (the
 * parent's own threshold was set on these frames, so small moves are sampling noise).
 */
export function changeTone(metric: VerdictChange['metric'], before: FlaggedCount, after: FlaggedCount): VerdictChange['tone'] {
  const d = rate(after) - rate(before);
  let margin = 1e-12;
  if (metric === 'heldOut') {
    const p = (before.flagged + after.flagged) / Math.max(1, before.frames + after.frames);
    margin = Math.max(margin, 2 * Math.sqrt(p * (1 - p) * (1 / Math.max(1, before.frames) + 1 / Math.max(1, after.frames))));
  }
  if (Math.abs(d) <= margin) return 'same';
  const upIsBetter = metric === 'incident' || metric === 'tamper';
  return (d > 0) === upIsBetter ? 'better' : 'worse';
}

export function verdictOf(before: ModelComparisonRow, after: ModelComparisonRow): ComparisonVerdict | null {
  if (!before.classes || !after.classes) return null;
  const changes: VerdictChange[] = [];
  for (const c of COMPARED_CLASSES) {
    const b = before.classes[c];
    const a = after.classes[c];
    if (b.frames === 0 && a.frames === 0) continue;
    changes.push({ metric: c, before: b, after: a, tone: changeTone(c, b, a) });
  }
  if (before.heldOutFpr && after.heldOutFpr) changes.push({ metric: 'heldOut', before: before.heldOutFpr, after: after.heldOutFpr, tone: changeTone('heldOut', before.heldOutFpr, after.heldOutFpr) });
  const verdict = changes.some((c) => c.tone === 'worse') ? 'regression' : changes.some((c) => c.tone === 'better') ? 'improvement' : 'same';
  return { beforeId: before.modelId, afterId: after.modelId, verdict, changes };
}

/** Each compared fine-tune against its compared parent; with no such pair and two versions, the second against the first. */
function verdicts(rows: readonly ModelComparisonRow[], parentOf: ReadonlyMap<number, number | null>): ComparisonVerdict[] {
  const byId = new Map(rows.map((r) => [r.modelId, r]));
  const pairs: Array<[ModelComparisonRow, ModelComparisonRow]> = [];
  for (const r of rows) {
    const p = byId.get(parentOf.get(r.modelId) ?? -1);
    if (p) pairs.push([p, r]);
  }
  if (pairs.length === 0 && rows.length === 2) pairs.push([rows[0]!, rows[1]!]);
  return pairs.map(([b, a]) => verdictOf(b, a)).filter((v): v is ComparisonVerdict => v !== null);
}
