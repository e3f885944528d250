import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { JobsStore } from '../../stores/jobs.svelte.js';
import { createMockClient, job } from '../../testing/mockClient.js';
import JobsPanel from './JobsPanel.svelte';

async function renderJobs(client = createMockClient()) {
  const jobs = new JobsStore(client);
  const disconnect = jobs.connect();
  const view = render(JobsPanel, { props: { jobs } });
  await waitFor(() => expect(client.listJobs).toHaveBeenCalled());
  return { client, jobs, disconnect, ...view };
}

describe('JobsPanel', () => {
  it('renders progress, counts, rate, ETA and stage of a running job', async () => {
    const client = createMockClient();
    client.listJobs.mockResolvedValue([job()]);
    await renderJobs(client);
    const row = await screen.findByTestId('job-row');
    expect(row.dataset.state).toBe('running');
    expect(screen.getByTestId('job-progress').getAttribute('aria-valuenow')).toBe('25');
    expect(row.textContent).toContain('120 / 480 frames');
    expect(row.textContent).toContain('24.5 frames/s');
    expect(row.textContent).toContain('1:23 left');
    expect(row.textContent).toContain('decoding');
  });

  it('counts training in steps and its rate in frames per second; the scoring that follows in frames', async () => {
    const client = createMockClient();
    const progress = { done: 6, total: 240, fraction: 0.025, rate: 1360, etaSec: 10, stage: 'training on wasm: epoch 1/4', unit: 'steps' as const, rateUnit: 'frames' as const };
    client.listJobs.mockResolvedValue([job({ kind: 'train', progress })]);
    await renderJobs(client);
    const row = await screen.findByTestId('job-row');
    expect(row.textContent).toContain('6 / 240 steps');
    expect(row.textContent).toMatch(/1,?360 frames\/s/);
    expect(row.textContent).not.toContain('steps/s');
  });

  it('Cancel calls cancelJob with the job id', async () => {
    const client = createMockClient();
    client.listJobs.mockResolvedValue([job({ id: 'job-42' })]);
    await renderJobs(client);
    await fireEvent.click(await screen.findByTestId('job-cancel'));
    expect(client.cancelJob).toHaveBeenCalledWith('job-42');
  });

  it('shows why a cancel failed', async () => {
    const client = createMockClient();
    client.listJobs.mockResolvedValue([job()]);
    client.cancelJob.mockRejectedValue(new Error('worker not responding'));
    await renderJobs(client);
    await fireEvent.click(await screen.findByTestId('job-cancel'));
    expect((await screen.findByRole('alert')).textContent).toContain('worker not responding');
  });

  it('job:update events add new jobs and update rows in place', async () => {
    const { client } = await renderJobs();
    expect(screen.queryByTestId('job-row')).toBeNull();

    client.emit('job:update', job({ state: 'queued', progress: { done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: 'waiting' } }));
    const row = await screen.findByTestId('job-row');
    expect(row.dataset.state).toBe('queued');
    expect(screen.getByTestId('job-progress').getAttribute('aria-valuenow')).toBe('0');

    client.emit('job:update', job({ progress: { done: 240, total: 480, fraction: 0.5, rate: 30, etaSec: 8, stage: 'decoding' } }));
    await waitFor(() => expect(screen.getByTestId('job-progress').getAttribute('aria-valuenow')).toBe('50'));
    expect(screen.getAllByTestId('job-row')).toHaveLength(1);
    expect(screen.getByTestId('job-row').textContent).toContain('0:08 left');

    client.emit('job:update', job({ state: 'succeeded', progress: { done: 480, total: 480, fraction: 1, rate: 30, etaSec: 0, stage: 'done' } }));
    await waitFor(() => expect(screen.getByTestId('job-row').dataset.state).toBe('succeeded'));
    expect(screen.getByTestId('job-progress').getAttribute('aria-valuenow')).toBe('100');
    expect(screen.queryByTestId('job-cancel')).toBeNull();
  });

  it('shows a failed job\'s error message', async () => {
    const client = createMockClient();
    client.listJobs.mockResolvedValue([job({ state: 'failed', error: { name: 'FfmpegError', message: 'ffmpeg exited with code 1: moov atom not found' } })]);
    await renderJobs(client);
    expect((await screen.findByTestId('job-error')).textContent).toContain('moov atom not found');
    expect(screen.queryByTestId('job-cancel')).toBeNull();
  });

  it('shows canceled as its own state, not as an error', async () => {
    const client = createMockClient();
    client.listJobs.mockResolvedValue([job({ state: 'canceled' })]);
    await renderJobs(client);
    const row = await screen.findByTestId('job-row');
    expect(row.dataset.state).toBe('canceled');
    expect(screen.getByTestId('job-state').textContent).toBe('canceled');
    expect(screen.queryByTestId('job-error')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows why the job list could not be loaded', async () => {
    const client = createMockClient();
    client.listJobs.mockRejectedValue(new Error('server gone'));
    await renderJobs(client);
    expect((await screen.findByTestId('jobs-error')).textContent).toContain('server gone');
  });

  it('shows an interrupted job as interrupted, with its reason and a Retry that calls retryJob (issue 12 item 6)', async () => {
    const client = createMockClient();
    const message = 'LatentWatch stopped while this job was running (process 41 ended). The half-imported video a.mp4 (3) was removed. Retry to run it again.';
    client.listJobs.mockResolvedValue([job({ id: 'job-7', state: 'failed', error: { name: 'InterruptedError', message } })]);
    await renderJobs(client);
    const row = await screen.findByTestId('job-row');
    expect(screen.getByTestId('job-state').textContent).toBe('interrupted');
    expect(row.textContent).toContain('a.mp4 (3) was removed');
    await fireEvent.click(screen.getByTestId('job-retry'));
    expect(client.retryJob).toHaveBeenCalledWith('job-7');
  });
});
