import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import type { RawComponents } from '../engine/components.js';
import { ProgressMeter } from '../jobs/progress.js';
import { createModel, listEvents, readScores, type ScoreRow } from '../store/models.js';
import { Store } from '../store/store.js';
import { type Calibration, COMBINED_COMPONENTS, combine } from './calibrate.js';
import { type KindScorer, runScorePass, type ScoredBatch } from './pass.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const N = 40;
const S = 4;
/** A video whose frame i is one flat grey level; frames 20..27 are bright (the "event"). */
function videoStore(name: string): { store: Store; videoId: number; modelId: number } {
  const store = new Store(join(tmp.dir, `${name}.db`));
  const videoId = store.beginVideo({ path: `/x/${name}.mp4`, name, sizeBytes: 1, codec: 'h264', width: S, height: S, sourceFps: 5, durationSec: N / 5, sampledFps: 5, frameSize: S, channels: 3 });
  const px = new Uint8Array(N * S * S * 3);
  for (let i = 0; i < N; i++) px.fill(i >= 20 && i < 28 ? 200 : 10 + (i % 5), i * S * S * 3, (i + 1) * S * S * 3);
  store.appendFrames(videoId, Array.from({ length: N }, (_, i) => ({ index: i, sourceFrame: i, ptsSec: i / 5 })), px);
  store.finishVideo(videoId, name);
  const modelId = createModel(store, { kind: 'test', name: 'test', config: { inputSize: S }, trainVideoId: videoId });
  return { store, videoId, modelId };
}

/** A scorer whose one score a frame is its mean grey level / 255, stored as recon. */
class MeanScorer implements KindScorer<Float32Array> {
  readonly earlier = 0;
  disposed = false;
  batches: number[] = [];
  async run(pixels: Uint8Array, count: number): Promise<Float32Array> {
    this.batches.push(count);
    const per = pixels.length / count;
    return Float32Array.from({ length: count }, (_, i) => pixels.subarray(i * per, (i + 1) * per).reduce((a, b) => a + b, 0) / per / 255);
  }
  components(b: ScoredBatch<Float32Array>): RawComponents[] {
    return Array.from(b.s, (recon) => ({ recon, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0 }));
  }
  rows(b: ScoredBatch<Float32Array>, raw: RawComponents[], calib: Calibration): ScoreRow[] {
    return raw.map((r, i) => ({ idx: b.first + i, ...r, combined: combine(r, calib), mu: new Float32Array(0), logvar: new Float32Array(0) }));
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

const calibration = (median: number): Calibration => ({
  components: Object.fromEntries(COMBINED_COMPONENTS.map((k) => [k, k === 'recon' ? { median, scale: 0.01 } : { median: 0, scale: 1 }])) as Calibration['components'],
  rule: { recon: 'upper' },
  patchMean: [],
  patchStd: [],
  latentScale: [],
  threshold: 10,
  lowThreshold: 5,
  targetFpr: 0.05,
  sampledFps: 5,
});

describe('the scoring pass', () => {
  it('scores with a stored calibration: rows and events written, batch-independent, scorer disposed', async () => {
    const { store, videoId, modelId } = videoStore('score');
    const results = [];
    for (const batch of [7, 256]) {
      const scorer = new MeanScorer();
      const r = await runScorePass({ store, modelId, videoId, scorer, batch, motion: null, meter: new ProgressMeter(), calibration: calibration(0.05) });
      expect(r.frames).toBe(N);
      expect(scorer.disposed).toBe(true);
      expect(scorer.batches.length).toBe(Math.ceil(N / batch));
      results.push({ combined: Array.from(readScores(store, modelId, videoId).combined), events: listEvents(store, modelId, videoId).map((e) => [e.startIdx, e.endIdx]) });
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.events).toEqual([[20, 27]]);
    store.close();
  });

  it('calibrates on the way: the calibrate function sees every batch in order, and the video is written under what it learned', async () => {
    const { store, videoId, modelId } = videoStore('calibrate');
    let seen: number[] = [];
    const r = await runScorePass({
      store,
      modelId,
      videoId,
      scorer: new MeanScorer(),
      batch: 16,
      motion: null,
      meter: new ProgressMeter(),
      calibration: (batches, scorer) => {
        seen = batches.map((b) => b.first);
        const c = calibration(0.05);
        return { calibration: c, raw: batches.map((b) => scorer.components(b, c)) };
      },
    });
    expect(seen).toEqual([0, 16, 32]);
    expect(r.calibration.threshold).toBe(10);
    const calibrated = Array.from(readScores(store, modelId, videoId).combined);
    await runScorePass({ store, modelId, videoId, scorer: new MeanScorer(), batch: 16, motion: null, meter: new ProgressMeter(), calibration: r.calibration });
    expect(Array.from(readScores(store, modelId, videoId).combined)).toEqual(calibrated);
    store.close();
  });

  it('a canceled pass leaves no scores behind and disposes its scorer', async () => {
    const { store, videoId, modelId } = videoStore('cancel');
    const ac = new AbortController();
    const scorer = new MeanScorer();
    const run = scorer.run.bind(scorer);
    // Cancel once two batches have run (the first is written by then).
    scorer.run = async (pixels, count) => {
      if (scorer.batches.length === 2) ac.abort();
      return run(pixels, count);
    };
    await expect(runScorePass({ store, modelId, videoId, scorer, batch: 8, motion: null, meter: new ProgressMeter(), signal: ac.signal, calibration: calibration(0.05) })).rejects.toThrow();
    expect(scorer.disposed).toBe(true);
    expect(readScores(store, modelId, videoId).idx.length).toBe(0);
    store.close();
  });
});
