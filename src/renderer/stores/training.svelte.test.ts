import { describe, expect, it } from 'vitest';
import type { JobInfo, JobProgress } from '../../shared/domain.js';
import { createMockClient, job } from '../testing/mockClient.js';
import { ModelsStore } from './models.svelte.js';
import { TrainingStore } from './training.svelte.js';

const train = (id: string, progress: Partial<JobProgress> = {}, o: Partial<JobInfo> = {}): JobInfo =>
  job({ id, kind: 'train', state: 'running', progress: { done: 0, total: 100, fraction: 0, rate: 0, etaSec: null, stage: 'loading frames', ...progress }, ...o });
const withLoss = (id: string, done: number) => train(id, { done, stage: 'training on wasm: epoch 1/2', metrics: { epoch: 0, loss: 10, recon: 9, kl: 1, beta: 1 } });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TrainingStore', () => {
  it('keeps train jobs only, newest first, and shows the running one', () => {
    const store = new TrainingStore(createMockClient());
    store.apply(train('a', {}, { state: 'succeeded' }));
    store.apply(job({ id: 'i', kind: 'ingest' }));
    store.apply(train('b'));
    store.apply(train('c', {}, { state: 'failed' }));
    expect(store.runs.map((r) => r.job.id)).toEqual(['c', 'b', 'a']);
    expect(store.current?.job.id).toBe('b');
  });

  it('never lets a late update reopen a finished job, nor lose its curve', () => {
    const store = new TrainingStore(createMockClient());
    store.apply(withLoss('a', 5));
    store.apply(train('a', { done: 100 }, { state: 'canceled' }));
    store.apply(withLoss('a', 6));
    expect(store.runs[0]!.job.state).toBe('canceled');
    expect(store.runs[0]!.points.map((p) => p.step)).toEqual([5]);
  });

  it('picks up a training already running when it connects', async () => {
    const client = createMockClient();
    client.listJobs.mockResolvedValue([withLoss('new', 40), train('old', {}, { state: 'succeeded' }), job({ id: 'ingest' })]);
    const store = new TrainingStore(client);
    const stop = store.connect();
    await flush();
    expect(store.runs.map((r) => r.job.id)).toEqual(['new', 'old']);
    expect(store.current?.points).toHaveLength(1);
    expect(store.current?.backend).toBe('wasm');
    stop();
    expect(client.listenerCount('job:update')).toBe(0);
  });
});

describe('ModelsStore', () => {
  it('reloads when a train job changes phase, not on every step', async () => {
    const client = createMockClient();
    const store = new ModelsStore(client);
    const stop = store.connect();
    await flush();
    expect(client.listModels).toHaveBeenCalledTimes(1);
    client.emit('job:update', train('t'));
    client.emit('job:update', withLoss('t', 1));
    client.emit('job:update', withLoss('t', 2));
    client.emit('job:update', withLoss('t', 3));
    client.emit('job:update', train('t', { done: 100, stage: 'calibrating on held-out frames' }));
    client.emit('job:update', train('t', { done: 100, stage: 'calibrating on held-out frames' }, { state: 'succeeded' }));
    await flush();
    expect(client.listModels).toHaveBeenCalledTimes(5);
    stop();
  });

  it('keeps the answer to the latest reload when two overlap', async () => {
    const client = createMockClient();
    let release!: () => void;
    client.listModels.mockImplementationOnce(() => new Promise((r) => (release = () => r([]))));
    client.getActiveModel.mockResolvedValue(9);
    const store = new ModelsStore(client);
    const slow = store.refresh();
    client.listModels.mockResolvedValueOnce([
      { id: 9, kind: 'vae', name: 'm', status: 'ready', trainVideoId: 1, parentId: null, backend: 'wasm', latentDim: 8, inputSize: 64, threshold: 1, trainSeconds: 1, trainFramesPerSec: 1, history: [], createdAt: '' },
    ]);
    await store.refresh();
    release();
    await slow;
    expect(store.models.map((m) => m.id)).toEqual([9]);
    expect(store.active?.id).toBe(9);
  });
});
