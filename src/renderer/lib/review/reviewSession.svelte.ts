/**
 * The review panel's state: the video and model under review, their scores and events, the
 * playhead, the selection, playback, the busy flag and the last error, with the label, review
 * (threshold, reviewed events) and projection stores it drives. The model list is the app's
 * ModelsStore, not a copy. ReviewPanel.svelte only lays this out; `attach()` wires the loads.
 */
import { untrack } from 'svelte';
import type { ChangeEvent, ModelSummary, ScoreSeries, VideoSummary } from '../../../shared/domain.js';
import { frameClasses as frameClassesOf } from '../../../shared/labels.js';
import type { AppClient } from '../api/client.js';
import { errorMessage } from '../api/errorMessage.js';
import { NewestRequest } from '../api/newestRequest.js';
import { LABEL_KEYS, labelColour } from '../labels/labelColours.js';
import { LabelsStore } from '../labels/labelsStore.svelte.js';
import { COMPONENT_TITLES, buildQueue, drivingComponent, type QueueItem } from '../queue/queue.js';
import { MinMaxPyramid } from '../timeline/decimate.js';
import { type FrameBand, indicesToBands, prefersLogAxis } from '../timeline/drawTimeline.js';
import type { ModelsStore } from '../../stores/models.svelte.js';
import { ProjectionStore } from '../../stores/projection.svelte.js';
import type { ReviewFocus } from '../../stores/reviewFocus.svelte.js';
import { ReviewStore } from '../../stores/review.svelte.js';
import { liveEvents } from './liveEvents.js';
import { type PlaybackSpeed, playbackStop, stepPlayback } from './playback.js';

const inField = (e: KeyboardEvent) => e.target instanceof HTMLElement && (e.target.matches('input, textarea, select') || e.target.isContentEditable);

export class ReviewSession {
  readonly labels: LabelsStore;
  readonly review: ReviewStore;
  readonly projections: ProjectionStore;
  readonly models: ModelsStore;

  /** The video and model chosen in the header (null: the default one). */
  videoId = $state<number | null>(null);
  modelId = $state<number | null>(null);
  series = $state.raw<ScoreSeries | null>(null);
  storedEvents = $state.raw<ChangeEvent[]>([]);
  frame = $state(0);
  error = $state<string | null>(null);
  busy = $state(false);
  logAxis = $state<boolean | null>(null);
  /** A brushed span (timeline) or a lasso selection (scatter), as sorted frame indices. */
  selection = $state.raw<number[]>([]);
  playing = $state(false);
  /** Where the current playback stops (chosen when it starts). */
  playStop = $state(0);
  speed = $state<PlaybackSpeed>(1);

  readonly #client: AppClient;
  /** Newest answer wins: switching videos or models fast must not let a slower, older answer replace the newer one. */
  readonly #scoresRequest = new NewestRequest();

  readonly ready: VideoSummary[];
  readonly video: VideoSummary | null;
  readonly readyModels: ModelSummary[];
  readonly model: ModelSummary | null;
  /** The analyst's threshold for this model (stored per model); null keeps the calibrated one. */
  readonly threshold: number | null;
  readonly shownThreshold: number;
  /** Events recomputed with the stored rules at the analyst's threshold; the stored ones otherwise. */
  readonly events: ChangeEvent[];
  readonly useLog: boolean;
  readonly selectionBands: FrameBand[];
  /** Label class per frame ('' unlabelled), for the scatter's label colouring; later labels win. */
  readonly frameClasses: string[];
  readonly labelBands: { startIdx: number; endIdx: number; cls: string; colour: string }[];
  readonly queueItems: QueueItem[];
  readonly eventAtPlayhead: ChangeEvent | null;
  /** What a label key labels: the selection's extent, else the event under the playhead. */
  readonly pending: FrameBand | null;

