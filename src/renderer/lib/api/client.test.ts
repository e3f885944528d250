import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_API_METHODS } from '../../../shared/api.js';
import { createClient } from './client.js';
import type { ElectronBridge } from './electronClient.js';

function fakeBridge(): ElectronBridge {
  const bridge: Record<string, unknown> = {
    on: vi.fn(() => () => {}),
    pathForFile: vi.fn(() => '/home/analyst/cam.mp4'),
  };
  for (const method of APP_API_METHODS) bridge[method] = vi.fn(async () => `${method}-result`);
  return bridge as unknown as ElectronBridge;
}

describe('createClient', () => {
  afterEach(() => {
    delete (window as unknown as { api?: unknown }).api;
  });

  it('uses the preload bridge in Electron: every method forwards, frames come over lw-media:', async () => {
    const bridge = fakeBridge();
    (window as unknown as { api: ElectronBridge }).api = bridge;
    const client = createClient();
    expect(client.mode).toBe('electron');
    for (const method of APP_API_METHODS) expect(typeof client[method]).toBe('function');
    await expect(client.getThumbnailFrames(4, 8)).resolves.toBe('getThumbnailFrames-result');
    expect(bridge.getThumbnailFrames).toHaveBeenCalledWith(4, 8);
    expect(client.frameUrl(4, 12)).toBe('lw-media://frame/4/12.png');
    expect(client.pathForFile?.(new File([], 'cam.mp4'))).toBe('/home/analyst/cam.mp4');
    expect(client.uploadFile).toBeUndefined();
  });

  it('falls back to browser mode without a bridge', () => {
    const client = createClient();
    expect(client.mode).toBe('browser');
    expect(client.uploadFile).toBeTypeOf('function');
    expect(client.pathForFile).toBeUndefined();
  });
});
