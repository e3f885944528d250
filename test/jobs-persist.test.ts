/**
 * Issue 12 item 6: jobs are persisted; after a process dies mid-job the next start lists them as
 * interrupted (failed, InterruptedError) with a message naming what was removed, and they can be
 * retried. A half-import left by another process that died is dropped at once, not at the next start.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppCore } from '../src/core/app/create-app.js';
import { workerEntryBeside } from '../src/core/jobs/worker-host.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const worker = workerEntryBeside(import.meta.url);
/** The pid of a process that has ended. */
const deadPid = () => String(spawnSync(process.execPath, ['-e', '0']).pid);

function leaveHalfDone(dbPath: string, owner: string): { videoPath: string } {
  const s = new Store(dbPath);
  const videoPath = join(tmp.dir, 'lobby.mp4');
  s.db
    .prepare(
      `INSERT INTO videos (id, path, name, status, size_bytes, codec, width, height, source_fps, duration_sec, sampled_fps, frame_size, channels, owner)
       VALUES (5, ?, 'lobby.mp4', 'ingesting', 1, 'h264', 64, 64, 25, 10, 25, 64, 3, ?)`,
    )
    .run(videoPath, owner);
  s.db.prepare(`INSERT INTO videos (id, path, name, status, size_bytes, codec, width, height, source_fps, duration_sec, sampled_fps, frame_size, channels) VALUES (6, '/x/yard.mp4', 'yard.mp4', 'ready', 1, 'h264', 64, 64, 25, 10, 25, 64, 3)`).run();
  s.db.prepare(`INSERT INTO models (id, kind, name, config, train_video_id, status, owner) VALUES (9, 'vae', 'VAE', '{}', 6, 'training', ?)`).run(owner);
  const job = s.db.prepare(`INSERT INTO jobs (id, kind, title, spec, state, owner, created_at) VALUES (?, ?, ?, ?, 'running', ?, ?)`);
  job.run('j-ingest', 'ingest', 'Import lobby.mp4', JSON.stringify({ kind: 'ingest', dbPath, path: videoPath, options: {} }), owner, '2026-01-01T00:00:00.000Z');
  job.run('j-train', 'train', 'Train on yard.mp4', JSON.stringify({ kind: 'train', dbPath, checkpointDir: join(tmp.dir, 'ck'), videoId: 6, options: {} }), owner, '2026-01-01T00:00:01.000Z');
  s.close();
  return { videoPath };
}

describe('jobs after a crash', () => {
  it('are listed as interrupted, naming what was removed, and can be retried', async () => {
    const dbPath = join(tmp.dir, 'crash.db');
    leaveHalfDone(dbPath, deadPid());
    const core = createAppCore({ dbPath, mode: 'browser', worker });
    try {
      const jobs = await core.api.listJobs();
      expect(jobs.map((j) => [j.id, j.state, j.error?.name])).toEqual([
        ['j-train', 'failed', 'InterruptedError'],
        ['j-ingest', 'failed', 'InterruptedError'],
      ]);
      expect(jobs[1]!.error!.message).toMatch(/half-imported video lobby\.mp4 \(5\) was removed.*Retry/);
      expect(jobs[0]!.error!.message).toMatch(/unfinished model 9 was removed/);
      expect(core.recoveryReport.join('\n')).toMatch(/half-imported video lobby\.mp4 \(5\)/);
      expect(core.recoveryReport.join('\n')).toMatch(/unfinished model 9 .*on video 6/);
      expect(core.recoveryReport.join('\n')).not.toMatch(/Removed 2 half-imported/);
      expect(core.store.listVideos().map((v) => v.id)).toEqual([6]);

      const { jobId } = await core.api.retryJob('j-ingest');
      expect(jobId).not.toBe('j-ingest');
      const retried = await core.jobs.wait(jobId);
      expect(retried.title).toBe('Import lobby.mp4');
      expect(retried.state).toBe('failed'); // the file never existed: the retry ran and said so
      await expect(core.api.retryJob(jobId)).resolves.toBeTruthy();
    } finally {
      core.close();
    }
    // A second start: the history is still there, nothing is interrupted twice.
    const again = createAppCore({ dbPath, mode: 'browser', worker });
    try {
      const jobs = await again.api.listJobs();
      expect(jobs.filter((j) => j.error?.name === 'InterruptedError').map((j) => j.id).sort()).toEqual(['j-ingest', 'j-train']);
      expect(again.recoveryReport.some((l) => /model 9|lobby\.mp4 \(5\)/.test(l))).toBe(false);
    } finally {
      again.close();
    }
  }, 60_000);

  it('partial scores of a scoring whose process died are removed at the next start, and said so', async () => {
    const dbPath = join(tmp.dir, 'scores.db');
    leaveHalfDone(dbPath, deadPid());
    const s = new Store(dbPath);
    s.db.prepare(`UPDATE models SET status = 'ready', owner = NULL WHERE id = 9`).run();
    s.db.prepare(`INSERT INTO scores (model_id, video_id, idx, recon, patch, kl, nll, elbo, temporal, stillness, sharpness, combined) VALUES (9, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`).run();
    s.db.prepare(`INSERT INTO settings (key, value) VALUES ('scoring:9:6', ?)`).run(JSON.stringify({ owner: deadPid() }));
    s.close();
    const core = createAppCore({ dbPath, mode: 'browser', worker });
    try {
      expect(core.recoveryReport.join('\n')).toMatch(/partial scores of model 9 on video 6/);
      expect((core.store.db.prepare('SELECT count(*) AS n FROM scores').get() as { n: number }).n).toBe(0);
    } finally {
      core.close();
    }
  });

  it('a half-import by another process that died disappears from a running server at once', async () => {
    const dbPath = join(tmp.dir, 'live.db');
    const core = createAppCore({ dbPath, mode: 'browser', worker });
    try {
      leaveHalfDone(dbPath, deadPid());
      // Without any request: the sweep removes it and tells the UI (library:changed).
      const changed = new Promise<void>((ok) => core.onEvent((name) => name === 'library:changed' && ok()));
      await changed;
      expect(core.store.listVideos().map((v) => v.id)).toEqual([6]);
      expect((await core.api.listVideos()).map((v) => v.id)).toEqual([6]);
    } finally {
      core.close();
    }
  });

  it('deleting a video another live process is importing names that process', async () => {
    const dbPath = join(tmp.dir, 'busy.db');
    const core = createAppCore({ dbPath, mode: 'browser', worker });
    try {
      leaveHalfDone(dbPath, String(process.ppid));
      await expect(core.api.deleteVideo(5)).rejects.toThrow(new RegExp(`another LatentWatch process \\(pid ${process.ppid}\\)`));
    } finally {
      core.close();
    }
  });
});
