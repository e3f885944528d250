import type { AppApi } from '../../../shared/api.js';
import type { AppEventSource } from '../../../shared/events.js';
import { createElectronClient, findElectronBridge } from './electronClient.js';
import { createWebClient } from './webClient.js';

/**
 * The renderer's one way to talk to the app: every AppApi method, event subscription, and the
 * media URLs for stored frames. Built over IPC (Electron preload) or HTTP + WebSocket (browser mode).
 */
export interface AppClient extends AppApi, AppEventSource {
  mode: 'electron' | 'browser';
  /** URL of a stored frame (a small PNG), usable as an `<img src>` under the page's CSP. */
  frameUrl(videoId: number, index: number): string;
  /** URL of a model's view of a stored frame: its reconstruction, or its per-pixel error heatmap. */
  modelViewUrl(view: 'recon' | 'heatmap', modelId: number, videoId: number, index: number): string;
  /** URL of the frame taken from the source video at up to 960 px wide (ffmpeg, cached by the app). */
  sourceFrameUrl(videoId: number, index: number): string;
  /** URL of a file exportClip wrote (for a download link). */
  exportUrl(fileName: string): string;
  /** Browser mode: upload a dropped file to the server; resolves the path importVideo accepts. */
  uploadFile?(file: File): Promise<string>;
  /** Electron: the absolute path of a dropped or chosen file; null when it has none. */
  pathForFile?(file: File): string | null;
  /**
   * Called when the event stream reconnects after a gap (browser mode), so stores can reload
   * whatever changed while no events arrived. Returns an unsubscribe function.
   */
  onResync?(listener: () => void): () => void;
}

/** Pick the transport: the preload's `window.api` in Electron, otherwise the browser-mode server. */
export function createClient(): AppClient {
  const bridge = findElectronBridge();
  return bridge ? createElectronClient(bridge) : createWebClient();
}
