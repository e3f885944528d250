import type { JobInfo } from './domain.js';

/** Events pushed from the app to the renderer: payload type per channel, `never` for no payload. */
export interface AppEvents {
  /** A job changed state or made progress (throttled to about 10 a second per job). */
  'job:update': JobInfo;
  /** The library changed (a video was added or removed). */
  'library:changed': never;
  /** A model was trained, or a video scored: model lists, scores and events may have changed. */
  'models:changed': never;
  /** A video's labels changed (created, edited or deleted). */
  'labels:changed': { videoId: number };
  /** A video's ignore mask was saved or cleared. */
  'mask:changed': { videoId: number };
}

export type AppEventName = keyof AppEvents;
export const APP_EVENT_NAMES = ['job:update', 'library:changed', 'models:changed', 'labels:changed', 'mask:changed'] as const satisfies readonly AppEventName[];

/** IPC channel for an event. */
export const eventChannel = (name: AppEventName): string => `event:${name}`;

export type AppEventListener<K extends AppEventName> = AppEvents[K] extends never
  ? () => void
  : (payload: AppEvents[K]) => void;

/** What a client offers besides the API: subscribe to events, build media URLs. */
export interface AppEventSource {
  on<K extends AppEventName>(name: K, listener: AppEventListener<K>): () => void;
}
