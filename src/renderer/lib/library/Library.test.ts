import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { VideosStore } from '../../stores/videos.svelte.js';
import { createMockClient, job, video } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import Library from './Library.svelte';

function renderLibrary(client = createMockClient()) {
  const library = new VideosStore(client);
  const disconnect = library.connect();
  const view = render(Library, { props: { library }, context: clientContext(client) });
  return { client, library, disconnect, ...view };
}

describe('Library', () => {
  it('shows the empty state, then a card after library:changed', async () => {
    const { client } = renderLibrary();
    const empty = await screen.findByTestId('empty-library');
    expect(empty.textContent?.replace(/\s+/g, ' ')).toMatch(/type the video file's full path.*drop a video file/i);

    client.listVideos.mockResolvedValue([video({ status: 'ingesting' })]);
    client.emit('library:changed');
    const card = await screen.findByTestId('video-card');
    expect(card.dataset.status).toBe('ingesting');
    expect(screen.getByTestId('video-name').textContent).toBe('lobby.mp4');
    expect(screen.queryByTestId('empty-library')).toBeNull();
  });

  it('shows duration, frames, size and sampling, and a strip of thumbnails for a ready video', async () => {
    const client = createMockClient();
    client.listVideos.mockResolvedValue([video({ id: 7, sampledFps: 5, frameCount: 415 })]);
    client.getThumbnailFrames.mockResolvedValue([
      { videoId: 7, index: 0, sourceFrame: 0, ptsSec: 0 },
      { videoId: 7, index: 52, sourceFrame: 260, ptsSec: 10.4 },
    ]);
    renderLibrary(client);
    const card = await screen.findByTestId('video-card');
    expect(card.dataset.status).toBe('ready');
    expect(card.textContent).toContain('1:23');
    expect(card.textContent).toContain('415');
    expect(card.textContent).toContain('5.0 MiB');
    expect(card.textContent).toContain('5 fps of 25');

    const thumbs = await screen.findAllByTestId('thumbnail');
    expect(client.getThumbnailFrames).toHaveBeenCalledWith(7, 8);
    expect(thumbs).toHaveLength(2);
    expect(thumbs[1]!.getAttribute('src')).toBe('/media/frame/7/52.png?token=t');
    expect(thumbs[1]!.getAttribute('alt')).toContain('0:10.4');
  });

  it('reloads when an ingest job changes state or stage, not on every progress tick', async () => {
    const { client } = renderLibrary();
    await screen.findByTestId('empty-library');
    expect(client.listVideos).toHaveBeenCalledTimes(1);

    client.listVideos.mockResolvedValue([video({ status: 'ingesting' })]);
    client.emit('job:update', job({ state: 'running' }));
    expect((await screen.findByTestId('video-card')).dataset.status).toBe('ingesting');
    expect(client.listVideos).toHaveBeenCalledTimes(2);
    client.emit('job:update', job({ state: 'running', progress: { ...job().progress, done: 200 } }));
    expect(client.listVideos).toHaveBeenCalledTimes(2);

    client.listVideos.mockResolvedValue([video()]);
    client.emit('job:update', job({ state: 'succeeded' }));
    await waitFor(() => expect(screen.getByTestId('video-card').dataset.status).toBe('ready'));
    expect(client.listVideos).toHaveBeenCalledTimes(3);
  });

  it('deletes a video only after confirmation', async () => {
    const client = createMockClient();
    client.listVideos.mockResolvedValue([video({ id: 3 })]);
    renderLibrary(client);
    await fireEvent.click(await screen.findByTestId('video-delete'));
    expect(client.deleteVideo).not.toHaveBeenCalled();
    client.listVideos.mockResolvedValue([]);
    await fireEvent.click(screen.getByTestId('video-delete-confirm'));
    expect(client.deleteVideo).toHaveBeenCalledWith(3);
    await screen.findByTestId('empty-library');
  });

  it('shows a delete failure on the card', async () => {
    const client = createMockClient();
    client.listVideos.mockResolvedValue([video()]);
    client.deleteVideo.mockRejectedValue(new Error('database is locked'));
    renderLibrary(client);
    await fireEvent.click(await screen.findByTestId('video-delete'));
    await fireEvent.click(screen.getByTestId('video-delete-confirm'));
    expect((await screen.findByRole('alert')).textContent).toContain('database is locked');
    expect(screen.getByTestId('video-card')).toBeTruthy();
  });

  it('shows why the library could not be loaded', async () => {
    const client = createMockClient();
    client.listVideos.mockRejectedValue(new Error('server gone'));
    renderLibrary(client);
    expect((await screen.findByTestId('library-error')).textContent).toContain('server gone');
  });

  it('stops listening when disconnected', async () => {
    const { client, disconnect } = renderLibrary();
    await waitFor(() => expect(client.listenerCount('library:changed')).toBe(1));
    disconnect();
    expect(client.listenerCount('library:changed')).toBe(0);
    expect(client.listenerCount('job:update')).toBe(0);
  });

  it('says a file ended early and lets the analyst keep or drop it (issue 12 item 4)', async () => {
    const client = createMockClient();
    client.listVideos.mockResolvedValue([
      video({ id: 3, durationSec: 5, endedEarly: { probedDurationSec: 10 }, notes: ['The file ended early: 5.0 s of the 10.0 s ...'] }),
    ]);
    renderLibrary(client);
    const banner = await screen.findByTestId('video-ended-early');
    expect(banner.textContent).toMatch(/ended early: 0:05 of the 0:10/);
    await fireEvent.click(screen.getByTestId('video-drop-short'));
    expect(screen.getByTestId('video-delete-confirm')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('video-delete-cancel'));
    await fireEvent.click(screen.getByTestId('video-keep-short'));
    expect(screen.queryByTestId('video-ended-early')).toBeNull();
  });
});
