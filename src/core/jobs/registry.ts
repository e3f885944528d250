/**
 * The one source of truth for long work. Jobs get an id at once, run in worker threads (one at a time
 * by default: training and decoding each want both cores), report throttled progress, and end
 * succeeded, failed or canceled. Canceled is its own state, never an error.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { JobError, JobInfo, JobKind, JobProgress } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import type { JobSpec } from '../../shared/worker-protocol.js';
import { throttle } from './progress.js';

export interface RunHandlers {
  onProgress(p: JobProgress): void;
  onSucceeded(result: unknown): void;
  onFailed(error: JobError): void;
  onCanceled(): void;
}

/** Something that runs a job somewhere (a worker thread, or in-process for tests) and reports back once. */
export interface JobRunner {
  start(jobId: string, spec: JobSpec, h: RunHandlers): { cancel(): void };
}

/** Where jobs are persisted (SQLite in the app); called on every state change, never on progress. */
export interface JobJournal {
  save(info: JobInfo, spec: JobSpec): void;
}

interface Entry {
  info: JobInfo;
  spec: JobSpec;
  handle: { cancel(): void } | null;
  push: (j: JobInfo) => void;
  flush: () => void;
}

const now = () => new Date().toISOString();
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

export class JobRegistry {
  private readonly jobs = new Map<string, Entry>();
  private readonly events = new EventEmitter();
  private running = 0;

  constructor(private readonly runner: JobRunner, private readonly maxConcurrent = 1, private readonly journal: JobJournal | null = null) {}

  /** Jobs of earlier runs (finished, failed or interrupted), shown in the list and retryable. Oldest first. */
  restore(jobs: Array<{ info: JobInfo; spec: JobSpec }>): void {
    for (const { info, spec } of jobs) {
      if (this.jobs.has(info.id) || !TERMINAL.has(info.state)) continue;
      this.jobs.set(info.id, { info: structuredClone(info), spec, handle: null, push: () => undefined, flush: () => undefined });
    }
  }

  /** Run a failed or canceled job again, as a new job with the same spec. */
  retry(id: string): JobInfo {
    const e = this.jobs.get(id);
    if (!e) throw new AppError('NotFoundError', `There is no job ${id}.`);
    if (e.info.state !== 'failed' && e.info.state !== 'canceled')
      throw new AppError('InvalidArgumentError', `The job "${e.info.title}" is ${e.info.state}: only a failed, interrupted or canceled job can be retried.`);
    return this.submit(e.info.kind, e.info.title, e.spec);
  }

  /** The running or queued job whose spec matches, if any (e.g. the import of a video). */
  findActive(match: (spec: JobSpec) => boolean): JobInfo | null {
    for (const e of this.jobs.values()) if (!TERMINAL.has(e.info.state) && match(e.spec)) return structuredClone(e.info);
    return null;
  }

  /** Listen to every change of every job (throttled per job; state changes are never held back). */
  onUpdate(listener: (job: JobInfo) => void): () => void {
    this.events.on('update', listener);
    return () => this.events.off('update', listener);
  }

  submit(kind: JobKind, title: string, spec: JobSpec): JobInfo {
    const id = randomUUID();
    const info: JobInfo = {
      id,
      kind,
      title,
      state: 'queued',
      progress: { done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: 'queued' },
      error: null,
      result: null,
      createdAt: now(),
      finishedAt: null,
    };
    const t = throttle<JobInfo>((j) => this.events.emit('update', j));
    this.jobs.set(id, { info, spec, handle: null, push: t.push, flush: t.flush });
    this.changed(id, true);
    this.pump();
    return structuredClone(info);
  }

  get(id: string): JobInfo {
    const e = this.jobs.get(id);
    if (!e) throw new AppError('NotFoundError', `There is no job ${id}.`);
    return structuredClone(e.info);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => structuredClone(e.info)).reverse();
  }

  cancel(id: string): void {
    const e = this.jobs.get(id);
    if (!e) throw new AppError('NotFoundError', `There is no job ${id}.`);
    if (e.info.state === 'queued') this.finish(id, 'canceled', null, null);
    else if (e.info.state === 'running') e.handle?.cancel();
  }

  /** Resolves when the job reaches a final state. */
  wait(id: string): Promise<JobInfo> {
    return new Promise((resolve) => {
      const check = () => {
        const e = this.jobs.get(id);
        if (e && TERMINAL.has(e.info.state)) {
          off();
          resolve(structuredClone(e.info));
        }
      };
      const off = this.onUpdate((j) => j.id === id && check());
      check();
    });
  }

  /** Cancel everything still queued or running (app shutdown). */
  cancelAll(): void {
    for (const [id, e] of this.jobs) if (!TERMINAL.has(e.info.state)) this.cancel(id);
  }

  private pump(): void {
    for (const [id, e] of this.jobs) {
      if (this.running >= this.maxConcurrent) return;
      if (e.info.state !== 'queued') continue;
      this.running++;
      e.info.state = 'running';
      e.info.progress = { ...e.info.progress, stage: 'starting' };
      this.changed(id, true);
      e.handle = this.runner.start(id, e.spec, {
        onProgress: (p) => {
          if (e.info.state !== 'running') return;
          e.info.progress = p;
          this.changed(id, false);
        },
        onSucceeded: (result) => this.finish(id, 'succeeded', result, null),
        onFailed: (error) => this.finish(id, 'failed', null, error),
        onCanceled: () => this.finish(id, 'canceled', null, null),
      });
    }
  }

  private finish(id: string, state: 'succeeded' | 'failed' | 'canceled', result: unknown, error: JobError | null): void {
    const e = this.jobs.get(id);
    if (!e || TERMINAL.has(e.info.state)) return;
    const wasRunning = e.info.state === 'running';
    e.info.state = state;
    e.info.result = result;
    e.info.error = error;
    e.info.finishedAt = now();
    e.handle = null;
    this.changed(id, true);
    if (wasRunning) {
      this.running--;
      this.pump();
    }
  }

  private changed(id: string, immediate: boolean): void {
    const e = this.jobs.get(id)!;
    if (immediate && this.journal) {
      try {
        this.journal.save(e.info, e.spec);
      } catch {
        // The journal is a record, not the job: a full disk or a closed database must not stop the job itself.
      }
    }
    e.push(structuredClone(e.info));
    if (immediate) e.flush();
  }
}
