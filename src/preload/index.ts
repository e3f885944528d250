/**
 * The preload exposes exactly one object, window.api: the AppApi methods (each a promise that
 * resolves to the value or rejects with a real Error), `on(event, listener)` for pushed events, and
 * `pathForFile(file)` for drag-and-drop. Nothing else of Electron or Node reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { APP_API_METHODS, apiChannel } from '../shared/api.js';
import { unwrapEnvelope, type Envelope } from '../shared/envelope.js';
import { APP_EVENT_NAMES, eventChannel, type AppEventName } from '../shared/events.js';

const api: Record<string, unknown> = {};
for (const method of APP_API_METHODS) {
  api[method] = async (...args: unknown[]) => unwrapEnvelope((await ipcRenderer.invoke(apiChannel(method), ...args)) as Envelope<unknown>);
}
api.on = (name: AppEventName, listener: (payload: unknown) => void): (() => void) => {
  if (!APP_EVENT_NAMES.includes(name)) throw new Error(`Unknown event ${String(name)}`);
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(eventChannel(name), wrapped);
  return () => ipcRenderer.off(eventChannel(name), wrapped);
};
api.pathForFile = (file: File): string | null => webUtils.getPathForFile(file) || null;

contextBridge.exposeInMainWorld('api', api);
