import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { createMockClient, job, video } from './testing/mockClient.js';

describe('App', () => {
  it('wires import, jobs and library to one client', async () => {
    const client = createMockClient();
    const { unmount } = render(App, { props: { client } });
    await screen.findByTestId('empty-library');
    expect(screen.getByTestId('jobs-panel')).toBeTruthy();

    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/footage/lobby.mp4' } });
    await fireEvent.click(screen.getByTestId('import-submit'));
    expect(client.importVideo).toHaveBeenCalledWith('/footage/lobby.mp4', { size: 64 });

    client.emit('job:update', job());
    expect((await screen.findByTestId('job-row')).dataset.state).toBe('running');

    client.listVideos.mockResolvedValue([video()]);
    client.emit('job:update', job({ state: 'succeeded' }));
    await screen.findByTestId('video-card');
    expect(screen.getByTestId('job-row').dataset.state).toBe('succeeded');

    unmount();
    await waitFor(() => expect(client.listenerCount('job:update')).toBe(0));
  });
});
