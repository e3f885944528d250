import type { AppEventListener, AppEventName, AppEventSource } from '../../../shared/events.js';

type AnyListener = (payload?: unknown) => void;

export interface EventSocketOptions {
  /** ws: or wss: URL, token included. */
  url: string;
  /** First reconnect delay; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests; defaults to the global WebSocket. */
  createSocket?: (url: string) => WebSocket;
}

/**
 * One WebSocket carrying `{event, payload}` messages for every subscriber. Opens on the first
 * subscription, reconnects with exponential backoff when it closes, and closes when the last
 * subscriber leaves. After a reconnect it tells `onResync` listeners that events may have been missed.
 */
export class EventSocket implements AppEventSource {
  readonly #options: Required<EventSocketOptions>;
  readonly #listeners = new Map<string, Set<AnyListener>>();
  readonly #resyncListeners = new Set<() => void>();
  #socket: WebSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #delayMs: number;
  #hadConnection = false;

  constructor(options: EventSocketOptions) {
    this.#options = {
      initialDelayMs: 500,
      maxDelayMs: 10_000,
      createSocket: (url) => new WebSocket(url),
      ...options,
    };
    this.#delayMs = this.#options.initialDelayMs;
  }

  on<K extends AppEventName>(name: K, listener: AppEventListener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    const entry = listener as AnyListener;
    set.add(entry);
    this.#ensureOpen();
    return () => {
      set.delete(entry);
      this.#closeIfUnused();
    };
  }

  onResync(listener: () => void): () => void {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  #subscriberCount(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }

  #ensureOpen(): void {
    if (this.#socket || this.#retryTimer) return;
    this.#connect();
  }

  #connect(): void {
    this.#retryTimer = null;
    const socket = this.#options.createSocket(this.#options.url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#delayMs = this.#options.initialDelayMs;
      if (this.#hadConnection) this.#notifyResync();
      this.#hadConnection = true;
    });
    socket.addEventListener('message', (ev: MessageEvent) => this.#dispatch(ev.data));
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#subscriberCount() > 0) this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#options.maxDelayMs);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #closeIfUnused(): void {
    if (this.#subscriberCount() > 0) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
  }

  #dispatch(data: unknown): void {
    let message: { event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(String(data)) as { event?: unknown; payload?: unknown };
    } catch {
      console.warn('LatentWatch: ignored an event message that is not JSON', data);
      return;
    }
    if (typeof message?.event !== 'string') {
      console.warn('LatentWatch: ignored an event message without an event name', message);
      return;
    }
    for (const listener of [...(this.#listeners.get(message.event) ?? [])]) {
      try {
        listener(message.payload);
      } catch (e) {
        console.error(`LatentWatch: a listener for "${message.event}" threw`, e);
      }
    }
  }

  #notifyResync(): void {
    for (const listener of [...this.#resyncListeners]) {
      try {
        listener();
      } catch (e) {
        console.error('LatentWatch: a resync listener threw', e);
      }
    }
  }
}
