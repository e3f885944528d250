/**
 * The retrain loop in the engine: labels keep abnormal frames out of training, and a fine-tune on
 * frames labelled nuisance lowers their scores. Footage is synthesized straight into the store (a
 * noisy still scene; a bright block crosses it in one span) so the test knows what every frame holds.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainModel } from '../src/core/engine/train-model.js';
import { trainingPool } from '../src/core/engine/training-pool.js';
import { createLabel, listLabels } from '../src/core/store/labels.js';
import { getModel, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { mulberry32 } from '../src/core/ml/prng.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const SIZE = 16;
const FRAMES = 300;
const SPAN = { start: 200, end: 229 }; // the "false alarm": a bright block moving through
const tiny = { epochs: 6, latentDim: 4, batchSize: 16, backend: 'wasm' as const, filters: [8, 8], klWarmupEpochs: 0, seed: 3 };
let store: Store;
let videoId: number;

function synthFrame(i: number, rand: () => number): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      for (let c = 0; c < 3; c++) px[(y * SIZE + x) * 3 + c] = Math.round(60 + 40 * (x / SIZE) + 20 * c + (rand() - 0.5) * 16);
  if (i >= SPAN.start && i <= SPAN.end) {
    const x0 = 2 + ((i - SPAN.start) % 8);
    for (let y = 5; y < 11; y++) for (let x = x0; x < x0 + 5; x++) for (let c = 0; c < 3; c++) px[(y * SIZE + x) * 3 + c] = c === 0 ? 250 : 230;
  }
  return px;
}

beforeAll(() => {
  store = new Store(join(tmp.dir, 'fine-tune.db'));
  videoId = store.beginVideo({ path: '/synthetic/cam.mp4', name: 'cam.mp4', sizeBytes: 1, codec: 'raw', width: SIZE, height: SIZE, sourceFps: 10, durationSec: FRAMES / 10, sampledFps: 10, frameSize: SIZE, channels: 3 });
  const rand = mulberry32(7);
  for (let first = 0; first < FRAMES; first += 50) {
    const n = Math.min(50, FRAMES - first);
    const px = new Uint8Array(n * SIZE * SIZE * 3);
    for (let k = 0; k < n; k++) px.set(synthFrame(first + k, rand), k * SIZE * SIZE * 3);
    store.appendFrames(videoId, Array.from({ length: n }, (_, k) => ({ index: first + k, sourceFrame: first + k, ptsSec: (first + k) / 10 })), px);
  }
  store.finishVideo(videoId, 'synthetic');
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

const spanMean = (modelId: number) => {
  const s = readScores(store, modelId, videoId);
  let sum = 0;
  for (let i = SPAN.start; i <= SPAN.end; i++) sum += s.combined[i]!;
  return sum / (SPAN.end - SPAN.start + 1);
};

describe('training pool', () => {
  it('never trains on frames labelled incident, tamper or another abnormal class', () => {
    const a = createLabel(store, { videoId, startIdx: 10, endIdx: 19, cls: 'incident' });
    const b = createLabel(store, { videoId, startIdx: 40, endIdx: 44, cls: 'forklift' });
    try {
      const pool = trainingPool(store, videoId, 10_000);
      const used = new Set(pool.picks.map((p) => p.index));
      expect(pool.excludedFrames).toBe(15);
      for (let i = 10; i <= 19; i++) expect(used.has(i)).toBe(false);
      for (let i = 40; i <= 44; i++) expect(used.has(i)).toBe(false);
      expect(pool.picks).toHaveLength(FRAMES - 15);
    } finally {
      store.db.prepare('DELETE FROM labels WHERE id IN (?, ?)').run(a.id, b.id);
    }
  });
  // What a fine-tune adds and leaves out: retrain-pool.test.ts.
});

describe('fine-tune on a nuisance label', () => {
  it("lowers the labelled span's score, keeps the parent, and records where it came from", async () => {
    // Seed 5: its held-out blocks (contiguous, one in each fifth) miss the unlabelled span. A held-out
    // block inside it would put the span in the calibration sample, and with 60 held-out frames the
    // 1% conformal threshold is their largest score: the parent would then never flag it.
    const parent = await trainModel(store, { ...tiny, seed: 5, videoId, checkpointDir: join(tmp.dir, 'ck') });
    const before = spanMean(parent.modelId);
    // The parent flags the moving block: it never learned it (30 of 300 frames).
    expect(before).toBeGreaterThan(parent.threshold);

    createLabel(store, { videoId, startIdx: SPAN.start, endIdx: SPAN.end, cls: 'nuisance', note: 'cleaner cart' });
    expect(listLabels(store, videoId)).toHaveLength(1);
    const child = await trainModel(store, { videoId, parentModelId: parent.modelId, checkpointDir: join(tmp.dir, 'ck'), backend: 'wasm', batchSize: 16, seed: 3 });
    const m = getModel(store, child.modelId);
    expect(m.parentId).toBe(parent.modelId);
    expect(m.name).toMatch(/Fine-tune of model/);
    expect((m.metrics as { labelledFrames: number }).labelledFrames).toBe(SPAN.end - SPAN.start + 1);
    const after = spanMean(child.modelId);
    expect(after).toBeLessThan(before / 2);
    // The parent's own scores are untouched (versions are kept for comparison and rollback).
    expect(spanMean(parent.modelId)).toBe(before);
  }, 240_000);
});
