import type { JobInfo, JobState } from '../../shared/domain.js';
import type { AppClient } from '../lib/api/client.js';
import { errorMessage } from '../lib/api/errorMessage.js';
import { NewestRequest } from '../lib/api/newestRequest.js';

type JobsClient = Pick<AppClient, 'listJobs' | 'cancelJob' | 'retryJob' | 'on' | 'onResync'>;

const STATE_ORDER: Record<JobState, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, canceled: 2 };

/**
 * Whether `incoming` is older than what we already show: a job never goes back from a finished
 * state, and progress never goes backwards. Guards against a listJobs() snapshot racing events.
 */
function isStale(incoming: JobInfo, current: JobInfo): boolean {
  const a = STATE_ORDER[incoming.state];
  const b = STATE_ORDER[current.state];
  if (a !== b) return a < b;
  return incoming.state === current.state && incoming.progress.done < current.progress.done;
}

export function isJobActive(job: JobInfo): boolean {
  return job.state === 'queued' || job.state === 'running';
}

/** Every job of this session, newest first, kept current by `job:update` events (merged by id). */
export class JobsStore {
  jobs = $state<JobInfo[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly #client: JobsClient;
  readonly #newest = new NewestRequest();
  /** Ids updated by events since the current load() began: newer than its snapshot may be. */
  readonly #updatedDuringLoad = new Set<string>();

  constructor(client: JobsClient) {
    this.#client = client;
  }

  get activeCount(): number {
    return this.jobs.filter(isJobActive).length;
  }

  /** Subscribe to job updates, then load the current list. Returns the disconnect function. */
  connect(): () => void {
    const stops = [
      this.#client.on('job:update', (job) => this.apply(job)),
      this.#client.onResync?.(() => void this.load()),
    ];
    void this.load();
    return () => stops.forEach((stop) => stop?.());
  }

  async load(): Promise<void> {
    const isNewest = this.#newest.start();
    this.#updatedDuringLoad.clear();
    try {
      const listed = await this.#client.listJobs();
      if (!isNewest()) return;
      const byId = new Map(this.jobs.map((j) => [j.id, j]));
      const merged = listed.map((job) => {
        const seen = byId.get(job.id);
        return seen && isStale(job, seen) ? seen : job;
      });
      const listedIds = new Set(listed.map((j) => j.id));
      // Jobs announced by events during the load but missing from the snapshot are newer: keep them on top.
      const newer = this.jobs.filter((j) => !listedIds.has(j.id) && this.#updatedDuringLoad.has(j.id));
      this.jobs = [...newer, ...merged];
      this.error = null;
    } catch (e) {
      if (isNewest()) this.error = `Could not load jobs: ${errorMessage(e)}`;
    } finally {
      if (isNewest()) this.loaded = true;
    }
  }

  /** Merge one job update by id; a new job goes on top. */
  apply(job: JobInfo): void {
    this.#updatedDuringLoad.add(job.id);
    const index = this.jobs.findIndex((j) => j.id === job.id);
    if (index === -1) {
      this.jobs = [job, ...this.jobs];
      return;
    }
    const current = this.jobs[index];
    if (current && isStale(job, current)) return;
    this.jobs[index] = job;
  }

  /** Ask the app to cancel a job; its `canceled` state arrives as an event. Throws on failure. */
  async cancel(jobId: string): Promise<void> {
    await this.#client.cancelJob(jobId);
  }

  /** Run a failed, interrupted or canceled job again; the new job arrives as an event. Throws on failure. */
  async retry(jobId: string): Promise<void> {
    await this.#client.retryJob(jobId);
  }
}
