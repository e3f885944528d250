/**
 * Making a version active is the analyst's decision: a new version (a fine-tune or a fresh training)
 * never becomes the active one by itself, whether or not the analyst ever chose one explicitly.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppApiImpl } from '../src/core/app/app-api-impl.js';
import type { JobRegistry } from '../src/core/jobs/registry.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';
import { fakeModel } from './model-fixtures.js';

const tmp = tempDir();
let store: Store;
let api: AppApiImpl;
let videoId: number;

beforeAll(() => {
  store = new Store(join(tmp.dir, 'active.db'));
  videoId = store.beginVideo({ path: '/synthetic/a.mp4', name: 'a.mp4', sizeBytes: 1, codec: 'raw', width: 16, height: 16, sourceFps: 10, durationSec: 1, sampledFps: 10, frameSize: 16, channels: 3 });
  store.appendFrames(videoId, Array.from({ length: 10 }, (_, i) => ({ index: i, sourceFrame: i, ptsSec: i / 10 })), new Uint8Array(10 * 16 * 16 * 3));
  store.finishVideo(videoId, 'synthetic');
  api = new AppApiImpl({ store, jobs: {} as JobRegistry, dbPath: join(tmp.dir, 'active.db'), dataDir: tmp.dir, mode: 'browser', emit: () => undefined });
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

const scores = () => ({ [videoId]: Array.from({ length: 10 }, () => 1) });

describe('the active model', () => {
  it('stays the first ready version when a fine-tune and a new training finish, until the analyst chooses', async () => {
    expect(await api.getActiveModel()).toBeNull();
    const first = fakeModel(store, { trainVideoId: videoId, threshold: 5, scores: scores() });
    expect(await api.getActiveModel()).toBe(first); // the only version: nothing to choose between
    const fineTune = fakeModel(store, { trainVideoId: videoId, parentId: first, threshold: 5, scores: scores() });
    expect(await api.getActiveModel()).toBe(first);
    const fresh = fakeModel(store, { trainVideoId: videoId, threshold: 5, scores: scores() });
    expect(await api.getActiveModel()).toBe(first);
    // The analyst's choice, and it holds while more versions are trained.
    await api.setActiveModel(fineTune);
    expect(await api.getActiveModel()).toBe(fineTune);
    fakeModel(store, { trainVideoId: videoId, parentId: fineTune, threshold: 5, scores: scores() });
    expect(await api.getActiveModel()).toBe(fineTune);
    await api.setActiveModel(fresh);
    expect(await api.getActiveModel()).toBe(fresh);
  });
});
