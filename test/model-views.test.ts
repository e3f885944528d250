/**
 * What the app shows of each model kind, through AppApi and the media routes: prior samples and 2-D
 * latent traversals as real PNGs ("what normal looks like"), refusals that say why for kinds that
 * cannot generate, and a frame's reconstruction and heatmap for every kind (cvae, pca, bgdiff included).
 */
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppApiImpl } from '../src/core/app/app-api-impl.js';
import { handle } from '../src/core/app/handle.js';
import { ModelSessions, serveMedia } from '../src/core/app/media.js';
import { trainModel } from '../src/core/engine/train-model.js';
import type { JobRegistry } from '../src/core/jobs/registry.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { Store } from '../src/core/store/store.js';
import type { GeneratedSamples, LatentTraversalGrid, ModelKind } from '../src/shared/domain.js';
import type { Envelope } from '../src/shared/envelope.js';
import { makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
const tiny = { epochs: 1, latentDim: 4, batchSize: 16, maxFrames: 120, backend: 'wasm' as const, filters: [8, 8] };
let store: Store;
let api: AppApiImpl;
let videoId: number;
const models = {} as Record<ModelKind, number>;

beforeAll(async () => {
  const clip = join(tmp.dir, 'cam.mp4');
  await makeTestsrcClip(clip, { seconds: 12, fps: 10, width: 160, height: 120 });
  store = new Store(join(tmp.dir, 'views.db'));
  videoId = (await ingestVideo(store, clip, { size: 16 })).videoId;
  for (const kind of ['vae', 'ae', 'cvae', 'vq-vae', 'pca', 'bgdiff'] as const)
    models[kind] = (await trainModel(store, { ...tiny, kind, videoId, checkpointDir: join(tmp.dir, 'ck') })).modelId;
  api = new AppApiImpl({ store, jobs: {} as JobRegistry, dbPath: join(tmp.dir, 'views.db'), dataDir: tmp.dir, mode: 'browser', emit: () => undefined });
}, 240_000);
afterAll(() => {
  store.close();
  tmp.cleanup();
});

const call = async <T>(method: string, ...args: unknown[]): Promise<Envelope<T>> => (await handle(api, method, args, () => undefined)) as Envelope<T>;

/** A data URL's PNG: width, height, colour type, and its raw (filtered) scanlines. */
function readPng(url: string): { width: number; height: number; colourType: number; raw: Buffer } {
  expect(url.startsWith('data:image/png;base64,')).toBe(true);
  const b = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
  expect(b.subarray(1, 4).toString()).toBe('PNG');
  const idat = b.indexOf('IDAT');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), colourType: b[25]!, raw: inflateSync(b.subarray(idat + 4, idat + 4 + b.readUInt32BE(idat - 4))) };
}

describe('generateSamples', () => {
  it('decodes seeded prior samples of a vae to PNGs of the model size; the same seed repeats, another differs', async () => {
    const r = await call<GeneratedSamples>('generateSamples', models.vae, { count: 5, seed: 7 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ modelId: models.vae, seed: 7, size: 16 });
    expect(r.value.images).toHaveLength(5);
    const pngs = r.value.images.map(readPng);
    for (const p of pngs) expect(p).toMatchObject({ width: 16, height: 16, colourType: 2 });
    expect(pngs[0]!.raw.equals(pngs[1]!.raw)).toBe(false); // different draws, different pictures
    const again = await api.generateSamples(models.vae, { count: 5, seed: 7 });
    expect(again.images).toEqual(r.value.images);
    expect((await api.generateSamples(models.vae, { count: 5, seed: 8 })).images).not.toEqual(r.value.images);
    expect((await api.generateSamples(models.vae)).images).toHaveLength(16); // the default count
  });

  it('refuses kinds that cannot sample, saying why, and malformed requests', async () => {
    const ae = await call('generateSamples', models.ae);
    expect(ae).toMatchObject({ ok: false, error: { name: 'UnsupportedModelKindError' } });
    expect(!ae.ok && ae.error.message).toMatch(/Autoencoder: no prior samples, because a plain autoencoder has no prior/);
    for (const kind of ['pca', 'bgdiff', 'vq-vae', 'cvae'] as const)
      expect(await call('generateSamples', models[kind]), kind).toMatchObject({ ok: false, error: { name: 'UnsupportedModelKindError' } });
    expect(await call('generateSamples', models.vae, { count: 65 })).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(await call('generateSamples', models.vae, { count: 0 })).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(await call('generateSamples', 999)).toMatchObject({ ok: false, error: { name: 'NotFoundError' } });
  });
});

