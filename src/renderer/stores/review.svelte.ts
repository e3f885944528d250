/**
 * The review page's per-model state (issue 11): which events the analyst reviewed, the threshold
 * chosen for the shown model (stored, so switching models and back keeps it), the queue's filter
 * and the event open in it. Loads and saves through AppApi; the panel only reads and calls.
 */
import type { AppApi } from '../../shared/api.js';
import type { ChangeEvent } from '../../shared/domain.js';
import { errorMessage } from '../lib/api/errorMessage.js';
import { NewestRequest } from '../lib/api/newestRequest.js';
import { NO_FILTER, type QueueFilter } from '../lib/queue/queue.js';

type Api = Pick<AppApi, 'getReviewState' | 'setEventReviewed' | 'setReviewThreshold'>;

/** Saving the threshold waits until the drag has rested this long. */
export const THRESHOLD_SAVE_MS = 300;

export class ReviewStore {
  /** Peak frames of the reviewed events of the shown model and video. */
  reviewed = $state.raw<ReadonlySet<number>>(new Set());
  /** The analyst's threshold for the shown model; null keeps the calibrated one. */
  threshold = $state<number | null>(null);
  filter = $state<QueueFilter>({ ...NO_FILTER });
  /** Peak frame of the event open in the queue; null: none. */
  current = $state<number | null>(null);
  /** The review state has arrived for the shown model and video. */
  loaded = $state(false);
  error = $state<string | null>(null);

  #key: { modelId: number; videoId: number } | null = null;
  readonly #newest = new NewestRequest();
  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  #pendingSave: (() => Promise<void>) | null = null;

  constructor(private readonly api: Api) {}

  /** Switch to a model and video (null: nothing shown) and fetch their review state. */
  async load(modelId: number | null, videoId: number | null): Promise<void> {
    this.flush();
    const isNewest = this.#newest.start();
    this.#key = modelId !== null && videoId !== null ? { modelId, videoId } : null;
    this.reviewed = new Set();
    this.threshold = null;
    this.current = null;
    this.loaded = false;
    if (!this.#key) return;
    try {
      const s = await this.api.getReviewState(this.#key.modelId, this.#key.videoId);
      if (!isNewest()) return;
      this.reviewed = new Set(s.reviewedPeaks);
      this.threshold = s.threshold;
      this.loaded = true;
    } catch (e) {
      if (isNewest()) this.error = errorMessage(e);
    }
  }

  /** The analyst moved the threshold (null: back to the calibrated one); saved once the drag rests. */
  setThreshold(t: number | null): void {
    this.threshold = t;
    const key = this.#key;
    if (!key) return;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      this.#pendingSave = null;
      void this.#saveThreshold(key.modelId, t);
    }, THRESHOLD_SAVE_MS);
    this.#pendingSave = () => this.#saveThreshold(key.modelId, t);
  }

  /** Save a threshold still waiting for its drag to rest (on switching model, or leaving). */
  flush(): void {
    if (!this.#saveTimer) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    const save = this.#pendingSave;
    this.#pendingSave = null;
    void save?.();
  }

  async #saveThreshold(modelId: number, t: number | null): Promise<void> {
    try {
      await this.api.setReviewThreshold(modelId, t);
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  isReviewed(e: ChangeEvent): boolean {
    return this.reviewed.has(e.peakIdx);
  }

  /** Mark an event reviewed or not: shown at once, stored, and undone on the screen if storing fails. */
  async setReviewed(e: ChangeEvent, reviewed: boolean): Promise<void> {
    const key = this.#key;
    if (!key || this.reviewed.has(e.peakIdx) === reviewed) return;
    const apply = (on: boolean) => {
      const next = new Set(this.reviewed);
      if (on) next.add(e.peakIdx);
      else next.delete(e.peakIdx);
      this.reviewed = next;
    };
    apply(reviewed);
    this.error = null;
    try {
      await this.api.setEventReviewed({ ...key, peakIdx: e.peakIdx, startIdx: e.startIdx, endIdx: e.endIdx, reviewed });
    } catch (err) {
      apply(!reviewed);
      this.error = errorMessage(err);
    }
  }

  toggleReviewed(e: ChangeEvent): Promise<void> {
    return this.setReviewed(e, !this.isReviewed(e));
  }
}