  /** `videos`: the library's videos (only ready ones can be reviewed), read reactively. */
  constructor(client: AppClient, models: ModelsStore, videos: () => VideoSummary[]) {
    this.#client = client;
    this.models = models;
    this.labels = new LabelsStore(client);
    this.review = new ReviewStore(client);
    this.projections = new ProjectionStore(client);

    this.ready = $derived(videos().filter((v) => v.status === 'ready'));
    this.video = $derived(this.ready.find((v) => v.id === this.videoId) ?? this.ready[0] ?? null);
    this.readyModels = $derived(this.models.models.filter((m) => m.status === 'ready'));
    this.model = $derived(
      this.readyModels.find((m) => m.id === this.modelId) ?? this.readyModels.find((m) => m.id === this.models.activeId) ?? this.readyModels[0] ?? null,
    );
    this.threshold = $derived(this.review.threshold);
    this.shownThreshold = $derived(this.threshold ?? this.series?.threshold ?? NaN);
    this.events = $derived(this.series && this.threshold !== null ? liveEvents(this.series, this.threshold) : this.storedEvents);
    this.useLog = $derived(this.logAxis ?? (this.series ? prefersLogAxis(new MinMaxPyramid(this.series.combined), this.series.threshold) : false));
    this.selectionBands = $derived(indicesToBands(this.selection));
    this.frameClasses = $derived(frameClassesOf(this.labels.labels, this.series?.combined.length ?? 0));
    this.labelBands = $derived(this.labels.labels.map((l) => ({ startIdx: l.startIdx, endIdx: l.endIdx, cls: l.cls, colour: labelColour(l.cls) })));
    this.queueItems = $derived(buildQueue(this.events, this.series, this.review.reviewed, this.frameClasses));
    this.eventAtPlayhead = $derived(this.events.find((e) => this.frame >= e.startIdx && this.frame <= e.endIdx) ?? null);
    this.pending = $derived<FrameBand | null>(
      this.selection.length
        ? { startIdx: this.selection[0]!, endIdx: this.selection[this.selection.length - 1]! }
        : this.eventAtPlayhead
          ? { startIdx: this.eventAtPlayhead.startIdx, endIdx: this.eventAtPlayhead.endIdx }
          : null,
    );
  }

  async loadScores(m: ModelSummary | null, v: VideoSummary | null): Promise<void> {
    const isNewest = this.#scoresRequest.start();
    // The same model and video (a reload after models:changed, e.g. while a fine-tune runs) keep showing until the answer.
    if (this.series?.modelId !== m?.id || this.series?.videoId !== v?.id) {
      this.series = null;
      this.storedEvents = [];
    }
    if (!m || !v) return;
    try {
      const s = await this.#client.getScores(m.id, v.id);
      if (!isNewest()) return;
      this.series = s.combined.length ? s : null;
      const events = s.combined.length ? await this.#client.listEvents(m.id, v.id) : [];
      if (!isNewest()) return;
      this.storedEvents = events;
      this.frame = Math.min(this.frame, Math.max(0, s.combined.length - 1));
    } catch (e) {
      if (isNewest()) this.error = errorMessage(e);
    }
  }

  /** Runs an action with the panel's busy flag, showing its error. */
  run = async (action: () => Promise<unknown>): Promise<void> => {
    this.error = null;
    this.busy = true;
    try {
      await action();
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.busy = false;
    }
  };

