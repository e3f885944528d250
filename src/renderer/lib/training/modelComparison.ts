/** The comparison table's figures: which way is better for each, and before/after deltas of fine-tunes. */
import type { ModelComparison, ModelComparisonRow, ModelSummary } from '../../../shared/domain.js';

export type ComparedMetric = 'auc' | 'falseAlarmFrames' | 'falseAlarmEvents' | 'detectedFrames' | 'meanNormalScore';

export interface MetricSpec {
  key: ComparedMetric;
  label: string;
  title: string;
  /** Which way is an improvement; null where the scale differs between versions (no verdict). */
  better: 'up' | 'down' | null;
}

export const COMPARED_METRICS: readonly MetricSpec[] = [
  { key: 'auc', label: 'AUC', title: 'How well the combined score ranks incident/tamper frames above normal/nuisance ones (1 is perfect, 0.5 is chance).', better: 'up' },
  { key: 'falseAlarmFrames', label: 'False-alarm frames', title: 'Frames labelled normal or nuisance at or over the version’s own threshold.', better: 'down' },
  { key: 'falseAlarmEvents', label: 'False-alarm events', title: 'Detected events that overlap a normal/nuisance label and no incident/tamper one.', better: 'down' },
  { key: 'detectedFrames', label: 'Detected frames', title: 'Frames labelled incident or tamper at or over the threshold.', better: 'up' },
  {
    key: 'meanNormalScore',
    label: 'Mean normal score',
    title: 'Mean combined score over normal/nuisance frames. Each version is calibrated on its own, so compare it with its threshold.',
    better: null,
  },
];

export type Tone = 'better' | 'worse' | 'same' | 'neutral';

export interface MetricDelta {
  key: ComparedMetric;
  /** child − parent; null where either figure is missing. */
  delta: number | null;
  tone: Tone;
}

/** A fine-tuned version compared with its parent, both in the table and both scored on the video. */
export interface ParentDelta {
  childId: number;
  parentId: number;
  deltas: MetricDelta[];
}

export function deltaTone(spec: MetricSpec, delta: number | null): Tone {
  if (delta === null || spec.better === null) return 'neutral';
  if (Math.abs(delta) < 1e-12) return 'same';
  return (delta > 0) === (spec.better === 'up') ? 'better' : 'worse';
}

/** One entry per compared child whose parent is compared too (scored or not: missing figures give null deltas). */
export function parentDeltas(rows: readonly ModelComparisonRow[], models: readonly ModelSummary[]): ParentDelta[] {
  const byId = new Map(rows.map((r) => [r.modelId, r]));
  const parentOf = new Map(models.map((m) => [m.id, m.parentId]));
  const out: ParentDelta[] = [];
  for (const child of rows) {
    const parentId = parentOf.get(child.modelId) ?? null;
    const parent = parentId === null ? undefined : byId.get(parentId);
    if (!parent || parentId === null) continue;
    const deltas = COMPARED_METRICS.map((spec) => {
      const a = parent[spec.key];
      const b = child[spec.key];
      const delta = a === null || b === null ? null : b - a;
      return { key: spec.key, delta, tone: deltaTone(spec, delta) };
    });
    out.push({ childId: child.modelId, parentId, deltas });
  }
  return out;
}

/** A figure for a table cell: AUC with three decimals, counts as integers, scores with two decimals. */
export function formatMetric(key: ComparedMetric, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (key === 'auc') return v.toFixed(3);
  if (key === 'meanNormalScore') return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
}

/** A delta with its sign: "+0.041", "−12", "±0". */
export function formatDelta(key: ComparedMetric, d: number | null): string {
  if (d === null || !Number.isFinite(d)) return '–';
  const text = formatMetric(key, Math.abs(d));
  if (Number(text.replace(/,/g, '')) === 0) return `±${text}`;
  return `${d > 0 ? '+' : '−'}${text}`;
}

/** Why a comparison cannot judge much yet, or null when its labels hold both classes. */
export function labelsHint(c: ModelComparison): string | null {
  if (c.normalFrames === 0 && c.incidentFrames === 0) {
    return 'This video has no usable labels yet. In Review, label spans as normal or nuisance (quiet footage, harmless motion) and as incident or tamper (real change), then compare again.';
  }
  if (c.incidentFrames === 0) return 'Only normal/nuisance labels here: false alarms are counted, but AUC and detections need a span labelled incident or tamper.';
  if (c.normalFrames === 0) return 'Only incident/tamper labels here: detections are counted, but AUC and false alarms need a span labelled normal or nuisance.';
  return null;
}
