import type { VideoSummary } from '../../shared/domain.js';
import type { AppClient } from '../lib/api/client.js';
import { errorMessage } from '../lib/api/errorMessage.js';
import { NewestRequest } from '../lib/api/newestRequest.js';

type VideosClient = Pick<AppClient, 'listVideos' | 'deleteVideo' | 'on' | 'onResync'>;

/**
 * The video library: every imported video, newest first. Reloads on `library:changed`, when an
 * ingest job changes state or stage (so a video shows as `ingesting` while it imports, and its
 * final status when done), and after the event stream reconnects.
 */
export class VideosStore {
  videos = $state<VideoSummary[]>([]);
  /** False until the first listVideos() answer (or failure). */
  loaded = $state(false);
  /** Why the last reload failed, for the library view to show. */
  error = $state<string | null>(null);

  readonly #client: VideosClient;
  readonly #newest = new NewestRequest();
  /** Last seen "state/stage" per ingest job: progress ticks alone do not reload the library. */
  readonly #ingestPhase = new Map<string, string>();

  constructor(client: VideosClient) {
    this.#client = client;
  }

  /** Subscribe to the events that change the library and load it. Returns the disconnect function. */
  connect(): () => void {
    const stops = [
      this.#client.on('library:changed', () => void this.refresh()),
      this.#client.on('job:update', (job) => {
        if (job.kind !== 'ingest') return;
        const phase = `${job.state}/${job.progress.stage}`;
        if (this.#ingestPhase.get(job.id) === phase) return;
        this.#ingestPhase.set(job.id, phase);
        void this.refresh();
      }),
      this.#client.onResync?.(() => void this.refresh()),
    ];
    void this.refresh();
    return () => stops.forEach((stop) => stop?.());
  }

  /** Reload the list; when reloads overlap, the answer to the latest one wins. */
  async refresh(): Promise<void> {
    const isNewest = this.#newest.start();
    try {
      const videos = await this.#client.listVideos();
      if (!isNewest()) return;
      this.videos = videos;
      this.error = null;
    } catch (e) {
      if (!isNewest()) return;
      this.error = `Could not load the library: ${errorMessage(e)}`;
    } finally {
      if (isNewest()) this.loaded = true;
    }
  }

  /** Delete a video and everything stored for it; throws so the caller can show the failure. */
  async remove(videoId: number): Promise<void> {
    await this.#client.deleteVideo(videoId);
    this.videos = this.videos.filter((v) => v.id !== videoId);
    void this.refresh();
  }
}