describe('latentTraversal', () => {
  it('decodes a steps × steps grid centred on a frame; the centre cell is the frame\'s own reconstruction code', async () => {
    const r = await call<LatentTraversalGrid>('latentTraversal', models.vae, { videoId, index: 40, dims: [1, 3], steps: 3, range: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const g = r.value;
    expect(g).toMatchObject({ modelId: models.vae, dims: [1, 3], steps: 3, size: 16, frame: { videoId, index: 40 }, colOffsets: [-2, 0, 2], rowOffsets: [-2, 0, 2] });
    expect(g.images).toHaveLength(9);
    expect(g.centre).toHaveLength(4);
    const pngs = g.images.map(readPng);
    for (const p of pngs) expect(p).toMatchObject({ width: 16, height: 16 });
    expect(pngs[0]!.raw.equals(pngs[8]!.raw)).toBe(false); // opposite corners differ
    // Without a frame a VAE's grid is centred on the prior's origin.
    const origin = await api.latentTraversal(models.vae, { dims: [0, 1], steps: 2 });
    expect(origin.frame).toBeNull();
    expect(origin.centre).toEqual([0, 0, 0, 0]);
    expect(origin.images).toHaveLength(4);
  });

  it('works for ae (centred on a training frame when none is picked) and cvae (conditioned on the predecessor)', async () => {
    const ae = await api.latentTraversal(models.ae, { dims: [0, 2], steps: 2 });
    expect(ae.frame).toEqual({ videoId, index: 60 });
    expect(ae.images.map(readPng)[0]).toMatchObject({ width: 16, colourType: 2 });
    const cvae = await api.latentTraversal(models.cvae, { videoId, index: 0, dims: [0, 1], steps: 2, range: 1 });
    expect(cvae.images).toHaveLength(4);
  });

  it('refuses what it cannot draw: other kinds, a dimension out of range, equal dimensions, big grids, half a frame', async () => {
    for (const kind of ['pca', 'bgdiff', 'vq-vae'] as const) {
      const r = await call('latentTraversal', models[kind], { dims: [0, 1] });
      expect(r, kind).toMatchObject({ ok: false, error: { name: 'UnsupportedModelKindError' } });
    }
    expect(await call('latentTraversal', models.vae, { dims: [0, 4] })).toMatchObject({ ok: false, error: { name: 'InvalidArgumentError', message: expect.stringMatching(/0\.\.3; 4 is not one/) } });
    expect(await call('latentTraversal', models.vae, { dims: [2, 2] })).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(await call('latentTraversal', models.vae, { dims: [0, 1], steps: 10 })).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(await call('latentTraversal', models.vae, { dims: [0, 1], range: 0 })).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(await call('latentTraversal', models.vae, { videoId, dims: [0, 1] })).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
  });
});

describe('frame view media for every kind', () => {
  it.each(['vae', 'cvae', 'vq-vae', 'pca', 'bgdiff'] as const)('%s: reconstruction and heatmap are PNGs of the frame size', async (kind) => {
    const sessions = new ModelSessions(store, 6);
    try {
      for (const view of ['recon', 'heatmap'] as const) {
        for (const index of [0, 33]) {
          const r = await serveMedia(store, `${view}/${models[kind]}/${videoId}/${index}.png`, sessions);
          expect(r.status, `${kind} ${view} ${index}: ${r.body.toString().slice(0, 200)}`).toBe(200);
          expect(r.body.subarray(1, 4).toString()).toBe('PNG');
          expect(r.body.readUInt32BE(16)).toBe(16);
        }
      }
    } finally {
      await sessions.close();
    }
  });

  it('cvae on k = 2 earlier frames: reconstruction and heatmap at the first frames (which repeat frame 0) and later', async () => {
    const id = (await trainModel(store, { ...tiny, kind: 'cvae', conditionFrames: 2, videoId, checkpointDir: join(tmp.dir, 'ck') })).modelId;
    const sessions = new ModelSessions(store, 2);
    try {
      for (const index of [0, 1, 40]) {
        const r = await serveMedia(store, `recon/${id}/${videoId}/${index}.png`, sessions);
        expect(r.status, r.body.toString().slice(0, 200)).toBe(200);
        expect(r.body.readUInt32BE(16)).toBe(16);
      }
    } finally {
      await sessions.close();
    }
  });

  it('a baseline reconstruction is what it compares against: the median background for bgdiff, a projection for pca', async () => {
    const sessions = new ModelSessions(store);
    try {
      const png = async (route: string) => readPng(`data:image/png;base64,${(await serveMedia(store, route, sessions)).body.toString('base64')}`);
      const bg0 = await png(`recon/${models.bgdiff}/${videoId}/0.png`);
      const bg1 = await png(`recon/${models.bgdiff}/${videoId}/90.png`);
      expect(bg0.colourType).toBe(0); // gray
      expect(bg0.raw.equals(bg1.raw)).toBe(true); // one background, whatever the frame
      const p0 = await png(`recon/${models.pca}/${videoId}/0.png`);
      const p1 = await png(`recon/${models.pca}/${videoId}/90.png`);
      expect(p0.raw.equals(p1.raw)).toBe(false); // a projection of each frame
      expect((await serveMedia(store, `recon/999/${videoId}/0.png`, sessions)).status).toBe(404);
    } finally {
      await sessions.close();
    }
  });
});
