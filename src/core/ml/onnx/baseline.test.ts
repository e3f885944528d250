import { describe, expect, it } from 'vitest';
import { fitBgDiff, fitPca, scoreBgDiff, scorePca, toGray } from '../../eval/baselines.js';
import { OnnxBaselineScorer } from './baseline-runtime.js';
import { exportBaselineToOnnx } from './export-baseline.js';
import { randomFrames } from './test-helpers.js';

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
});
