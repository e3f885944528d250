/**
 * The short chaos run inside the suite (the long one is `npm run test:chaos`): a seeded fuzz of
 * browser mode's HTTP and WebSocket surface against an in-process server on 127.0.0.1 (a request that
 * ended the process would end this test run), counting 5xx and changed rows; and kill -9 of a CLI
 * import at two moments, each followed by integrity_check and a fresh start that must be consistent.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../src/core/app/create-app.js';
import { workerEntryBeside } from '../src/core/jobs/worker-host.js';
import { mediaTools } from '../src/core/media/ffmpeg-locate.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { fuzz } from './chaos/fuzz.js';
import { checkAfterKill, killAfter, rowCounts } from './chaos/procs.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'clip.mp4');
beforeAll(() => {
  const r = spawnSync(mediaTools().ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
  if (r.status !== 0) throw new Error(String(r.stderr));
});
afterAll(() => tmp.cleanup());

describe('chaos (short)', () => {
  let core: AppCore;
  let srv: RunningServer;
  const db = join(tmp.dir, 'fuzz.db');

  beforeAll(async () => {
    mkdirSync(join(tmp.dir, 'ui'));
    writeFileSync(join(tmp.dir, 'ui', 'index.html'), '<!doctype html><title>LatentWatch</title>');
    core = createAppCore({ dbPath: db, mode: 'browser', worker: workerEntryBeside(import.meta.url) });
    srv = await startServer({ core, staticDir: join(tmp.dir, 'ui'), uploadDir: join(tmp.dir, 'uploads'), log: () => undefined, maxUploadBytes: 1 << 20 });
  });
  afterAll(async () => {
    await srv.close();
    core.close();
  });

  it('400 random requests: no 5xx and no row changed', async () => {
    const before = rowCounts(db);
    const counts = await fuzz(400, 12, () => Promise.resolve({ port: srv.port, token: srv.token }));
    console.log(`chaos fuzz: ${JSON.stringify(counts.byStatus)}`);
    expect(counts.examples5xx).toEqual([]);
    expect(counts.fiveXx).toBe(0);
    expect(counts.requests).toBe(400);
    expect(rowCounts(db)).toEqual(before);
  }, 30_000);

  it('kill -9 of a CLI import at two moments leaves a library that passes integrity_check and starts consistent', async () => {
    const lib = join(tmp.dir, 'kill.db');
    for (const ms of [2500, 4500]) {
      const how = await killAfter(['ingest', clip, '--db', lib, '--size', '48'], ms);
      const { problems } = await checkAfterKill(lib);
      expect(problems, `killed at ${ms} ms (${how})`).toEqual([]);
    }
  }, 40_000);
});
