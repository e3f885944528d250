/** Kind 'vq-pixelcnn' (issue 16) through the engine: trains a VQ-VAE and its PixelCNN code prior, scores, shows, generates. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelGenerator } from '../src/core/app/generation.js';
import { ModelSessions, serveMedia } from '../src/core/app/media.js';
import { scoreSeries } from '../src/core/app/queries.js';
import { samplePrior, samplePriorPictures } from '../src/core/engine/generate.js';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { getParsedModel } from '../src/core/models/records.js';
import { kindDriver } from '../src/core/models/registry.js';
import { unpackVqPixelCnnWeights } from '../src/core/models/vq-pixelcnn/weights.js';
import { type CombinableRaw, combine, componentLog10P } from '../src/core/scoring/calibrate.js';
import { listModels, modelBlobs, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'cam.mp4');
let store: Store;
let videoId: number;

beforeAll(async () => {
  await makeTestsrcClip(clip, { seconds: 12, fps: 10, width: 160, height: 120 });
  store = new Store(join(tmp.dir, 'pixelcnn.db'));
  videoId = (await ingestVideo(store, clip, { size: 16 })).videoId;
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('kind vq-pixelcnn', () => {
  it('trains the VQ-VAE then its code prior; stores codeNll, calibrates it into the combined score, shows its heatmap, generates, re-scores the same', async () => {
    const stages = new Set<string>();
    const r = await trainModel(
      store,
      {
        kind: 'vq-pixelcnn',
        videoId,
        epochs: 2,
        batchSize: 16,
        maxFrames: 120,
        backend: 'wasm',
        filters: [8, 8],
        codePrior: { arch: { channels: 8, layers: 2, hidden: 16 }, epochs: 3, batchSize: 16 },
        checkpointDir: join(tmp.dir, 'ck'),
      },
      { onProgress: (p) => stages.add(p.stage.split(':')[0]!) },
    );
    expect([...stages].some((s) => s.startsWith('training the PixelCNN prior'))).toBe(true);
    const m = getParsedModel(store, r.modelId);
    expect(m.kind).toBe('vq-pixelcnn');
    if (m.kind !== 'vq-pixelcnn') return;
    expect(m.config.prior).toMatchObject({ codes: 64, height: 4, width: 4, channels: 8, layers: 2 });
    const calib = m.calibration!;
    expect(calib.rule?.codeNll).toBe('upper');
    expect(calib.rule?.rarity).toBe('upper');
    expect(calib.tails?.codeNll).toBeDefined();
    const own = readScores(store, r.modelId, videoId);
    expect(own.codeNll).toHaveLength(120);
    expect(own.codeNll.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);

    // The API's score series carries it, with its calibration for "which component drove this frame"; other kinds' series do not.
    const series = scoreSeries(store, r.modelId, videoId);
    expect(series.codeNll).toEqual(Array.from(own.codeNll));
    expect(series.components?.find((c) => c.name === 'codeNll')).toMatchObject({ side: 'upper', tail: calib.tails!.codeNll });

    // codeNll enters the combined score: a frame's own components give a p-value for it, and an
    // unlikely enough arrangement of codes alone crosses the threshold.
    const raw = (i: number): CombinableRaw => ({ recon: own.recon[i]!, patch: own.patch[i]!, kl: own.kl[i]!, temporal: own.temporal[i]!, stillness: own.stillness[i]!, sharpness: own.sharpness[i]!, motion: own.motion[i]!, rarity: own.rarity[i]!, codeNll: own.codeNll[i]! });
    expect(componentLog10P(raw(5), calib).codeNll).toBeLessThanOrEqual(0);
    expect(combine(raw(5), calib)).toBeCloseTo(own.combined[5]!, 3);
    expect(combine({ ...raw(5), codeNll: own.codeNll[5]! + 1000 }, calib)).toBeGreaterThan(calib.threshold);

    // The frame view: the reconstruction, and the heatmap of each code's −log p at the frame's size.
    const viewer = await kindDriver(m.kind).openFrameViewer(m, modelBlobs(store, r.modelId));
    try {
      const v = await viewer.view(store, videoId, 7);
      expect(v.size).toBe(16);
      expect(v.recon).toHaveLength(16 * 16 * 3);
      expect(v.heat!.values).toHaveLength(16 * 16);
      expect(v.heat!.values.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      expect(v.heat!.fullScale).toBeCloseTo(Math.log(64), 6);
      // The map sums to the frame's −log p(codes): 4×4 codes, each covering a 4×4 block.
      expect(v.heat!.values.reduce((a, b) => a + b, 0) / 16).toBeCloseTo(own.codeNll[7]!, 2);
    } finally {
      await viewer.dispose();
    }

    // The app's media route draws that heatmap as a PNG of the frame size.
    const sessions = new ModelSessions(store, 1);
    try {
      const png = await serveMedia(store, `heatmap/${r.modelId}/${videoId}/7.png`, sessions);
      expect(png.status, png.body.toString().slice(0, 200)).toBe(200);
      expect(png.body.readUInt32BE(16)).toBe(16);
    } finally {
      await sessions.close();
    }

    // Prior samples: code grids drawn from the prior and decoded, reproducible from the seed.
    const s1 = samplePrior(store, r.modelId, 3, 5);
    expect(s1.pixels).toHaveLength(3 * 16 * 16 * 3);
    expect(samplePrior(store, r.modelId, 3, 5).pixels).toEqual(s1.pixels);
    const forApp = await samplePriorPictures(store, r.modelId, 3, 5);
    expect(forApp).toMatchObject({ count: 3, size: 16, channels: 3 });
    expect(forApp.pixels).toEqual(s1.pixels);
    expect((await new ModelGenerator(store).samples(r.modelId, { count: 2, seed: 5 })).images).toHaveLength(2);
    expect(() => new ModelGenerator(store).traversal(r.modelId, { dims: [0, 1] })).toThrow(/no latent traversal, because its latent codes are discrete/);

    // The stored blob holds both networks; the graph rebuilt from it is the stored one, byte for byte.
    const blobs = modelBlobs(store, r.modelId);
    expect(unpackVqPixelCnnWeights(blobs.weights).prior.config.codes).toBe(64);
    expect(Buffer.from(kindDriver(m.kind).exportOnnx(m, blobs.weights)).equals(Buffer.from(blobs.onnx))).toBe(true);

    // Re-scoring with the stored calibration (another batch size) gives the same scores.
    await scoreVideo(store, r.modelId, videoId, { batch: 29 });
    const again = readScores(store, r.modelId, videoId);
    expect(Array.from(again.codeNll)).toEqual(Array.from(own.codeNll));
    expect(Array.from(again.combined)).toEqual(Array.from(own.combined));
  }, 120_000);

  it('other kinds store no codeNll (NULL, read as NaN) and their series has none', async () => {
    const { modelId } = await trainModel(store, { kind: 'pca', videoId, maxFrames: 120, checkpointDir: join(tmp.dir, 'ck') });
    expect(readScores(store, modelId, videoId).codeNll.every(Number.isNaN)).toBe(true);
    const series = scoreSeries(store, modelId, videoId);
    expect(series.codeNll).toBeUndefined();
    expect(series.components?.some((c) => c.name === 'codeNll')).toBe(false);
  });

  it('a cancel while the prior trains keeps nothing', async () => {
    const before = listModels(store).length;
    const ac = new AbortController();
    const run = trainModel(
      store,
      { kind: 'vq-pixelcnn', videoId, epochs: 1, batchSize: 16, maxFrames: 60, backend: 'wasm', filters: [8, 8], codePrior: { arch: { channels: 8, layers: 2, hidden: 16 }, epochs: 50, batchSize: 4 }, checkpointDir: join(tmp.dir, 'ck2') },
      { signal: ac.signal, onProgress: (p) => p.stage.startsWith('training the PixelCNN prior') && ac.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(listModels(store)).toHaveLength(before);
  }, 60_000);
});
