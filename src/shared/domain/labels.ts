/** The analyst's labels on spans of stored frames. */

/** The label classes every library has; the analyst can add more. */
export const BUILTIN_LABEL_CLASSES = ['normal', 'nuisance', 'incident', 'tamper'] as const;
/** Classes whose frames a fine-tune may learn from as normal footage. Everything else is kept out of training. */
export const NORMAL_LABEL_CLASSES: readonly string[] = ['normal', 'nuisance'];

/** An analyst's label on a span of stored frames (inclusive). */
export interface Label {
  id: number;
  videoId: number;
  startIdx: number;
  endIdx: number;
  /** normal, nuisance, incident, tamper, or a class the analyst added. */
  cls: string;
  note: string;
  createdAt: string;
  updatedAt: string;
}

export interface LabelInput {
  videoId: number;
  startIdx: number;
  endIdx: number;
  cls: string;
  note?: string;
}

export interface LabelPatch {
  startIdx?: number;
  endIdx?: number;
  cls?: string;
  note?: string;
}