  train = () => this.run(() => this.#client.trainModel(this.video!.id));
  score = () => this.run(() => this.#client.scoreVideo(this.model!.id, this.video!.id));
  fineTune = () => this.run(() => this.#client.trainModel(this.video!.id, { parentModelId: this.model!.id }));

  brush = (band: FrameBand): void => {
    this.selection = Array.from({ length: band.endIdx - band.startIdx + 1 }, (_, i) => band.startIdx + i);
  };

  togglePlay = (): void => {
    if (!this.series) return;
    if (this.playing) {
      this.playing = false;
      return;
    }
    const last = this.series.combined.length - 1;
    if (this.frame >= last) this.frame = 0;
    this.playStop = playbackStop(this.frame, last, this.selection.length ? { startIdx: this.selection[0]!, endIdx: this.selection[this.selection.length - 1]! } : null);
    this.playing = true;
  };

  /** The hover readout's extra line: which calibrated component made the frame's score. */
  topComponent = (f: number): string | null => {
    const c = this.series ? drivingComponent(this.series, f) : null;
    return c ? `top component: ${COMPONENT_TITLES[c]}` : null;
  };

  /** The queue opened an event: show its peak (label keys then label it). */
  openEvent = (item: QueueItem): void => {
    this.playing = false;
    this.selection = [];
    this.frame = item.event.peakIdx;
  };

  /** Enter in the queue: play the event from its start to its end. */
  playEvent = (item: QueueItem): void => {
    this.selection = [];
    this.frame = item.event.startIdx;
    this.playStop = item.event.endIdx;
    this.playing = true;
  };

  /** Label keys label what is pending, Ctrl+Z undoes, Escape clears the selection. */
  handleKeydown = (e: KeyboardEvent): void => {
    const video = this.video;
    if (inField(e) || e.altKey || e.metaKey || !video) return;
    if (e.ctrlKey && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      void this.labels.undo();
      return;
    }
    if (e.ctrlKey) return;
    if (e.key === 'Escape') {
      this.selection = [];
      return;
    }
    const cls = LABEL_KEYS[e.key.toLowerCase()];
    const span = this.pending;
    if (cls && span) {
      e.preventDefault();
      void this.labels.create({ videoId: video.id, startIdx: span.startIdx, endIdx: span.endIdx, cls }).then((ok) => ok && (this.selection = []));
    }
  };

  /**
   * Wire the loads and playback to the component's lifetime (call while it initialises); `focusOf`
   * reads where the frame shown is published.
   * `ownModels`: this panel made the model list itself, so it connects it too.
   */
  attach(focusOf: () => ReviewFocus | undefined, ownModels: boolean): void {
    // Keep the video under review when another is imported (the list is newest first).
    $effect(() => {
      if (this.video && this.videoId !== this.video.id) this.videoId = this.video.id;
    });
    $effect(() => {
      const focus = focusOf();
      if (!focus) return;
      if (this.video && this.series) {
        focus.set(this.video.id, this.frame);
        focus.events = this.events.length;
      } else focus.clear();
    });

    // Playback: advance on animation frames up to the stop chosen when it started.
    $effect(() => {
      const series = this.series;
      if (!this.playing || !series) return;
      const stopAt = this.playStop;
      let state = { frame: untrack(() => this.frame), carry: 0 };
      let last = performance.now();
      const tick = (now: number) => {
        const next = stepPlayback(state, now - last, series.sampledFps, this.speed, stopAt);
        last = now;
        state = next;
        if (next.frame !== this.frame) this.frame = next.frame;
        if (next.done) this.playing = false;
        else handle = requestAnimationFrame(tick);
      };
      let handle = requestAnimationFrame(tick);
      return () => cancelAnimationFrame(handle);
    });

    $effect(() => {
      const stopModels = ownModels ? this.models.connect() : undefined;
      const offModels = this.#client.on('models:changed', () => {
        void this.models.refresh().then(() => this.loadScores(this.model, this.video));
      });
      const offLabels = this.labels.connect();
      return () => {
        stopModels?.();
        offModels();
        offLabels();
        this.review.flush();
      };
    });

    $effect(() => {
      const model = this.model;
      const video = this.video;
      // Only the model and the video trigger a load: loadScores reads and sets the series, and a load
      // that re-ran itself would keep dropping its own answers as older ones (newest answer wins).
      untrack(() => void this.loadScores(model, video));
    });

    $effect(() => {
      const args = [this.model?.id ?? null, this.video?.id ?? null] as const;
      untrack(() => void this.review.load(...args));
    });

    $effect(() => {
      const id = this.video?.id ?? null;
      this.selection = [];
      void this.labels.load(id);
    });

    $effect(() => {
      const args = [this.model?.id ?? null, this.video?.id ?? null, this.series !== null, this.projections.method] as const;
      // Only those: the load reads and writes the projection itself.
      untrack(() => this.projections.load(...args) && (this.selection = []));
    });
  }
}
