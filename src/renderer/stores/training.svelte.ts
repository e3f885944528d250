import type { JobInfo } from '../../shared/domain.js';
import type { AppClient } from '../lib/api/client.js';
import { errorMessage } from '../lib/api/errorMessage.js';
import { appendLossPoint, backendFromJob, type LossPoint, lossPointFromJob } from '../lib/training/lossCurve.js';
import { isJobActive } from './jobs.svelte.js';

type TrainingClient = Pick<AppClient, 'listJobs' | 'cancelJob' | 'on' | 'onResync'>;

/** One train job of this session and the loss curve gathered from its updates. */
export interface TrainRun {
  job: JobInfo;
  points: readonly LossPoint[];
  /** The backend it runs on, once the job has said (kept after its stage moves on). */
  backend: string | null;
}

const FINISHED = new Set(['succeeded', 'failed', 'canceled']);

/**
 * Train jobs of this session, newest first, each with its live loss curve: every `job:update` of a
 * train job that carries losses adds a point. A job already running when the panel opens starts
 * its curve from the first update seen.
 */
export class TrainingStore {
  // Replaced whole on each change (not deeply proxied): a curve holds up to MAX_LIVE_POINTS points.
  runs = $state.raw<readonly TrainRun[]>([]);
  error = $state<string | null>(null);

  readonly #client: TrainingClient;

  constructor(client: TrainingClient) {
    this.#client = client;
  }

  /** The run to show: the newest queued or running one, else the newest of all. */
  get current(): TrainRun | null {
    return this.runs.find((r) => isJobActive(r.job)) ?? this.runs[0] ?? null;
  }

  connect(): () => void {
    const stops = [this.#client.on('job:update', (job) => this.apply(job)), this.#client.onResync?.(() => void this.load())];
    void this.load();
    return () => stops.forEach((stop) => stop?.());
  }

  /** Pick up train jobs started before the panel opened (or missed while disconnected). */
  async load(): Promise<void> {
    try {
      const jobs = await this.#client.listJobs();
      // Oldest first, so each lands on top in turn and the newest ends first.
      for (const job of [...jobs].reverse()) this.apply(job);
      this.error = null;
    } catch (e) {
      this.error = `Could not load training jobs: ${errorMessage(e)}`;
    }
  }

  /** Merge one job update; only train jobs are kept. A finished job never goes back to running. */
  apply(job: JobInfo): void {
    if (job.kind !== 'train') return;
    const index = this.runs.findIndex((r) => r.job.id === job.id);
    const run = index === -1 ? { job, points: [], backend: null } : this.runs[index]!;
    if (index !== -1 && FINISHED.has(run.job.state) && !FINISHED.has(job.state)) return;
    const point = lossPointFromJob(job);
    const next: TrainRun = {
      job,
      points: point ? appendLossPoint(run.points, point) : run.points,
      backend: backendFromJob(job) ?? run.backend,
    };
    if (index === -1) this.runs = [next, ...this.runs];
    else this.runs = this.runs.map((r, i) => (i === index ? next : r));
  }

  /** Ask the app to cancel a train job; its `canceled` state arrives as an event. Throws on failure. */
  async cancel(jobId: string): Promise<void> {
    await this.#client.cancelJob(jobId);
  }
}
