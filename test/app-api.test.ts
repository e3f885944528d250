/** AppApiImpl through real imports: worker thread, ffmpeg, SQLite, events. */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../src/core/app/create-app.js';
import { handle } from '../src/core/app/handle.js';
import { serveMedia } from '../src/core/app/media.js';
import { workerEntryBeside } from '../src/core/jobs/worker-host.js';
import type { JobInfo } from '../src/shared/domain.js';
import { makeSolidClip, makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
let core: AppCore;
const clip = join(tmp.dir, 'clip.mp4');
const long = join(tmp.dir, 'long.mp4');
const events: Array<{ name: string; payload: unknown }> = [];

beforeAll(async () => {
  await makeSolidClip(clip, { frames: 30, fps: 10 });
  await makeTestsrcClip(long, { seconds: 60 });
  core = createAppCore({ dbPath: join(tmp.dir, 'lib.db'), mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  core.onEvent((name, payload) => events.push({ name, payload }));
});
afterAll(() => {
  core.close();
  tmp.cleanup();
});

const finished = (jobId: string): Promise<JobInfo> => core.jobs.wait(jobId);

describe('importVideo', () => {
  it('imports a clip in the worker, with progress events, and lists it with thumbnails', async () => {
    const { jobId } = await core.api.importVideo(clip, { size: 16 });
    const job = await finished(jobId);
    expect(job.state).toBe('succeeded');
    const updates = events.filter((e) => e.name === 'job:update').map((e) => e.payload as JobInfo);
    expect(updates.map((u) => u.state)).toEqual(expect.arrayContaining(['queued', 'running', 'succeeded']));
    expect(events.some((e) => e.name === 'library:changed')).toBe(true);
    const [v] = await core.api.listVideos();
    expect(v).toMatchObject({ name: 'clip.mp4', status: 'ready', frameCount: 30, frameSize: 16, width: 48, height: 32 });
    expect(v!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const thumbs = await core.api.getThumbnailFrames(v!.id, 8);
    expect(thumbs).toHaveLength(8);
    expect(thumbs[0]!.ptsSec).toBeCloseTo(thumbs[0]!.index / 10, 6);
    const png = await serveMedia(core.store, `frame/${v!.id}/${thumbs[3]!.index}.png`);
    expect(png.status).toBe(200);
    expect(png.body.subarray(1, 4).toString()).toBe('PNG');
  });

  it('imports a path with spaces and non-ASCII characters', async () => {
    const odd = join(tmp.dir, 'Kamera 2 – Eingang ü 监控.mp4');
    copyFileSync(clip, odd);
    const job = await finished((await core.api.importVideo(odd, { size: 8, fps: 5 })).jobId);
    expect(job.state).toBe('succeeded');
    const v = (await core.api.listVideos()).find((x) => x.path === odd);
    expect(v).toMatchObject({ frameCount: 15, sampledFps: 5 });
  });

  it('cancels a running import and keeps nothing of it', async () => {
    const before = core.store.counts();
    const { jobId } = await core.api.importVideo(long, { size: 64 });
    await new Promise<void>((resolve) => {
      const off = core.jobs.onUpdate((j) => {
        if (j.id === jobId && j.state === 'running' && j.progress.done > 0) {
          off();
          resolve();
        }
      });
    });
    await core.api.cancelJob(jobId);
    const job = await finished(jobId);
    expect(job.state).toBe('canceled');
    expect(job.error).toBeNull();
    expect(core.store.counts()).toEqual(before);
  });

  const badInputs: Array<[string, () => string, RegExp, string]> = [
    ['a non-video file', () => (writeFileSync(join(tmp.dir, 'notes.txt'), 'hello'), join(tmp.dir, 'notes.txt')), /not a video/, 'NotAVideoError'],
    [
      'a truncated mp4',
      () => {
        const bytes = readFileSync(long);
        writeFileSync(join(tmp.dir, 'cut.mp4'), bytes.subarray(0, bytes.length >> 1));
        return join(tmp.dir, 'cut.mp4');
      },
      /not a video|could not decode/,
      'NotAVideoError',
    ],
  ];
  for (const [what, make, message, name] of badInputs) {
    it(`fails clearly on ${what} and leaves the database unchanged`, async () => {
      const before = core.store.counts();
      const job = await finished((await core.api.importVideo(make())).jobId);
      expect(job.state).toBe('failed');
      expect(job.error?.name).toBe(name);
      expect(job.error?.message).toMatch(message);
      expect(core.store.counts()).toEqual(before);
    });
  }

  it('refuses a missing path or a folder at once, without starting a job', async () => {
    const before = { counts: core.store.counts(), jobs: core.jobs.list().length };
    await expect(core.api.importVideo(join(tmp.dir, 'nope', 'missing.mp4'))).rejects.toMatchObject({ name: 'NotFoundError', message: expect.stringMatching(/No file at/) });
    await expect(core.api.importVideo(tmp.dir)).rejects.toMatchObject({ name: 'NotAVideoError' });
    expect({ counts: core.store.counts(), jobs: core.jobs.list().length }).toEqual(before);
  });
});

describe('handle()', () => {
  it('refuses malformed arguments with a ValidationError and touches nothing', async () => {
    const before = core.store.counts();
    const cases: Array<[string, unknown]> = [
      ['importVideo', []],
      ['importVideo', [42]],
      ['importVideo', ['/x.mp4', { size: 100000 }]],
      ['importVideo', ['/x.mp4', { fps: -1 }]],
      ['importVideo', ['/x.mp4', { evil: true }]],
      ['getVideo', ['1']],
      ['getVideo', [1, 2]],
      ['getThumbnailFrames', [1, 1e9]],
      ['deleteVideo', null],
      ['__proto__', []],
      ['constructor', []],
    ];
    for (const [method, args] of cases) {
      const r = await handle(core.api, method, args, () => undefined);
      expect(r.ok, `${method} ${JSON.stringify(args)}`).toBe(false);
      if (!r.ok) expect(r.error.name).toBe('ValidationError');
    }
    expect(core.store.counts()).toEqual(before);
    expect(core.jobs.list().filter((j) => j.state === 'queued' || j.state === 'running')).toHaveLength(0);
  });

  it('wraps values and errors in envelopes', async () => {
    expect(await handle(core.api, 'listVideos', [], () => undefined)).toMatchObject({ ok: true });
    expect(await handle(core.api, 'getVideo', [999], () => undefined)).toEqual({
      ok: false,
      error: { name: 'NotFoundError', message: 'There is no video 999 in the library.' },
    });
  });
});
