/**
 * One colour vocabulary for the review page: the timeline, the scatter and the event queue all take
 * their label, event and selection colours from here, so "nuisance" or "event" looks the same in each.
 * Picked to stay apart from each other and from the score curve (accent blue) and the threshold.
 */
export const CLASS_COLOURS: Readonly<Record<string, string>> = {
  normal: '#3ecf8e',
  nuisance: '#d4b483',
  incident: '#ff5c8a',
  tamper: '#c77dff',
};

/** Classes the analyst adds take the next of these (stable per name). */
const OTHER_CLASS_COLOURS = ['#56b6c2', '#98c379', '#ff9ff3', '#a29bfe', '#e8915b', '#7fdbca', '#b4c7e7', '#f0a6ca'];

/** A detected change event (not yet an analyst's judgement). */
export const EVENT_COLOUR = '#ff8a3d';
/** A brushed span or a lasso selection. */
export const SELECTION_COLOUR = '#56d4e0';
/** The alarm threshold. */
export const THRESHOLD_COLOUR = '#f5d142';
/** Frames nobody labelled (scatter). */
export const UNLABELLED_COLOUR = '#4a5260';

/** The colour of a label class: fixed for the built-in ones, a stable pick for the analyst's own. */
export function classColour(cls: string): string {
  const fixed = CLASS_COLOURS[cls];
  if (fixed) return fixed;
  let h = 0;
  for (const ch of cls) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return OTHER_CLASS_COLOURS[h % OTHER_CLASS_COLOURS.length]!;
}
