import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { Store } from './store.js';
import { iterateClips } from './videos.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const video = {
  path: '/footage/a.mp4',
  name: 'a.mp4',
  sizeBytes: 10,
  codec: 'h264',
  width: 64,
  height: 48,
  sourceFps: 10,
  durationSec: 1,
  sampledFps: 10,
  frameSize: 4,
  channels: 3 as const,
};

describe('Store migrations', () => {
  it('creates the schema on a fresh database and records its version', () => {
    const path = join(tmp.dir, 'fresh.db');
    const s = new Store(path);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = (s.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['videos', 'frames', 'clips', 'models', 'runs', 'latents', 'scores', 'events', 'labels']));
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    s.close();
  });

  it('migrates an older database step by step and keeps its data', () => {
    const path = join(tmp.dir, 'old.db');
    const raw = new Database(path);
    MIGRATIONS[0]!(raw);
    raw.pragma('user_version = 1');
    raw.prepare(`INSERT INTO videos (path, name, status, size_bytes, codec, width, height, source_fps, duration_sec, sampled_fps, frame_size, channels)
      VALUES ('/x.mp4', 'x.mp4', 'ready', 1, 'h264', 2, 2, 1, 1, 1, 4, 3)`).run();
    raw.close();
    const s = new Store(path);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(s.listVideos().map((v) => v.name)).toEqual(['x.mp4']);
    s.close();
    // Opening again is a no-op.
    const again = new Store(path);
    expect(again.listVideos()).toHaveLength(1);
    again.close();
  });

  it('refuses a database written by a newer version', () => {
    const path = join(tmp.dir, 'future.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => new Store(path)).toThrow(/newer LatentWatch/);
  });
});

describe('Store frames', () => {
  it('stores clips of frames and reads any frame back by index', () => {
    const s = new Store(join(tmp.dir, 'frames.db'));
    const id = s.beginVideo(video);
    const bytes = 4 * 4 * 3;
    const px = (first: number, n: number) => {
      const a = new Uint8Array(n * bytes);
      for (let k = 0; k < n; k++) a.fill(first + k, k * bytes, (k + 1) * bytes);
      return a;
    };
    s.appendFrames(id, [0, 1, 2].map((i) => ({ index: i, sourceFrame: i * 2, ptsSec: i * 0.2 })), px(0, 3));
    s.appendFrames(id, [3, 4].map((i) => ({ index: i, sourceFrame: i * 2, ptsSec: i * 0.2 })), px(3, 2));
    s.finishVideo(id, 'abc');
    expect(s.getVideo(id)).toMatchObject({ status: 'ready', frameCount: 5, contentHash: 'abc' });
    for (let i = 0; i < 5; i++) expect(s.framePixels(id, i).data.every((b) => b === i)).toBe(true);
    expect(s.frameInfo(id, 4)).toEqual({ videoId: id, index: 4, sourceFrame: 8, ptsSec: 0.8 });
    expect(s.spreadFrames(id, 2).map((f) => f.index)).toEqual([1, 3]);
    expect(() => s.framePixels(id, 5)).toThrow(/no frame 5/);
    expect([...s.iterateClips(id)].map((c) => [c.firstIndex, c.count])).toEqual([[0, 3], [3, 2]]);
    expect(s.deleteVideo(id)).toBe(true);
    expect(s.counts()).toEqual({ videos: 0, frames: 0, clips: 0 });
    s.close();
  });

  it('streams clips a few per query, in order, while the caller writes', () => {
    const s = new Store(join(tmp.dir, 'clips.db'));
    const id = s.beginVideo(video);
    const bytes = 4 * 4 * 3;
    const sizes = [3, 2, 4, 1, 3, 2, 5];
    let first = 0;
    for (const n of sizes) {
      s.appendFrames(id, Array.from({ length: n }, (_, k) => ({ index: first + k, sourceFrame: first + k, ptsSec: (first + k) / 10 })), new Uint8Array(n * bytes).fill(first));
      first += n;
    }
    s.finishVideo(id, 'abc');
    // A few clips a query (the budget: three clips the size of the one read first) and a write between clips, as scoring does.
    const seen: number[][] = [];
    for (const c of iterateClips(s.db, id, 3 * 3 * bytes)) {
      seen.push([c.firstIndex, c.count, c.pixels[0]!]);
      s.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run('test:clip', String(c.firstIndex));
    }
    const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    expect(seen).toEqual(sizes.map((n, i) => [starts[i], n, starts[i]]));
    expect([...s.iterateClips(id)].map((c) => c.firstIndex)).toEqual(starts);
    s.close();
  });

  it('removes half-imported videos whose process died, but not its own', () => {
    const path = join(tmp.dir, 'crash.db');
    const s = new Store(path);
    const mine = s.beginVideo(video);
    const orphan = s.beginVideo(video);
    // A pid that cannot be alive: the row was left by a killed process.
    s.db.prepare('UPDATE videos SET owner = ? WHERE id = ?').run('999999999', orphan);
    expect(s.recoverInterrupted()).toBe(1);
    expect(s.listVideos().map((v) => v.id)).toEqual([mine]);
    s.close();
  });
});
