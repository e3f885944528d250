import type { JobInfo, ModelSummary } from '../../shared/domain.js';
import type { AppClient } from '../lib/api/client.js';
import { errorMessage } from '../lib/api/errorMessage.js';
import { NewestRequest } from '../lib/api/newestRequest.js';

type ModelsClient = Pick<AppClient, 'listModels' | 'getActiveModel' | 'setActiveModel' | 'on' | 'onResync'>;

/** A train job's phase, so a version shows as training, then ready (or disappears when it fails), without a reload per step. */
function trainPhase(job: JobInfo): string {
  const stage = job.progress.metrics ? 'steps' : (job.progress.stage.split(/[:(]/)[0] ?? '').trim();
  return `${job.state}/${stage}`;
}

/**
 * Every model version (newest first) and the active one. Reloads on `models:changed`, when a train
 * job changes phase, and after the event stream reconnects.
 */
export class ModelsStore {
  models = $state<ModelSummary[]>([]);
  activeId = $state<number | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly #client: ModelsClient;
  readonly #newest = new NewestRequest();
  readonly #trainPhase = new Map<string, string>();

  constructor(client: ModelsClient) {
    this.#client = client;
  }

  get ready(): ModelSummary[] {
    return this.models.filter((m) => m.status === 'ready');
  }

  get active(): ModelSummary | null {
    return this.models.find((m) => m.id === this.activeId) ?? null;
  }

  byId(id: number | null): ModelSummary | null {
    return id === null ? null : (this.models.find((m) => m.id === id) ?? null);
  }

  connect(): () => void {
    const stops = [
      this.#client.on('models:changed', () => void this.refresh()),
      this.#client.on('job:update', (job) => {
        if (job.kind !== 'train') return;
        const phase = trainPhase(job);
        if (this.#trainPhase.get(job.id) === phase) return;
        this.#trainPhase.set(job.id, phase);
        void this.refresh();
      }),
      this.#client.onResync?.(() => void this.refresh()),
    ];
    void this.refresh();
    return () => stops.forEach((stop) => stop?.());
  }

  /** Reload versions and the active one together; when reloads overlap, the latest answer wins. */
  async refresh(): Promise<void> {
    const isNewest = this.#newest.start();
    try {
      const [models, activeId] = await Promise.all([this.#client.listModels(), this.#client.getActiveModel()]);
      if (!isNewest()) return;
      this.models = models;
      this.activeId = activeId;
      this.error = null;
    } catch (e) {
      if (isNewest()) this.error = `Could not load the model versions: ${errorMessage(e)}`;
    } finally {
      if (isNewest()) this.loaded = true;
    }
  }

  /** Make a version the active one (also how a version is rolled back). Throws so the caller can show why not. */
  async setActive(modelId: number): Promise<void> {
    await this.#client.setActiveModel(modelId);
    this.activeId = modelId;
    void this.refresh();
  }
}
