import { describe, expect, it } from 'vitest';
import type { ComparisonVerdict, ModelComparison, ModelComparisonRow, ModelSummary } from '../../../shared/domain.js';
import { comparisonColumns, defaultComparePicks, formatAucDelta, formatChange, formatCount, labelsHint, poolSentence, rowFigure, verdictSentence } from './modelComparison.js';

const counts = (incident: number, nuisance: number) => ({ incident: { flagged: incident, frames: 35 }, tamper: { flagged: 0, frames: 0 }, nuisance: { flagged: nuisance, frames: 20 }, normal: { flagged: 0, frames: 50 } });
const row = (modelId: number, o: Partial<ModelComparisonRow> = {}): ModelComparisonRow => ({
  modelId, name: `m${modelId}`, scored: true, auc: 0.8, falseAlarmFrames: 10, falseAlarmEvents: 2, detectedFrames: 30, meanNormalScore: 1.5, threshold: 3,
  classes: counts(35, 20), heldOutFpr: { flagged: 1, frames: 100 }, ...o,
});
const model = (id: number, parentId: number | null, o: Partial<ModelSummary> = {}): ModelSummary => ({
  id, kind: 'vae', name: `m${id}`, status: 'ready', trainVideoId: 1, parentId, backend: 'wasm', latentDim: 16, inputSize: 64, threshold: 3,
  trainSeconds: 10, trainFramesPerSec: 50, history: [], createdAt: '2026-01-01T00:00:00Z', ...o,
});
const comparison = (o: Partial<ModelComparison> = {}): ModelComparison => ({
  videoId: 1, normalFrames: 70, incidentFrames: 35, classFrames: { incident: 35, tamper: 0, nuisance: 20, normal: 50 }, heldOut: { modelId: 1, videoId: 2, frames: 100 }, rows: [], verdicts: [], ...o,
});
const regression: ComparisonVerdict = {
  beforeId: 1, afterId: 2, verdict: 'regression',
  changes: [
    { metric: 'incident', before: { flagged: 35, frames: 35 }, after: { flagged: 1, frames: 35 }, tone: 'worse' },
    { metric: 'nuisance', before: { flagged: 20, frames: 20 }, after: { flagged: 0, frames: 20 }, tone: 'better' },
    { metric: 'heldOut', before: { flagged: 1, frames: 100 }, after: { flagged: 2, frames: 100 }, tone: 'same' },
  ],
};

describe('comparison figures', () => {
  it('shows a column per labelled class and for held-out footage, as flagged / frames (share)', () => {
    expect(comparisonColumns(comparison()).map((c) => c.key)).toEqual(['incident', 'nuisance', 'normal', 'heldOut']);
    expect(comparisonColumns(comparison({ heldOut: null })).map((c) => c.key)).toEqual(['incident', 'nuisance', 'normal']);
    expect(formatCount(rowFigure(row(1, { classes: counts(34, 2) }), 'incident'))).toBe('34 / 35 (97%)');
    expect(formatCount(rowFigure(row(1), 'heldOut'))).toBe('1 / 100 (1.0%)');
    expect(formatCount(rowFigure(row(1, { classes: null }), 'nuisance'))).toBe('–');
  });

  it('says a regression in words with the figures that decided it; AUC is only a signed number', () => {
    expect(verdictSentence(regression)).toBe('Regression: #2 vs #1: incident frames detected 35 → 1.');
    expect(verdictSentence({ ...regression, verdict: 'improvement', changes: regression.changes.slice(1) })).toBe('Improvement: #2 vs #1: nuisance frames flagged 20 → 0, nothing worse.');
    expect(formatChange(regression.changes[2]!)).toBe('1.0% → 2.0%');
    expect(formatAucDelta(0.8, 0.97)).toBe('+0.170');
    expect(formatAucDelta(null, 0.97)).toBe('–');
  });
});

describe('poolSentence', () => {
  it('says what a fine-tune learned from and what it left out', () => {
    const m = model(4, 3, {
      pool: { baseVideoId: 2, baseSource: 'parent-training-video', baseFrames: 540, excludedFrames: 0, excludedEventFrames: 12, reservedHeldOutFrames: 60, labelledFrames: 30, labelledNormal: 10, labelledNuisance: 20, labelledVideos: 1, labelledRepeats: 9 },
    });
    expect(poolSentence(m, (id) => (id === 2 ? 'train.mp4' : '?'))).toBe(
      "#4 learned from 540 frames of train.mp4 (model #3's training footage) + 30 labelled frames (20 nuisance, 10 normal, on 1 video) ×9; left out: 12 unreviewed frames in #3's events or over its threshold, 60 held out by #3.",
    );
    expect(poolSentence(model(1, null), () => 'x')).toBeNull();
  });
});

describe('defaultComparePicks', () => {
  it('picks the newest version, its parent and the active one', () => {
    const ready = [model(5, 3), model(4, null), model(3, null)];
    expect(defaultComparePicks(ready, 3)).toEqual([3, 5]);
    expect(defaultComparePicks(ready, 4)).toEqual([3, 5, 4]);
    expect(defaultComparePicks([model(4, null), model(3, null)], 3)).toEqual([4, 3]);
    expect(defaultComparePicks([], null)).toEqual([]);
  });
});

describe('labelsHint', () => {
  const c = (normalFrames: number, incidentFrames: number) => comparison({ normalFrames, incidentFrames });
  it('says what labels are missing', () => {
    expect(labelsHint(c(0, 0))).toMatch(/no usable labels yet/);
    expect(labelsHint(c(10, 0))).toMatch(/need a span labelled incident or tamper/);
    expect(labelsHint(c(0, 10))).toMatch(/need a span labelled normal or nuisance/);
    expect(labelsHint(c(10, 10))).toBeNull();
  });
});
