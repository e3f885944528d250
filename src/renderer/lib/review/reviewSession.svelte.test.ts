import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ModelSummary, ScoreSeries } from '../../../shared/domain.js';
import { ModelsStore } from '../../stores/models.svelte.js';
import { createMockClient, video } from '../../testing/mockClient.js';
import { ReviewSession } from './reviewSession.svelte.js';

const model = (o: Partial<ModelSummary> = {}): ModelSummary => ({
  id: 3, kind: 'vae', name: 'VAE on lobby.mp4', status: 'ready', trainVideoId: 1, parentId: null, backend: 'wasm', latentDim: 16, inputSize: 64,
  threshold: 2.5, trainSeconds: 100, trainFramesPerSec: 60, history: [], createdAt: '2026-11-22T00:00:00Z', ...o,
});

const series = (videoId: number, n: number): ScoreSeries => {
  const col = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return {
    modelId: 3, videoId, index: col((i) => i), ptsSec: col((i) => i / 10), combined: col(() => 1),
    recon: col(() => 0.01), patch: col(() => 1), kl: col(() => 40), elbo: col(() => -100), temporal: col(() => 0.2), stillness: col(() => 1.5),
    sharpness: col(() => 0.05), motion: col(() => 0.5), threshold: 2.5, lowThreshold: 2, sampledFps: 10,
  };
};

const event = (videoId: number): ChangeEvent => ({ id: videoId, modelId: 3, videoId, startIdx: 0, endIdx: 4, peakIdx: 2, peakScore: 3, startSec: 0, endSec: 0.4, threshold: 2.5 });

/** A promise and the function that settles it, to answer requests in a chosen order. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function session() {
  const client = createMockClient();
  const videos = [video({ id: 1 }), video({ id: 2 })];
  const s = new ReviewSession(client, new ModelsStore(client), () => videos);
  return { client, s, videos };
}

describe('ReviewSession.loadScores: newest answer wins', () => {
  it('a slower answer for the video left behind does not replace the newer one', async () => {
    const { client, s, videos } = session();
    const older = deferred<ScoreSeries>();
    const newer = deferred<ScoreSeries>();
    client.getScores.mockImplementation((_m, videoId) => (videoId === 1 ? older.promise : newer.promise));
    client.listEvents.mockImplementation(async (_m, videoId) => [event(videoId)]);

    const first = s.loadScores(model(), videos[0]!); // the analyst opens video 1 ...
    const second = s.loadScores(model(), videos[1]!); // ... and switches to video 2 before it answers
    newer.resolve(series(2, 20));
    await second;
    expect(s.series?.videoId).toBe(2);
    older.resolve(series(1, 50)); // video 1's answer arrives late
    await first;
    expect(s.series?.videoId).toBe(2);
    expect(s.series?.combined).toHaveLength(20);
    expect(s.storedEvents.map((e) => e.videoId)).toEqual([2]);
  });

  it('a late events answer or error for an older request changes nothing', async () => {
    const { client, s, videos } = session();
    const olderEvents = deferred<ChangeEvent[]>();
    client.getScores.mockImplementation(async (_m, videoId) => series(videoId, videoId === 1 ? 50 : 20));
    client.listEvents.mockImplementation((_m, videoId) => (videoId === 1 ? olderEvents.promise : Promise.resolve([event(2)])));

    const first = s.loadScores(model(), videos[0]!);
    await Promise.resolve(); // video 1's scores have arrived; its events have not
    await s.loadScores(model(), videos[1]!);
    olderEvents.reject(new Error('gone'));
    await first;
    expect(s.series?.videoId).toBe(2);
    expect(s.storedEvents.map((e) => e.videoId)).toEqual([2]);
    expect(s.error).toBeNull();
  });
});
