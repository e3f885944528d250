import { describe, expect, it } from 'vitest';
import { fitBgDiff, fitPca, scoreBgDiff, scorePca, toGray } from '../../eval/baselines.js';
import { OnnxBaselineScorer } from './baseline-runtime.js';
import { exportBaselineToOnnx } from './export-baseline.js';
import { randomFrames } from '../../../../test/ml/onnx-reference.js';

const config = { inputSize: 16, channels: 3, filters: [4], latentDim: 2, likelihood: 'bernoulli' as const, fixedLogVar: 0 };

describe('baseline kinds in ONNX', () => {
  const train = randomFrames(config, 40, 3);
  const test = randomFrames(config, 12, 4);
  const trainGray = toGray({ data: train, count: 40, size: 16, channels: 3 });
  const testGray = toGray({ data: test, count: 12, size: 16, channels: 3 });

  it.each([
    ['pca', () => fitPca(trainGray, 5), (m: ReturnType<typeof fitPca>) => scorePca(m, testGray)],
    ['bgdiff', () => fitBgDiff(trainGray), (m: ReturnType<typeof fitBgDiff>) => scoreBgDiff(m, testGray)],
  ] as const)('%s: the graph gives the same score as the plain-JS baseline', async (_name, fit, score) => {
    const model = fit();
    const expected = (score as (m: typeof model) => Float64Array)(model);
    const scorer = await OnnxBaselineScorer.create(exportBaselineToOnnx(model), 16);
    try {
      const got = await scorer.run(test, 12);
      for (let i = 0; i < 12; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5 + 1e-4 * expected[i]!);
    } finally {
      await scorer.dispose();
    }
  });

  it.each(['pca', 'bgdiff'] as const)('%s with an ignore mask: the mean over observed pixels of the model fitted on zeroed ignored pixels, blind to them', async (kind) => {
    const D = 256;
    const ignore = new Uint8Array(D);
    for (let p = 0; p < 64; p++) ignore[p] = 1; // the top four rows
    const observed = D - 64;
    const zeroed = (g: typeof trainGray) => ({ ...g, data: Float32Array.from(g.data, (v, i) => (ignore[i % D] ? 0 : v)) });
    const model = kind === 'pca' ? fitPca(zeroed(trainGray), 5) : fitBgDiff(zeroed(trainGray));
    // Reference written out directly: residuals (PCA) or |differences| (bgdiff) at observed pixels only, divided by their count.
    const tg = zeroed(testGray);
    const full = kind === 'pca' ? scorePca(model as ReturnType<typeof fitPca>, tg) : scoreBgDiff(model as ReturnType<typeof fitBgDiff>, tg);
    const expected = Array.from(full, (v) => (v * D) / observed); // ignored pixels contribute exactly 0 to the JS mean
    if (kind === 'bgdiff') {
      const med = (model as ReturnType<typeof fitBgDiff>).median;
      for (let f = 0; f < 12; f++) {
        let sum = 0;
        for (let p = 0; p < D; p++) if (!ignore[p]) sum += Math.abs(testGray.data[f * D + p]! - med[p]!);
        expect(expected[f]).toBeCloseTo(sum / observed, 6);
      }
    }
    const scorer = await OnnxBaselineScorer.create(exportBaselineToOnnx(model, ignore), 16);
    try {
      const got = await scorer.run(test, 12);
      for (let i = 0; i < 12; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5 + 1e-4 * expected[i]!);
      const scrambled = test.slice();
      for (let f = 0; f < 12; f++) for (let p = 0; p < 64; p++) scrambled.fill((f * 37 + p * 11) % 256, (f * D + p) * 3, (f * D + p) * 3 + 3);
      expect(Array.from(await scorer.run(scrambled, 12))).toEqual(Array.from(got));
    } finally {
      await scorer.dispose();
    }
  });
});
