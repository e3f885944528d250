import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../shared/domain.js';
import { createMockClient, job } from '../testing/mockClient.js';
import { JobsStore } from './jobs.svelte.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('JobsStore', () => {
  it('puts new jobs on top and merges updates by id', () => {
    const store = new JobsStore(createMockClient());
    store.apply(job({ id: 'a' }));
    store.apply(job({ id: 'b' }));
    store.apply(job({ id: 'a', state: 'succeeded' }));
    expect(store.jobs.map((j) => `${j.id}:${j.state}`)).toEqual(['b:running', 'a:succeeded']);
    expect(store.activeCount).toBe(1);
  });

  it('never lets a late progress update undo a finished state', () => {
    const store = new JobsStore(createMockClient());
    store.apply(job({ state: 'canceled' }));
    store.apply(job({ state: 'running' }));
    expect(store.jobs[0]!.state).toBe('canceled');
  });

  it('keeps events that arrive while the first listJobs() is in flight', async () => {
    const client = createMockClient();
    const listed = deferred<JobInfo[]>();
    client.listJobs.mockReturnValue(listed.promise);
    const store = new JobsStore(client);
    const stop = store.connect();

    const progressed = job({ id: 'old', progress: { done: 400, total: 480, fraction: 0.83, rate: 30, etaSec: 3, stage: 'decoding' } });
    client.emit('job:update', progressed);
    client.emit('job:update', job({ id: 'new' }));
    listed.resolve([job({ id: 'old' }), job({ id: 'older', state: 'succeeded' })]);
    await listed.promise;
    await Promise.resolve();

    expect(store.jobs.map((j) => j.id)).toEqual(['new', 'old', 'older']);
    expect(store.jobs[1]!.progress.done).toBe(400);
    expect(store.loaded).toBe(true);
    stop();
  });

  it('reloads after the event stream reconnects', async () => {
    const client = createMockClient();
    const store = new JobsStore(client);
    const stop = store.connect();
    client.listJobs.mockResolvedValue([job({ state: 'succeeded' })]);
    client.resync();
    await new Promise((r) => setTimeout(r, 0));
    expect(client.listJobs).toHaveBeenCalledTimes(2);
    expect(store.jobs[0]!.state).toBe('succeeded');
    stop();
  });
});
