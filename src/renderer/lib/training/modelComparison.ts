/**
 * The comparison table's figures. Every version is judged at its own threshold, per label class
 * (incident/tamper still detected, nuisance/normal flagged) and on held-out normal footage; the
 * verdict of a fine-tune against its parent comes from the app (compare.ts) and only it is coloured.
 * AUC is shown as a secondary figure, never as the verdict.
 */
import { COMPARED_CLASSES, type ComparisonVerdict, type FlaggedCount, type ModelComparison, type ModelComparisonRow, type ModelSummary, type VerdictChange } from '../../../shared/domain.js';

export type ColumnKey = VerdictChange['metric'];

export interface ColumnSpec {
  key: ColumnKey;
  label: string;
  title: string;
}

const COLUMN_SPECS: Record<ColumnKey, ColumnSpec> = {
  incident: { key: 'incident', label: 'Incident detected', title: 'Frames labelled incident at or over the version’s own threshold, of those labelled incident. More is better.' },
  tamper: { key: 'tamper', label: 'Tamper detected', title: 'Frames labelled tamper at or over the version’s own threshold, of those labelled tamper. More is better.' },
  nuisance: { key: 'nuisance', label: 'Nuisance flagged', title: 'Frames labelled nuisance (false alarms) still at or over the version’s own threshold. Fewer is better.' },
  normal: { key: 'normal', label: 'Normal flagged', title: 'Frames labelled normal at or over the version’s own threshold. Fewer is better.' },
  heldOut: {
    key: 'heldOut',
    label: 'Held-out false alarms',
    title: 'Share of the reference version’s held-out normal training frames (never trained on) at or over each version’s own threshold. Fewer is better; the reference’s own figure is its calibration target.',
  },
};

/** The columns worth showing: classes with labelled frames on the video, and held-out footage where recorded. */
export function comparisonColumns(c: ModelComparison): ColumnSpec[] {
  const cols = COMPARED_CLASSES.filter((k) => c.classFrames[k] > 0).map((k) => COLUMN_SPECS[k]);
  if (c.heldOut) cols.push(COLUMN_SPECS.heldOut);
  return cols;
}

export function rowFigure(row: ModelComparisonRow, key: ColumnKey): FlaggedCount | null {
  if (key === 'heldOut') return row.heldOutFpr;
  return row.classes?.[key] ?? null;
}

const pct = (c: FlaggedCount) => (c.frames ? (100 * c.flagged) / c.frames : 0);
const pctText = (p: number) => (p === 0 || p === 100 || p >= 10 ? p.toFixed(0) : p.toFixed(1));

/** "34 / 35 (97%)"; "–" when missing. */
export function formatCount(c: FlaggedCount | null): string {
  if (!c) return '–';
  return `${c.flagged.toLocaleString('en-US')} / ${c.frames.toLocaleString('en-US')} (${pctText(pct(c))}%)`;
}

/** "35 → 1"; held-out false alarms as rates ("1.0% → 2.5%"). */
export function formatChange(ch: VerdictChange): string {
  if (ch.metric === 'heldOut') return `${pctText(pct(ch.before))}% → ${pctText(pct(ch.after))}%`;
  return `${ch.before.flagged.toLocaleString('en-US')} → ${ch.after.flagged.toLocaleString('en-US')}`;
}

export function formatAuc(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(3);
}

/** The AUC change, signed, as plain text (never a verdict). */
export function formatAucDelta(before: number | null, after: number | null): string {
  if (before === null || after === null) return '–';
  const d = after - before;
  const t = Math.abs(d).toFixed(3);
  return Number(t) === 0 ? `±${t}` : `${d > 0 ? '+' : '−'}${t}`;
}

const WHAT: Record<ColumnKey, string> = {
  incident: 'incident frames detected',
  tamper: 'tamper frames detected',
  nuisance: 'nuisance frames flagged',
  normal: 'normal frames flagged',
  heldOut: 'held-out false alarms',
};

/** One sentence: the verdict and the figures that decided it (the worse ones for a regression). */
export function verdictSentence(v: ComparisonVerdict): string {
  const tone = v.verdict === 'regression' ? 'worse' : 'better';
  const decisive = v.changes.filter((c) => c.tone === tone);
  const figures = decisive.map((c) => `${WHAT[c.metric]} ${formatChange(c)}`).join(', ');
  if (v.verdict === 'regression') return `Regression: #${v.afterId} vs #${v.beforeId}: ${figures}.`;
  if (v.verdict === 'improvement') return `Improvement: #${v.afterId} vs #${v.beforeId}: ${figures}, nothing worse.`;
  return `No change at the thresholds: #${v.afterId} vs #${v.beforeId} flags the same share of every labelled class.`;
}

/** What a version learned from (its recorded pool), in one sentence; null for versions trained before it was recorded. */
export function poolSentence(m: ModelSummary, videoName: (id: number) => string): string | null {
  const p = m.pool;
  if (!p) return null;
  const n = (x: number) => x.toLocaleString('en-US');
  const from =
    p.baseSource === 'parent-training-video'
      ? `${n(p.baseFrames)} frames of ${videoName(p.baseVideoId)} (model #${m.parentId ?? '?'}'s training footage)`
      : `${n(p.baseFrames)} frames of ${videoName(p.baseVideoId)}`;
  const parts = [`#${m.id} learned from ${from}`];
  if (p.labelledFrames > 0)
    parts.push(`${n(p.labelledFrames)} labelled frames (${n(p.labelledNuisance)} nuisance, ${n(p.labelledNormal)} normal, on ${n(p.labelledVideos)} video${p.labelledVideos === 1 ? '' : 's'}) ×${p.labelledRepeats}`);
  const left: string[] = [];
  if (p.excludedEventFrames > 0) left.push(`${n(p.excludedEventFrames)} unreviewed frames in #${m.parentId ?? '?'}'s events or over its threshold`);
  if (p.reservedHeldOutFrames > 0) left.push(`${n(p.reservedHeldOutFrames)} held out by #${m.parentId ?? '?'}`);
  if (p.excludedFrames > 0) left.push(`${n(p.excludedFrames)} labelled incident, tamper or another class`);
  return `${parts.join(' + ')}${left.length ? `; left out: ${left.join(', ')}` : ''}.`;
}

/** Why a comparison cannot judge much yet, or null when its labels hold both kinds. */
export function labelsHint(c: ModelComparison): string | null {
  if (c.normalFrames === 0 && c.incidentFrames === 0) {
    return 'This video has no usable labels yet. In Review, label spans as normal or nuisance (quiet footage, harmless motion) and as incident or tamper (real change), then compare again.';
  }
  if (c.incidentFrames === 0) return 'Only normal/nuisance labels here: false alarms are counted, but detections need a span labelled incident or tamper.';
  if (c.normalFrames === 0) return 'Only incident/tamper labels here: detections are counted, but false alarms need a span labelled normal or nuisance.';
  return null;
}

/**
 * The versions compared until the analyst picks: the newest ready version, the one it was fine-tuned
 * from, and the active one (a fine-tune does not become active by itself, so it is not the active one).
 */
export function defaultComparePicks(ready: readonly ModelSummary[], activeId: number | null): number[] {
  const newest = ready[0];
  const ids = [newest?.parentId ?? null, newest?.id ?? null, activeId].filter((id): id is number => id !== null && ready.some((m) => m.id === id));
  return [...new Set(ids)];
}
