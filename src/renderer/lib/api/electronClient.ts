import type { AppApi, AppApiMethod } from '../../../shared/api.js';
import type { AppEventSource } from '../../../shared/events.js';
import { createApiProxy } from './apiProxy.js';
import type { AppClient } from './client.js';

/** What the preload exposes as `window.api`: AppApi (methods already throw real Errors) plus events. */
export interface ElectronBridge extends AppApi, AppEventSource {
  /** Electron's webUtils.getPathForFile: the absolute path of a File from a drop or file input. */
  pathForFile(file: File): string | null;
}

/** The preload's bridge, when this page runs inside the Electron shell. */
export function findElectronBridge(): ElectronBridge | null {
  if (typeof window === 'undefined') return null;
  const candidate = (window as unknown as { api?: unknown }).api;
  if (typeof candidate !== 'object' || candidate === null) return null;
  return candidate as ElectronBridge;
}

export function createElectronClient(bridge: ElectronBridge): AppClient {
  const api = createApiProxy((method: AppApiMethod, args: unknown[]) => {
    const fn = bridge[method] as unknown as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') {
      return Promise.reject(new Error(`The app bridge has no method "${method}"; the preload and renderer are out of step.`));
    }
    return fn.apply(bridge, args);
  });
  return {
    ...api,
    mode: 'electron',
    on: (name, listener) => bridge.on(name, listener),
    frameUrl: (videoId, index) => `lw-media://frame/${videoId}/${index}.png`,
    modelViewUrl: (view, modelId, videoId, index) => `lw-media://${view}/${modelId}/${videoId}/${index}.png`,
    sourceFrameUrl: (videoId, index) => `lw-media://source/${videoId}/${index}.png`,
    exportUrl: (fileName) => `lw-media://export/${encodeURIComponent(fileName)}`,
    pathForFile(file) {
      const path = bridge.pathForFile(file);
      return path ? path : null;
    },
  };
}
