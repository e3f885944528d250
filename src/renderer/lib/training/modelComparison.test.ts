import { describe, expect, it } from 'vitest';
import type { ModelComparison, ModelComparisonRow, ModelSummary } from '../../../shared/domain.js';
import { COMPARED_METRICS, deltaTone, formatDelta, formatMetric, labelsHint, parentDeltas } from './modelComparison.js';

const row = (modelId: number, o: Partial<ModelComparisonRow> = {}): ModelComparisonRow => ({
  modelId, name: `m${modelId}`, scored: true, auc: 0.8, falseAlarmFrames: 10, falseAlarmEvents: 2, detectedFrames: 30, meanNormalScore: 1.5, threshold: 3, ...o,
});
const model = (id: number, parentId: number | null): ModelSummary => ({
  id, kind: 'vae', name: `m${id}`, status: 'ready', trainVideoId: 1, parentId, backend: 'wasm', latentDim: 16, inputSize: 64, threshold: 3,
  trainSeconds: 10, trainFramesPerSec: 50, history: [], createdAt: '2026-01-01T00:00:00Z',
});

describe('parentDeltas', () => {
  it('gives child − parent for a fine-tune compared with its parent, with a verdict per figure', () => {
    const rows = [row(1), row(2, { auc: 0.9, falseAlarmFrames: 4, falseAlarmEvents: 2, detectedFrames: 28, meanNormalScore: 1.2 }), row(3)];
    const d = parentDeltas(rows, [model(3, null), model(2, 1), model(1, null)]);
    expect(d).toHaveLength(1);
    expect(d[0]!.childId).toBe(2);
    expect(d[0]!.parentId).toBe(1);
    const byKey = Object.fromEntries(d[0]!.deltas.map((x) => [x.key, x]));
    expect(byKey.auc!.delta).toBeCloseTo(0.1, 12);
    expect(byKey.auc!.tone).toBe('better');
    expect(byKey.falseAlarmFrames).toEqual({ key: 'falseAlarmFrames', delta: -6, tone: 'better' });
    expect(byKey.falseAlarmEvents).toEqual({ key: 'falseAlarmEvents', delta: 0, tone: 'same' });
    expect(byKey.detectedFrames).toEqual({ key: 'detectedFrames', delta: -2, tone: 'worse' });
    expect(byKey.meanNormalScore!.tone).toBe('neutral');
  });

  it('has no delta without the parent in the table, and null deltas where a figure is missing', () => {
    expect(parentDeltas([row(2)], [model(2, 1)])).toEqual([]);
    const d = parentDeltas([row(1, { scored: false, auc: null, falseAlarmFrames: null, falseAlarmEvents: null, detectedFrames: null, meanNormalScore: null }), row(2)], [
      model(1, null),
      model(2, 1),
    ]);
    expect(d[0]!.deltas.every((x) => x.delta === null && x.tone === 'neutral')).toBe(true);
  });
});

describe('formatting', () => {
  it('formats figures and signed deltas', () => {
    expect(formatMetric('auc', 0.91234)).toBe('0.912');
    expect(formatMetric('falseAlarmFrames', 1234)).toBe('1,234');
    expect(formatMetric('meanNormalScore', 1.234)).toBe('1.23');
    expect(formatMetric('auc', null)).toBe('–');
    expect(formatDelta('auc', 0.0412)).toBe('+0.041');
    expect(formatDelta('falseAlarmFrames', -12)).toBe('−12');
    expect(formatDelta('falseAlarmEvents', 0)).toBe('±0');
    expect(formatDelta('auc', 0.0001)).toBe('±0.000');
    expect(formatDelta('auc', null)).toBe('–');
  });

  it('judges a figure by the way it should move', () => {
    const spec = (k: string) => COMPARED_METRICS.find((m) => m.key === k)!;
    expect(deltaTone(spec('auc'), -0.1)).toBe('worse');
    expect(deltaTone(spec('falseAlarmFrames'), 3)).toBe('worse');
    expect(deltaTone(spec('detectedFrames'), 3)).toBe('better');
  });
});

describe('labelsHint', () => {
  const c = (normalFrames: number, incidentFrames: number): ModelComparison => ({ videoId: 1, normalFrames, incidentFrames, rows: [] });
  it('says what labels are missing', () => {
    expect(labelsHint(c(0, 0))).toMatch(/no usable labels yet/);
    expect(labelsHint(c(10, 0))).toMatch(/need a span labelled incident or tamper/);
    expect(labelsHint(c(0, 10))).toMatch(/need a span labelled normal or nuisance/);
    expect(labelsHint(c(10, 10))).toBeNull();
  });
});
