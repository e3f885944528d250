/** Model versions judged on the analyst's labels (the retrain loop's comparison and verdicts). */

/** One model version judged on the analyst's labels of one video. */
export interface ModelComparisonRow {
  modelId: number;
  name: string;
  /** Whether the video has been scored with this model (otherwise every figure is null). */
  scored: boolean;
  /** ROC AUC of the combined score: incident/tamper label frames against normal/nuisance ones; null without both. */
  auc: number | null;
  /** Frames labelled normal or nuisance whose combined score is at or over the model's threshold. */
  falseAlarmFrames: number | null;
  /** Events (at the model's threshold) that overlap a normal or nuisance label and no incident or tamper one. */
  falseAlarmEvents: number | null;
  /** Frames labelled incident or tamper that are at or over the threshold (recall numerator). */
  detectedFrames: number | null;
  /** Mean combined score over the normal/nuisance labelled frames. */
  meanNormalScore: number | null;
  threshold: number | null;
  /**
   * Per label class: its frames this version scored, and how many of them are at or over the version's
   * own threshold (incident/tamper: still detected; nuisance/normal: flagged). Null when unscored or
   * without a threshold.
   */
  classes: Record<ComparedClass, FlaggedCount> | null;
  /** False-positive rate on the reference held-out normal footage (see ModelComparison.heldOut); null where not available. */
  heldOutFpr: FlaggedCount | null;
}

/** The label classes a comparison judges, in the order shown: real change first, then the false-alarm classes. */
export const COMPARED_CLASSES = ['incident', 'tamper', 'nuisance', 'normal'] as const;
export type ComparedClass = (typeof COMPARED_CLASSES)[number];

/** `flagged` of `frames` frames at or over a version's own threshold. */
export interface FlaggedCount {
  flagged: number;
  frames: number;
}

/** One figure of a version against an earlier one: which way it moved and whether that is better for the analyst. */
export interface VerdictChange {
  /** A label class, or 'heldOut' (false alarms on the reference held-out normal footage). */
  metric: ComparedClass | 'heldOut';
  before: FlaggedCount;
  after: FlaggedCount;
  /** incident/tamper: more detected is better; nuisance/normal/heldOut: fewer flagged is better. heldOut moves within sampling noise are 'same'. */
  tone: 'better' | 'worse' | 'same';
}

/**
 * A version judged against the one it was fine-tuned from (or, with just two versions compared and no
 * parent link, the second against the first): a regression when any figure got worse (fewer
 * incident/tamper frames detected, more normal/nuisance or held-out frames flagged), whatever else improved.
 */
export interface ComparisonVerdict {
  beforeId: number;
  afterId: number;
  verdict: 'regression' | 'improvement' | 'same';
  changes: VerdictChange[];
}

export interface ModelComparison {
  videoId: number;
  /** Frames labelled normal or nuisance (the negatives), and incident or tamper (the positives). */
  normalFrames: number;
  incidentFrames: number;
  /** Frames of the video per compared label class (the latest label decides a frame's class). */
  classFrames: Record<ComparedClass, number>;
  /** The held-out frames the false-positive rate is measured on: a compared version's own calibration frames (the parent's, in a fine-tune pair); null when none recorded them. */
  heldOut: { modelId: number; videoId: number; frames: number } | null;
  rows: ModelComparisonRow[];
  verdicts: ComparisonVerdict[];
}
