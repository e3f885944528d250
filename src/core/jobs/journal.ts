/**
 * Jobs persisted in SQLite (the `jobs` table), so a restart still lists them. Written on every state
 * change (never on progress ticks). At start, a job some dead process left queued or running is marked
 * failed with an InterruptedError whose message names what the recovery removed and says to retry.
 */
import type { JobError, JobInfo } from '../../shared/domain.js';
import type { JobSpec } from '../../shared/worker-protocol.js';
import { OWNER, processAlive, type Store } from '../store/store.js';
import type { JobJournal } from './registry.js';

interface JobRow {
  id: string;
  kind: JobInfo['kind'];
  title: string;
  spec: string;
  state: JobInfo['state'];
  error: string | null;
  result: string | null;
  owner: string | null;
  created_at: string;
  finished_at: string | null;
}

/** What the start-up recovery removed, to name it in the interrupted jobs' messages. */
export interface Removed {
  videos: Array<{ id: number; name: string; path: string }>;
  models: Array<{ id: number; trainVideoId: number | null }>;
  scores?: Array<{ modelId: number; videoId: number }>;
}

const parse = <T>(s: string | null): T | null => {
  if (s === null) return null;
  try {
    return JSON.parse(s) as T;
  } catch {
    return null;
  }
};

const idle = (state: JobInfo['state']) => ({ done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: state });

export class SqliteJobJournal implements JobJournal {
  constructor(private readonly store: Store, private readonly keep = 200) {}

  save(info: JobInfo, spec: JobSpec): void {
    const terminal = info.state !== 'queued' && info.state !== 'running';
    this.store.db
      .prepare(
        `INSERT INTO jobs (id, kind, title, spec, state, error, result, owner, created_at, finished_at)
         VALUES (@id, @kind, @title, @spec, @state, @error, @result, @owner, @createdAt, @finishedAt)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, error = excluded.error, result = excluded.result,
           owner = excluded.owner, finished_at = excluded.finished_at`,
      )
      .run({
        id: info.id,
        kind: info.kind,
        title: info.title,
        spec: JSON.stringify(spec),
        state: info.state,
        error: info.error ? JSON.stringify(info.error) : null,
        result: info.result === null || info.result === undefined ? null : JSON.stringify(info.result),
        owner: terminal ? null : OWNER,
        createdAt: info.createdAt,
        finishedAt: info.finishedAt,
      });
  }

  /**
   * Mark jobs left queued or running by a process that is gone as failed (InterruptedError), naming what
   * was removed for them; then drop all but the newest `keep`. Returns the interrupted jobs.
   */
  recover(removed: Removed): JobInfo[] {
    const rows = this.store.db.prepare(`SELECT * FROM jobs WHERE state IN ('queued', 'running')`).all() as JobRow[];
    const dead = rows.filter((r) => r.owner !== OWNER && !(r.owner && processAlive(Number(r.owner))));
    const upd = this.store.db.prepare(`UPDATE jobs SET state = 'failed', error = ?, owner = NULL, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`);
    const out: JobInfo[] = [];
    this.store.db.transaction(() => {
      for (const r of dead) {
        const error = interruptedError(r, parse<JobSpec>(r.spec), removed);
        upd.run(JSON.stringify(error), r.id);
        out.push({ ...toInfo(r), state: 'failed', error });
      }
      this.store.db.prepare(`DELETE FROM jobs WHERE id NOT IN (SELECT id FROM jobs ORDER BY created_at DESC LIMIT ?)`).run(this.keep);
    })();
    return out;
  }

  /** Every persisted job that is finished, oldest first, with its spec (for a retry). */
  load(): Array<{ info: JobInfo; spec: JobSpec }> {
    const rows = this.store.db.prepare(`SELECT * FROM jobs WHERE state NOT IN ('queued', 'running') ORDER BY created_at`).all() as JobRow[];
    return rows.flatMap((r) => {
      const spec = parse<JobSpec>(r.spec);
      return spec ? [{ info: toInfo(r), spec }] : [];
    });
  }
}

function toInfo(r: JobRow): JobInfo {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    state: r.state,
    progress: idle(r.state),
    error: parse<JobError>(r.error),
    result: parse<unknown>(r.result),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

function interruptedError(r: JobRow, spec: JobSpec | null, removed: Removed): JobError {
  const was = r.state === 'running' ? 'was running' : 'was waiting to run';
  const parts = [`LatentWatch stopped while this job ${was} (process ${r.owner ?? 'unknown'} ended).`];
  if (spec?.kind === 'ingest') {
    const v = removed.videos.filter((x) => x.path === spec.path);
    parts.push(v.length ? `The half-imported video ${v.map((x) => `${x.name} (${x.id})`).join(', ')} was removed.` : 'Nothing of it was kept.');
  } else if (spec?.kind === 'train') {
    const m = removed.models.filter((x) => x.trainVideoId === spec.videoId);
    parts.push(m.length ? `The unfinished model ${m.map((x) => x.id).join(', ')} was removed; a retry continues from its last saved epoch where one was saved.` : 'No model was kept.');
  } else if (spec?.kind === 'score') {
    const hit = removed.scores?.some((x) => x.modelId === spec.modelId && x.videoId === spec.videoId);
    parts.push(hit ? `The partial scores of model ${spec.modelId} on video ${spec.videoId} were removed.` : 'No partial scores were kept.');
  }
  parts.push('Retry to run it again.');
  return { name: 'InterruptedError', message: parts.join(' ') };
}
