import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../../../shared/domain.js';
import { createMockClient } from '../../testing/mockClient.js';
import { ReviewStore } from '../../stores/review.svelte.js';
import EventQueue from './EventQueue.svelte';
import { buildQueue } from './queue.js';

const ev = (k: number): ChangeEvent => ({
  id: k + 1, modelId: 3, videoId: 1, startIdx: k * 10, endIdx: k * 10 + 4, peakIdx: k * 10 + 2, peakScore: 3 + (k % 5), startSec: k, endSec: k + 0.4, threshold: 2.5,
});

async function queue(n: number, reviewedPeaks: number[] = []) {
  const client = createMockClient();
  client.getReviewState.mockResolvedValue({ modelId: 3, videoId: 1, threshold: null, reviewedPeaks });
  const store = new ReviewStore(client);
  await store.load(3, 1);
  const events = Array.from({ length: n }, (_, k) => ev(k));
  const onopen = vi.fn();
  const onplay = vi.fn();
  const props = { items: buildQueue(events, null, store.reviewed, []), store, classes: ['normal', 'nuisance'], frame: 0, thumbnailUrl: (f: number) => `/t/${f}.png`, onopen, onplay };
  const r = render(EventQueue, { props });
  return { client, store, onopen, onplay, rerender: (reviewed: ReadonlySet<number>) => r.rerender({ ...props, items: buildQueue(events, null, reviewed, []) }) };
}

describe('EventQueue', () => {
  it('walks the events with J/K, marks one reviewed with R, and plays it with Enter', async () => {
    const { client, store, onopen, onplay, rerender } = await queue(12);
    expect(screen.getByTestId('queue-progress').textContent).toBe('0 of 12 reviewed');
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'j' });
    expect(onopen).toHaveBeenLastCalledWith(expect.objectContaining({ event: expect.objectContaining({ peakIdx: 12 }) }));
    await fireEvent.keyDown(window, { key: 'k' });
    expect(store.current).toBe(2);
    await fireEvent.keyDown(window, { key: 'r' });
    expect(client.setEventReviewed).toHaveBeenCalledWith({ modelId: 3, videoId: 1, peakIdx: 2, startIdx: 0, endIdx: 4, reviewed: true });
    await rerender(store.reviewed);
    await waitFor(() => expect(screen.getByTestId('queue-progress').textContent).toBe('1 of 12 reviewed'));
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(onplay).toHaveBeenCalledWith(expect.objectContaining({ event: expect.objectContaining({ peakIdx: 2 }) }));
  });

  it('hides reviewed events with the filter', async () => {
    await queue(3, [12]);
    expect(screen.getByTestId('queue-progress').textContent).toBe('1 of 3 reviewed');
    await fireEvent.click(screen.getByTestId('queue-filter-unreviewed'));
    await waitFor(() => expect(screen.getAllByTestId('queue-row').map((r) => r.dataset.peak)).toEqual(['2', '22']));
  });

  it('renders only a screenful of rows out of 10,000', async () => {
    await queue(10_000);
    const rows = screen.getAllByTestId('queue-row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(screen.getByTestId('queue-progress').textContent).toBe('0 of 10000 reviewed');
  });
});
