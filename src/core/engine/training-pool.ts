/**
 * Which frames a model learns from. A model learns what normal looks like, so frames the analyst
 * labelled with anything but a normal class (incident, tamper, or a class they added) are never
 * trained on.
 *
 * A fine-tune (`fineTunePool`) learns from two sources only:
 * - rehearsal: the footage its parent was trained on (the parent's base video, followed up the chain
 *   of fine-tunes), less the parent's held-out frames (kept unseen so versions can be compared on
 *   them) and less every frame there that is inside one of the parent's events or over the parent's
 *   threshold, unless the analyst labelled it normal or nuisance: an unreviewed event is never
 *   learned as normal;
 * - every frame labelled normal or nuisance on any video of the same frame size, repeated so that they
 *   weigh about a third of the set: those are the frames the analyst has just said are not alarms.
 * Unreviewed frames of the reviewed video are not a source (unless it is the parent's own footage,
 * under the rule above).
 */
import { AppError } from '../../shared/envelope.js';
import { NORMAL_LABEL_CLASSES, type TrainingPoolRecord } from '../../shared/domain.js';
import { frameClasses, labelsOfClasses, listLabels } from '../store/labels.js';
import { getParsedModel, type ParsedModel } from '../models/records.js';
import { listEvents, readScores } from '../store/models.js';
import type { Store } from '../store/store.js';
import type { FramePick } from './frames.js';

/** What a training pool held, per source (stored in the model's config as `pool` and in its metrics). */
export type PoolRecord = TrainingPoolRecord;

export interface TrainingPool extends PoolRecord {
  picks: FramePick[];
  /** The first `baseCount` picks are the base video's own frames (distinct, in time order). */
  baseCount: number;
  /** A fine-tune: the base video's frames left out because they were the parent's held-out frames (never trained on by either). */
  reserved?: number[];
}

/** Share of the pool the labelled frames should make up after repetition (fine-tune). */
const LABELLED_SHARE = 1 / 3;
const MAX_REPEATS = 20;

function spread(videoId: number, eligible: readonly number[], maxFrames: number): FramePick[] {
  const take = Math.min(eligible.length, Math.max(1, Math.floor(maxFrames)));
  const out: FramePick[] = [];
  for (let k = 0; k < take; k++) out.push({ videoId, index: eligible[Math.floor((k * eligible.length) / take)]! });
  return out;
}

function emptyRecord(baseVideoId: number, baseSource: PoolRecord['baseSource']): PoolRecord {
  return {
    baseVideoId,
    baseSource,
    baseFrames: 0,
    excludedFrames: 0,
    excludedEventFrames: 0,
    reservedHeldOutFrames: 0,
    labelledFrames: 0,
    labelledNormal: 0,
    labelledNuisance: 0,
    labelledVideos: 0,
    labelledRepeats: 0,
  };
}

/** A new model's pool: the training video's frames that are not labelled abnormal, evenly spread to at most maxFrames. */
export function trainingPool(store: Store, videoId: number, maxFrames: number): TrainingPool {
  const v = store.getVideo(videoId);
  const classes = frameClasses(listLabels(store, videoId), v.frameCount);
  const normal = new Set(NORMAL_LABEL_CLASSES);
  const eligible: number[] = [];
  for (let i = 0; i < v.frameCount; i++) if (classes[i] === '' || normal.has(classes[i]!)) eligible.push(i);
  const picks = spread(videoId, eligible, maxFrames);
  return { ...emptyRecord(videoId, 'training-video'), picks, baseCount: picks.length, baseFrames: picks.length, excludedFrames: v.frameCount - eligible.length };
}

/** The parts of a model's stored config this module reads and writes. */
export interface StoredPool extends Partial<PoolRecord> {
  /** The base-video frames its calibration held out (never trained on). */
  heldOut?: { videoId: number; indices: number[] };
}

export function storedPool(model: ParsedModel): StoredPool | null {
  // records.ts checks the fields the engine reads and keeps the rest of the config (the pool among them) as stored.
  const p = model.config.pool;
  return p && typeof p === 'object' ? (p as StoredPool) : null;
}

/** The video a model's base frames came from: recorded in its config, else (older models) its training video. */
export function modelBaseVideo(store: Store, modelId: number): number | null {
  const m = getParsedModel(store, modelId);
  return storedPool(m)?.baseVideoId ?? m.trainVideoId;
}

/** Per frame of `videoId`: true where the model flagged it (inside one of its stored events, or combined score at or over its threshold). Null when it has not scored the video. */
export function flaggedFrames(store: Store, modelId: number, videoId: number, frameCount: number): Uint8Array | null {
  const model = getParsedModel(store, modelId);
  const scores = readScores(store, modelId, videoId);
  if (scores.idx.length === 0) return null;
  const t = model.calibration?.threshold;
  const threshold = t !== undefined && Number.isFinite(t) ? t : Infinity;
  const out = new Uint8Array(frameCount);
  for (let k = 0; k < scores.idx.length; k++) {
    const i = scores.idx[k]!;
    if (i < frameCount && scores.combined[k]! >= threshold) out[i] = 1;
  }
  for (const e of listEvents(store, modelId, videoId)) for (let i = Math.max(0, e.startIdx); i <= Math.min(frameCount - 1, e.endIdx); i++) out[i] = 1;
  return out;
}

