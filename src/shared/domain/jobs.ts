/** Long work as the analyst sees it: a job's kind, state and progress. */

export type JobKind = 'ingest' | 'train' | 'score';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export interface JobProgress {
  /** Units done (frames unless `unit` says otherwise). */
  done: number;
  /** Units expected; null while unknown. */
  total: number | null;
  /** 0..1 where total is known. */
  fraction: number | null;
  /** Throughput per second over the job so far, in `rateUnit`. */
  rate: number;
  /** What done and total count: 'frames' when absent; training counts optimisation 'steps' (batches). */
  unit?: 'frames' | 'steps';
  /** What rate counts: `unit` when absent (training: frames per second). */
  rateUnit?: 'frames' | 'steps';
  /** Estimated seconds left; null while unknown. */
  etaSec: number | null;
  /** A short phrase for the analyst: "probing", "decoding", ... */
  stage: string;
  /** Live figures of the job, e.g. the training losses of the latest step (for loss curves). */
  metrics?: Record<string, number>;
}

export interface JobError {
  name: string;
  message: string;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  /** A short title for the jobs panel, e.g. "Import lobby cam.mp4". */
  title: string;
  state: JobState;
  progress: JobProgress;
  error: JobError | null;
  /** Kind-specific result on success (ingest: { videoId }). */
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}
