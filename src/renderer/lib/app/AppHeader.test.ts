import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppInfoStore } from '../../stores/app.svelte.js';
import { appInfo, createMockClient } from '../../testing/mockClient.js';
import AppHeader from './AppHeader.svelte';

describe('AppHeader', () => {
  it('shows the mode and the ffmpeg in use', async () => {
    const client = createMockClient();
    const app = new AppInfoStore(client);
    await app.load();
    render(AppHeader, { props: { app, mode: 'browser' } });
    expect(screen.getByTestId('app-mode').textContent).toBe('Browser mode');
    expect(screen.getByTestId('ffmpeg-info').textContent).toContain('ffmpeg 6.1');
  });

  it('shortens the ffmpeg -version banner to the version itself', async () => {
    const client = createMockClient();
    client.getAppInfo.mockResolvedValue(
      appInfo({ ffmpeg: { path: '/opt/ffmpeg', source: 'FFMPEG_PATH', version: 'ffmpeg version 7.0.2-static https://example.org Copyright (c) 2000-2024' } }),
    );
    const app = new AppInfoStore(client);
    await app.load();
    render(AppHeader, { props: { app, mode: 'electron' } });
    const info = screen.getByTestId('ffmpeg-info');
    expect(info.textContent?.replace(/\s+/g, ' ').trim()).toBe('ffmpeg 7.0.2-static (FFMPEG_PATH)');
    expect(screen.getByTestId('app-mode').textContent).toBe('Desktop');
    expect(screen.queryByTestId('ffmpeg-error')).toBeNull();
  });

  it('shows a missing ffmpeg prominently, with what to do', async () => {
    const client = createMockClient();
    client.getAppInfo.mockResolvedValue(
      appInfo({ ffmpeg: null, ffmpegError: 'No ffmpeg found. Set FFMPEG_PATH, or install ffmpeg on PATH.' }),
    );
    const app = new AppInfoStore(client);
    render(AppHeader, { props: { app, mode: 'electron' } });
    await app.load();
    const banner = await screen.findByTestId('ffmpeg-error');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('Set FFMPEG_PATH');
  });

  it('shows when the app cannot be reached', async () => {
    const client = createMockClient();
    client.getAppInfo.mockRejectedValue(new Error('HTTP 401'));
    const app = new AppInfoStore(client);
    render(AppHeader, { props: { app, mode: 'browser' } });
    await app.load();
    await waitFor(() => expect(screen.getByTestId('app-error').textContent).toContain('HTTP 401'));
  });
});
