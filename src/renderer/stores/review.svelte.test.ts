import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockClient } from '../testing/mockClient.js';
import { ReviewStore, THRESHOLD_SAVE_MS } from './review.svelte.js';

afterEach(() => vi.useRealTimers());

describe('ReviewStore', () => {
  it('keeps the threshold per model: saved once the drag rests, loaded back on switching', async () => {
    vi.useFakeTimers();
    const client = createMockClient();
    client.getReviewState.mockImplementation(async (modelId, videoId) => ({ modelId, videoId, threshold: modelId === 4 ? 3.5 : null, reviewedPeaks: [] }));
    const store = new ReviewStore(client);
    await store.load(3, 1);
    store.setThreshold(2.9);
    store.setThreshold(3.1);
    expect(client.setReviewThreshold).not.toHaveBeenCalled();
    vi.advanceTimersByTime(THRESHOLD_SAVE_MS);
    expect(client.setReviewThreshold).toHaveBeenCalledExactlyOnceWith(3, 3.1);
    store.setThreshold(3.3);
    await store.load(4, 1); // switching saves the one still waiting
    expect(client.setReviewThreshold).toHaveBeenLastCalledWith(3, 3.3);
    expect(store.threshold).toBe(3.5);
  });

  it('shows a reviewed mark at once and takes it back when storing fails', async () => {
    const client = createMockClient();
    const store = new ReviewStore(client);
    await store.load(3, 1);
    const e = { id: 1, modelId: 3, videoId: 1, startIdx: 0, endIdx: 4, peakIdx: 2, peakScore: 3, startSec: 0, endSec: 0.4, threshold: 2.5 };
    client.setEventReviewed.mockRejectedValueOnce(new Error('disk full'));
    const done = store.toggleReviewed(e);
    expect(store.isReviewed(e)).toBe(true);
    await done;
    expect(store.isReviewed(e)).toBe(false);
    expect(store.error).toContain('disk full');
  });
});
