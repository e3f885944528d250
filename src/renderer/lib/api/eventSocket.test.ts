import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobInfo } from '../../../shared/domain.js';
import { EventSocket } from './eventSocket.js';

/** Just enough of a WebSocket: listeners, close(), and helpers to play the server's part. */
class FakeSocket extends EventTarget {
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  open() {
    this.dispatchEvent(new Event('open'));
  }
  send(event: string, payload?: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify({ event, payload }) }));
  }
  drop() {
    this.dispatchEvent(new Event('close'));
  }
  close() {
    this.closed = true;
    this.dispatchEvent(new Event('close'));
  }
}

describe('EventSocket', () => {
  let sockets: FakeSocket[];
  let events: EventSocket;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    events = new EventSocket({
      url: 'ws://localhost/events?token=t',
      initialDelayMs: 100,
      maxDelayMs: 400,
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s as unknown as WebSocket;
      },
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers payloads to listeners of that event until they unsubscribe', () => {
    const onJob = vi.fn<(job: JobInfo) => void>();
    const onLibrary = vi.fn<() => void>();
    const stopJob = events.on('job:update', onJob);
    events.on('library:changed', onLibrary);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toBe('ws://localhost/events?token=t');

    sockets[0]!.send('job:update', { id: 'j1' });
    sockets[0]!.send('library:changed');
    expect(onJob).toHaveBeenCalledWith({ id: 'j1' });
    expect(onLibrary).toHaveBeenCalledTimes(1);

    stopJob();
    sockets[0]!.send('job:update', { id: 'j2' });
    expect(onJob).toHaveBeenCalledTimes(1);
  });

  it('ignores malformed messages without breaking the stream', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onLibrary = vi.fn<() => void>();
    events.on('library:changed', onLibrary);
    sockets[0]!.dispatchEvent(new MessageEvent('message', { data: 'not json' }));
    sockets[0]!.send('library:changed');
    expect(onLibrary).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('reconnects with growing delays and announces a resync after reconnecting', () => {
    const onResync = vi.fn<() => void>();
    events.onResync(onResync);
    events.on('library:changed', () => {});
    sockets[0]!.open();
    expect(onResync).not.toHaveBeenCalled();

    sockets[0]!.drop();
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);

    sockets[1]!.drop(); // failed before opening: the next wait doubles
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);

    sockets[2]!.open();
    expect(onResync).toHaveBeenCalledTimes(1);
  });

  it('closes the socket when the last listener leaves and does not reconnect', () => {
    const stop = events.on('library:changed', () => {});
    stop();
    expect(sockets[0]!.closed).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
  });
});
