/** Event reviews: reviewed events by peak frame and the per-model threshold survive reopening the database. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { apiSchemas } from '../../shared/schemas.js';
import { getReviewState, setEventReviewed, setReviewThreshold } from './event-reviews.js';
import { createModel } from './models.js';
import { Store } from './store.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('event reviews in the store', () => {
  it('marks, unmarks and keeps reviewed events and the chosen threshold', () => {
    const file = join(tmp.dir, 'reviews.db');
    const store = new Store(file);
    const videoId = store.beginVideo({ path: '/f/a.mp4', name: 'a.mp4', sizeBytes: 1, codec: 'h264', width: 8, height: 8, sourceFps: 10, durationSec: 1, sampledFps: 10, frameSize: 8, channels: 3 });
    store.appendFrames(videoId, [{ index: 0, sourceFrame: 0, ptsSec: 0 }], new Uint8Array(8 * 8 * 3));
    store.finishVideo(videoId, 'h');
    const modelId = createModel(store, { kind: 'vae', name: 'm', config: {}, trainVideoId: videoId });
    expect(getReviewState(store, modelId, videoId)).toEqual({ modelId, videoId, threshold: null, reviewedPeaks: [] });
    setEventReviewed(store, { modelId, videoId, peakIdx: 45, startIdx: 40, endIdx: 49, reviewed: true });
    setEventReviewed(store, { modelId, videoId, peakIdx: 12, startIdx: 10, endIdx: 14, reviewed: true });
    setEventReviewed(store, { modelId, videoId, peakIdx: 12, startIdx: 9, endIdx: 15, reviewed: true }); // again: no duplicate
    setReviewThreshold(store, modelId, 3.25);
    store.close();
    const again = new Store(file);
    expect(getReviewState(again, modelId, videoId)).toEqual({ modelId, videoId, threshold: 3.25, reviewedPeaks: [12, 45] });
    setEventReviewed(again, { modelId, videoId, peakIdx: 45, startIdx: 40, endIdx: 49, reviewed: false });
    setReviewThreshold(again, modelId, null);
    expect(getReviewState(again, modelId, videoId)).toEqual({ modelId, videoId, threshold: null, reviewedPeaks: [12] });
    again.close();
  });

  it('refuses an event whose peak lies outside its span', () => {
    expect(apiSchemas.setEventReviewed.safeParse([{ modelId: 1, videoId: 1, peakIdx: 60, startIdx: 40, endIdx: 49, reviewed: true }]).success).toBe(false);
    expect(apiSchemas.setReviewThreshold.safeParse([1, null]).success).toBe(true);
  });
});
