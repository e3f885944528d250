import { afterEach, describe, expect, it } from 'vitest';
import { createMockClient } from '../testing/mockClient.js';
import { ProjectionStore } from './projection.svelte.js';

afterEach(() => localStorage.clear());

describe('ProjectionStore', () => {
  it('remembers the projection method across sessions (a reload keeps UMAP)', () => {
    const client = createMockClient();
    expect(new ProjectionStore(client).method).toBe('pca');
    new ProjectionStore(client).method = 'umap';
    expect(new ProjectionStore(client).method).toBe('umap');
  });

  it('keeps only the newest answer', async () => {
    const client = createMockClient();
    let release: (v: unknown) => void = () => undefined;
    client.getLatentProjection
      .mockImplementationOnce(() => new Promise((r) => (release = r as (v: unknown) => void)))
      .mockImplementationOnce(async (modelId, videoId, method) => ({ modelId, videoId, method, index: [0], x: [1], y: [2], explained: [], mixtureClass: null }));
    const store = new ProjectionStore(client);
    store.load(3, 1, true, 'pca');
    store.load(3, 1, true, 'umap');
    await new Promise((r) => setTimeout(r, 0));
    release({ modelId: 3, videoId: 1, method: 'pca', index: [0], x: [9], y: [9], explained: [1, 0], mixtureClass: null });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.projection?.method).toBe('umap');
    expect(store.loading).toBe(false);
  });
});
