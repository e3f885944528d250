/** Each kind's driver (src/core/models/): its exportOnnx rebuilds, from the stored weights, the scoring graph its training stored. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainModel } from '../src/core/engine/train-model.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { OnnxVaeScorer } from '../src/core/ml/onnx/runtime.js';
import { kindDriver } from '../src/core/models/registry.js';
import { getParsedModel } from '../src/core/models/records.js';
import { modelBlobs } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'cam.mp4');
const tiny = { epochs: 1, latentDim: 4, batchSize: 16, maxFrames: 80, backend: 'wasm' as const, filters: [8, 8] };
let store: Store;
let videoId: number;

beforeAll(async () => {
  await makeTestsrcClip(clip, { seconds: 8, fps: 10, width: 160, height: 120 });
  store = new Store(join(tmp.dir, 'drivers.db'));
  videoId = (await ingestVideo(store, clip, { size: 16 })).videoId;
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('driver exportOnnx', () => {
  it.each(['vq-vae', 'pca', 'bgdiff'] as const)('%s: the rebuilt graph is the stored one, byte for byte', async (kind) => {
    const { modelId } = await trainModel(store, { ...tiny, kind, videoId, checkpointDir: join(tmp.dir, 'ck') });
    const blobs = modelBlobs(store, modelId);
    expect(Buffer.from(kindDriver(kind).exportOnnx(getParsedModel(store, modelId), blobs.weights)).equals(Buffer.from(blobs.onnx))).toBe(true);
  });

  it('vae: the rebuilt graph scores frames as the stored one does', async () => {
    const { modelId } = await trainModel(store, { ...tiny, videoId, checkpointDir: join(tmp.dir, 'ck') });
    const blobs = modelBlobs(store, modelId);
    const rebuilt = kindDriver('vae').exportOnnx(getParsedModel(store, modelId), blobs.weights);
    const frames = new Uint8Array(4 * 16 * 16 * 3);
    for (let i = 0; i < 4; i++) frames.set(store.framePixels(videoId, i * 10).data, i * 16 * 16 * 3);
    const [a, b] = await Promise.all([OnnxVaeScorer.create(blobs.onnx), OnnxVaeScorer.create(rebuilt)]);
    try {
      const [sa, sb] = [await a.run(frames, 4), await b.run(frames, 4)];
      expect(Array.from(sb.reconMse)).toEqual(Array.from(sa.reconMse));
      expect(Array.from(sb.mu)).toEqual(Array.from(sa.mu));
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});