/** Every frame labelled normal or nuisance on a ready video stored at `frameSize` (the latest label decides a frame's class). */
function labelledPicks(store: Store, frameSize: number): { picks: FramePick[]; normal: number; nuisance: number; videos: number } {
  const normal = new Set(NORMAL_LABEL_CLASSES);
  const classesOf = new Map<number, string[] | null>();
  const seen = new Set<string>();
  const picks: FramePick[] = [];
  let nNormal = 0;
  let nNuisance = 0;
  const videos = new Set<number>();
  for (const l of labelsOfClasses(store, NORMAL_LABEL_CLASSES)) {
    if (!classesOf.has(l.videoId)) {
      const lv = store.getVideo(l.videoId);
      classesOf.set(l.videoId, lv.status === 'ready' && lv.frameSize === frameSize ? frameClasses(listLabels(store, l.videoId), lv.frameCount) : null);
    }
    const classes = classesOf.get(l.videoId);
    if (!classes) continue;
    for (let i = l.startIdx; i <= l.endIdx; i++) {
      const c = classes[i] ?? '';
      const key = `${l.videoId}:${i}`;
      if (!normal.has(c) || seen.has(key)) continue;
      seen.add(key);
      picks.push({ videoId: l.videoId, index: i });
      videos.add(l.videoId);
      if (c === 'nuisance') nNuisance++;
      else nNormal++;
    }
  }
  return { picks, normal: nNormal, nuisance: nNuisance, videos: videos.size };
}

/**
 * A fine-tune's pool (see the module comment). The base video is the parent's own base video when it
 * is still in the library at the parent's frame size, else the reviewed video (under the same rule).
 * Fails when the parent has no scores on the base video (it cannot tell which frames are events there).
 */
export function fineTunePool(store: Store, parentId: number, reviewedVideoId: number, maxFrames: number): TrainingPool {
  const parent = getParsedModel(store, parentId);
  const reviewed = store.getVideo(reviewedVideoId);
  const parentBase = modelBaseVideo(store, parentId);
  let baseId = reviewedVideoId;
  let source: PoolRecord['baseSource'] = 'reviewed-video';
  if (parentBase !== null) {
    const pv = store.listVideos().find((v) => v.id === parentBase);
    if (pv && pv.status === 'ready' && pv.frameSize === reviewed.frameSize) {
      baseId = parentBase;
      source = 'parent-training-video';
    }
  }
  const base = store.getVideo(baseId);
  const classes = frameClasses(listLabels(store, baseId), base.frameCount);
  const flagged = flaggedFrames(store, parentId, baseId, base.frameCount);
  if (!flagged)
    throw new AppError('TrainingInputError', `Model ${parentId} has not scored ${base.name}: score it with model ${parentId} first, so the fine-tune can leave its events out.`);
  const held = storedPool(parent)?.heldOut;
  const reserved = new Set(held && held.videoId === baseId ? held.indices : []);
  const normal = new Set(NORMAL_LABEL_CLASSES);
  const record = emptyRecord(baseId, source);
  const eligible: number[] = [];
  const reservedFrames: number[] = [];
  for (let i = 0; i < base.frameCount; i++) {
    const c = classes[i]!;
    if (c !== '' && !normal.has(c)) record.excludedFrames++;
    else if (reserved.has(i)) {
      record.reservedHeldOutFrames++;
      reservedFrames.push(i);
    }
    else if (c === '' && flagged[i]) record.excludedEventFrames++;
    else eligible.push(i);
  }
  const picks = spread(baseId, eligible, maxFrames);
  const pool: TrainingPool = { ...record, picks, baseCount: picks.length, baseFrames: picks.length, reserved: reservedFrames };

  const labelled = labelledPicks(store, reviewed.frameSize);
  if (labelled.picks.length === 0) return pool;
  const repeats = Math.min(MAX_REPEATS, Math.max(1, Math.round((LABELLED_SHARE / (1 - LABELLED_SHARE)) * (Math.max(1, picks.length) / labelled.picks.length))));
  for (let r = 0; r < repeats; r++) pool.picks.push(...labelled.picks);
  pool.labelledFrames = labelled.picks.length;
  pool.labelledNormal = labelled.normal;
  pool.labelledNuisance = labelled.nuisance;
  pool.labelledVideos = labelled.videos;
  pool.labelledRepeats = repeats;
  return pool;
}

/** The counts of a pool, without its picks (what a model records). */
export function poolRecord(p: TrainingPool): PoolRecord {
  const { picks: _picks, baseCount: _baseCount, reserved: _reserved, ...record } = p;
  return record;
}
