/** Train → calibrate → score → events on real (tiny) footage, through the engine and through jobs. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../src/core/app/create-app.js';
import { heatColour, ModelSessions, serveMedia } from '../src/core/app/media.js';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { workerEntryBeside } from '../src/core/jobs/worker-host.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { getModel, listEvents, listModels, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'cam.mp4');
const tiny = { epochs: 2, latentDim: 4, batchSize: 16, maxFrames: 120, backend: 'wasm' as const, filters: [8, 8] };
let store: Store;
let videoId: number;

beforeAll(async () => {
  await makeTestsrcClip(clip, { seconds: 12, fps: 10, width: 160, height: 120 });
  store = new Store(join(tmp.dir, 'engine.db'));
  videoId = (await ingestVideo(store, clip, { size: 16 })).videoId;
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('trainModel + scoreVideo', () => {
  it('trains, calibrates on held-out frames, and scores every frame with finite components', async () => {
    const r = await trainModel(store, { ...tiny, videoId, checkpointDir: join(tmp.dir, 'ck') });
    const m = getModel(store, r.modelId);
    expect(m.status).toBe('ready');
    expect(r.backend).toBe('wasm');
    expect(Number.isFinite(r.threshold)).toBe(true);
    // The training video itself was scored during calibration.
    const own = readScores(store, r.modelId, videoId);
    expect(own.idx.length).toBe(120);

    const s = await scoreVideo(store, r.modelId, videoId, { batch: 50 });
    expect(s.frames).toBe(120);
    const scores = readScores(store, r.modelId, videoId);
    expect(Array.from(scores.idx)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    for (const c of ['recon', 'patch', 'kl', 'nll', 'elbo', 'temporal', 'stillness', 'sharpness', 'motion', 'combined'] as const)
      expect(scores[c].every(Number.isFinite), c).toBe(true);
    // Same frames, same model: scoring again reproduces the calibration pass exactly (batching does not matter).
    expect(Array.from(scores.combined)).toEqual(Array.from(own.combined));
    // On its own footage, only a small share of frames should exceed the alarm threshold (it is the 99th
    // percentile of the held-out frames' scores).
    const over = scores.combined.filter((x) => x >= r.threshold).length;
    expect(over / 120).toBeLessThan(0.2);
    // The conformal threshold of the held-out frames: one of their scores, or (with fewer than 1/α held-out
    // frames, as here) just above the largest of them; never far above everything the video scored.
    expect(r.threshold).toBeLessThanOrEqual(Math.max(...scores.combined) * 1.01 + 1e-6);
    expect(listEvents(store, r.modelId, videoId).every((e) => e.endIdx >= e.startIdx)).toBe(true);
  });

  it('renders a frame\'s reconstruction and error heatmap on demand', async () => {
    const m = listModels(store)[0]!;
    const sessions = new ModelSessions(store);
    try {
      for (const view of ['recon', 'heatmap']) {
        const r = await serveMedia(store, `${view}/${m.id}/${videoId}/5.png`, sessions);
        expect(r.status, view).toBe(200);
        expect(r.body.subarray(1, 4).toString()).toBe('PNG');
        expect(r.body.readUInt32BE(16)).toBe(16); // PNG width = stored frame size
      }
      expect((await serveMedia(store, `heatmap/999/${videoId}/5.png`, sessions)).status).toBe(404);
      expect((await serveMedia(store, `recon/${m.id}/${videoId}/9999.png`, sessions)).status).toBe(404);
    } finally {
      await sessions.close();
    }
    expect(heatColour(0)).toEqual([0, 0, 4]);
    expect(heatColour(1)).toEqual([252, 255, 164]);
  });

  it('refuses a video stored at another frame size, and keeps nothing', async () => {
    const m = listModels(store)[0]!;
    const other = (await ingestVideo(store, clip, { size: 32, fps: 2 })).videoId;
    await expect(scoreVideo(store, m.id, other)).rejects.toMatchObject({ name: 'FrameSizeError' });
    expect(readScores(store, m.id, other).idx.length).toBe(0);
  });

  it('leaves no model behind when training is canceled', async () => {
    const before = listModels(store).length;
    const ac = new AbortController();
    const run = trainModel(store, { ...tiny, epochs: 50, videoId, checkpointDir: join(tmp.dir, 'ck2') }, {
      signal: ac.signal,
      onProgress: (p) => p.stage.startsWith('training') && p.done > 2 && ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(listModels(store).length).toBe(before);
  });

  it('says clearly when there are too few frames to learn and calibrate from', async () => {
    const short = join(tmp.dir, 'short.mp4');
    await makeTestsrcClip(short, { seconds: 2, fps: 10, width: 64, height: 48 });
    const v = (await ingestVideo(store, short, { size: 16 })).videoId;
    await expect(trainModel(store, { ...tiny, videoId: v, checkpointDir: join(tmp.dir, 'ck3') })).rejects.toThrow(/held-out frames|too few/i);
  });
});

describe('train and score as jobs through AppApi', () => {
  let core: AppCore;
  beforeAll(() => {
    core = createAppCore({ dbPath: join(tmp.dir, 'jobs.db'), mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  });
  afterAll(() => core.close());

  it('runs training and scoring in the worker with progress, and exposes models, scores and events', async () => {
    const imp = await core.jobs.wait((await core.api.importVideo(clip, { size: 16 })).jobId);
    const vid = (imp.result as { videoId: number }).videoId;
    const stages = new Set<string>();
    const off = core.jobs.onUpdate((j) => j.kind === 'train' && stages.add(j.progress.stage.split(':')[0]!));
    const train = await core.jobs.wait((await core.api.trainModel(vid, { epochs: 2, latentDim: 4, maxFrames: 120, backend: 'wasm' })).jobId);
    off();
    expect(train.state, train.error?.message).toBe('succeeded');
    expect([...stages].some((s) => s.startsWith('training on wasm'))).toBe(true);
    const modelId = (train.result as { modelId: number }).modelId;
    const [m] = await core.api.listModels();
    expect(m).toMatchObject({ id: modelId, status: 'ready', backend: 'wasm', latentDim: 4 });
    expect(m!.history.length).toBe(2);
    const score = await core.jobs.wait((await core.api.scoreVideo(modelId, vid)).jobId);
    expect(score.state, score.error?.message).toBe('succeeded');
    const series = await core.api.getScores(modelId, vid);
    expect(series.combined).toHaveLength(120);
    expect(series.ptsSec[10]).toBeCloseTo(1.0, 6);
    expect(Array.isArray(await core.api.listEvents(modelId, vid))).toBe(true);
  });

  it('refuses malformed training options through the API', async () => {
    const { handle } = await import('../src/core/app/handle.js');
    for (const args of [[1, { epochs: 0 }], [1, { backend: 'cuda' }], [1, { learningRate: -1 }], ['1'], [1, { extra: 1 }]]) {
      const r = await handle(core.api, 'trainModel', args, () => undefined);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.name).toBe('ValidationError');
    }
  });
});
