/** Ignore masks: store round trip, refusal of bad input without loss, the API's validation and event. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { AppApiImpl, type AppContext } from '../app/app-api-impl.js';
import { handle } from '../app/handle.js';
import type { JobRegistry } from '../jobs/registry.js';
import { ignoredFraction, rasterizeIgnoreMask } from '../../shared/ignore-mask.js';
import { getIgnoreMask, setIgnoreMask } from './ignore-masks.js';
import { Store } from './store.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function storeWithVideo(name: string): { store: Store; videoId: number } {
  const store = new Store(join(tmp.dir, `${name}.db`));
  const videoId = store.beginVideo({ path: '/f/a.mp4', name: 'a.mp4', sizeBytes: 1, codec: 'h264', width: 8, height: 8, sourceFps: 10, durationSec: 1, sampledFps: 10, frameSize: 8, channels: 3 });
  store.appendFrames(videoId, [{ index: 0, sourceFrame: 0, ptsSec: 0 }], new Uint8Array(8 * 8 * 3));
  store.finishVideo(videoId, 'h');
  return { store, videoId };
}

const corner = { x: 0, y: 0, width: 0.25, height: 0.125 };

describe('ignore masks in the store', () => {
  it('round-trips rectangles, replaces them, and clears with an empty list', () => {
    const { store, videoId } = storeWithVideo('roundtrip');
    expect(getIgnoreMask(store, videoId)).toEqual({ rects: [] });
    const two = { rects: [corner, { x: 0.5, y: 0.5, width: 0.5, height: 0.5 }] };
    expect(setIgnoreMask(store, videoId, two)).toEqual(two);
    expect(getIgnoreMask(store, videoId)).toEqual(two);
    // Survives closing and reopening the database.
    store.close();
    const again = new Store(join(tmp.dir, 'roundtrip.db'));
    expect(getIgnoreMask(again, videoId)).toEqual(two);
    expect(setIgnoreMask(again, videoId, { rects: [corner] })).toEqual({ rects: [corner] });
    expect(setIgnoreMask(again, videoId, { rects: [] })).toEqual({ rects: [] });
    expect(again.db.prepare('SELECT count(*) AS n FROM ignore_masks').get()).toEqual({ n: 0 });
    again.close();
  });

  it('refuses a bad mask whole and keeps the stored one', () => {
    const { store, videoId } = storeWithVideo('bad');
    setIgnoreMask(store, videoId, { rects: [corner] });
    const bad: unknown[] = [
      null,
      { rects: [{ ...corner, width: 0 }] },
      { rects: [{ ...corner, x: 0.9, width: 0.2 }] },
      { rects: [{ ...corner, y: -0.1 }] },
      { rects: [{ ...corner, x: Number.NaN }] },
      { rects: [corner], extra: 1 },
      { rects: [{ ...corner, colour: 'red' }] },
      { rects: Array.from({ length: 65 }, () => corner) },
      { rects: 'everything' },
    ];
    for (const b of bad) expect(() => setIgnoreMask(store, videoId, b), JSON.stringify(b)).toThrow(/Invalid ignore mask/);
    expect(getIgnoreMask(store, videoId)).toEqual({ rects: [corner] });
    expect(() => setIgnoreMask(store, 999, { rects: [corner] })).toThrow(/no video 999/);
    store.close();
  });

  it('goes with its video when the video is deleted', () => {
    const { store, videoId } = storeWithVideo('cascade');
    setIgnoreMask(store, videoId, { rects: [corner] });
    store.deleteVideo(videoId);
    expect(store.db.prepare('SELECT count(*) AS n FROM ignore_masks').get()).toEqual({ n: 0 });
    store.close();
  });
});

describe('rasterizeIgnoreMask', () => {
  it('ignores exactly the pixels whose centres lie in a rectangle', () => {
    const m = rasterizeIgnoreMask({ rects: [corner] }, 8);
    // 0.25 × 8 = 2 columns, 0.125 × 8 = 1 row.
    const rows = Array.from({ length: 8 }, (_, i) => Array.from(m.subarray(i * 8, i * 8 + 8)).join(''));
    expect(rows[0]).toBe('11000000');
    expect(rows.slice(1).every((r) => r === '00000000')).toBe(true);
    // A rectangle narrower than a pixel that misses every centre ignores nothing; the whole frame ignores all.
    expect(ignoredFraction({ rects: [{ x: 0.01, y: 0.01, width: 0.02, height: 0.02 }] }, 8)).toBe(0);
    expect(ignoredFraction({ rects: [{ x: 0, y: 0, width: 1, height: 1 }] }, 8)).toBe(1);
    // Two halves tile the frame without overlap or gap at an odd size.
    const halves = { rects: [{ x: 0, y: 0, width: 0.5, height: 1 }, { x: 0.5, y: 0, width: 0.5, height: 1 }] };
    expect(ignoredFraction(halves, 7)).toBe(1);
    expect(ignoredFraction({ rects: [halves.rects[0]!] }, 7) + ignoredFraction({ rects: [halves.rects[1]!] }, 7)).toBeCloseTo(1, 12);
  });
});

describe('getIgnoreMask / setIgnoreMask through the validating API entry', () => {
  it('saves, emits mask:changed, and refuses malformed arguments with a clear ValidationError', async () => {
    const { store, videoId } = storeWithVideo('api');
    const emitted: unknown[] = [];
    const ctx: AppContext = { store, jobs: {} as JobRegistry, dbPath: '', dataDir: tmp.dir, mode: 'browser', emit: (name, ...p) => emitted.push([name, ...p]) };
    const api = new AppApiImpl(ctx);
    const quiet = (): void => undefined;
    const ok = await handle(api, 'setIgnoreMask', [videoId, { rects: [corner] }], quiet);
    expect(ok).toEqual({ ok: true, value: { rects: [corner] } });
    expect(emitted).toEqual([['mask:changed', { videoId }]]);
    expect(await handle(api, 'getIgnoreMask', [videoId], quiet)).toEqual({ ok: true, value: { rects: [corner] } });

    const cases: Array<[unknown[], RegExp]> = [
      [[videoId], /expected array to have >=2 items/],
      [[videoId, { rects: [{ x: 0.8, y: 0, width: 0.5, height: 0.1 }] }], /inside the frame/],
      [[videoId, { rects: [{ x: 0, y: 0, width: -1, height: 0.1 }] }], /argument 1\.rects\.0\.width/],
      [[videoId, { rects: [corner], polygon: [] }], /Unrecognized key/],
      [['1', { rects: [] }], /argument 0/],
    ];
    for (const [args, why] of cases) {
      const r = await handle(api, 'setIgnoreMask', args, quiet);
      expect(r.ok, JSON.stringify(args)).toBe(false);
      if (!r.ok) {
        expect(r.error.name).toBe('ValidationError');
        expect(r.error.message).toMatch(/^setIgnoreMask: /);
        expect(r.error.message).toMatch(why);
      }
    }
    // Nothing was lost, no further event.
    expect(getIgnoreMask(store, videoId)).toEqual({ rects: [corner] });
    expect(emitted).toHaveLength(1);
    const missing = await handle(api, 'getIgnoreMask', [videoId + 100], quiet);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.name).toBe('NotFoundError');
    store.close();
  });
});
