/**
 * Which frames a model learns from. A model learns what normal looks like, so frames the analyst
 * labelled with anything but a normal class (incident, tamper, or a class they added) are never
 * trained on. A fine-tune also learns from every frame labelled normal or nuisance on any video,
 * repeated so that they weigh about a third of the set: those are the frames the analyst has just
 * told the model are not alarms.
 */
import { NORMAL_LABEL_CLASSES } from '../../shared/domain.js';
import { frameClasses, labelsOfClasses, listLabels } from '../store/labels.js';
import type { Store } from '../store/store.js';
import type { FramePick } from './frames.js';

export interface TrainingPool {
  picks: FramePick[];
  /** The first `baseCount` picks are the training video's own frames (distinct, in time order). */
  baseCount: number;
  /** Frames of the training video left out because they are labelled as something abnormal. */
  excludedFrames: number;
  /** Distinct frames labelled normal or nuisance that were added (fine-tune only). */
  labelledFrames: number;
  /** How many times each labelled frame appears. */
  labelledRepeats: number;
}

/** Share of the pool the labelled frames should make up after repetition (fine-tune). */
const LABELLED_SHARE = 1 / 3;
const MAX_REPEATS = 20;

export function trainingPool(store: Store, videoId: number, maxFrames: number, fineTune: boolean): TrainingPool {
  const v = store.getVideo(videoId);
  const classes = frameClasses(listLabels(store, videoId), v.frameCount);
  const normal = new Set(NORMAL_LABEL_CLASSES);
  const eligible: number[] = [];
  for (let i = 0; i < v.frameCount; i++) if (classes[i] === '' || normal.has(classes[i]!)) eligible.push(i);
  const take = Math.min(eligible.length, Math.max(1, Math.floor(maxFrames)));
  const base: FramePick[] = [];
  for (let k = 0; k < take; k++) base.push({ videoId, index: eligible[Math.floor((k * eligible.length) / take)]! });
  const pool: TrainingPool = { picks: base, baseCount: base.length, excludedFrames: v.frameCount - eligible.length, labelledFrames: 0, labelledRepeats: 0 };
  if (!fineTune) return pool;

  const labelled: FramePick[] = [];
  // Per video: its frames' classes, or null when it is stored at another size (this model cannot take it).
  const classesOf = new Map<number, string[] | null>([[videoId, classes]]);
  for (const l of labelsOfClasses(store, NORMAL_LABEL_CLASSES)) {
    if (!classesOf.has(l.videoId)) {
      const lv = store.getVideo(l.videoId);
      classesOf.set(l.videoId, lv.status === 'ready' && lv.frameSize === v.frameSize ? frameClasses(listLabels(store, l.videoId), lv.frameCount) : null);
    }
    const other = classesOf.get(l.videoId);
    if (!other) continue;
    for (let i = l.startIdx; i <= l.endIdx; i++) if (normal.has(other[i] ?? '')) labelled.push({ videoId: l.videoId, index: i });
  }
  const distinct = [...new Map(labelled.map((p) => [`${p.videoId}:${p.index}`, p])).values()];
  if (distinct.length === 0) return pool;
  const repeats = Math.min(MAX_REPEATS, Math.max(1, Math.round((LABELLED_SHARE / (1 - LABELLED_SHARE)) * (base.length / distinct.length))));
  for (let r = 0; r < repeats; r++) pool.picks.push(...distinct);
  pool.labelledFrames = distinct.length;
  pool.labelledRepeats = repeats;
  return pool;
}
