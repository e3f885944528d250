/** One colour per label class, from the shared palette (timeline, scatter and queue agree). */
import { classColour } from '../palette.js';

export const labelColour = classColour;

/** Label shortcuts: N normal, U nuisance, I incident, T tamper. */
export const LABEL_KEYS: Record<string, string> = { n: 'normal', u: 'nuisance', i: 'incident', t: 'tamper' };
