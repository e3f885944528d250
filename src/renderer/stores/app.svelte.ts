import type { AppInfo } from '../../shared/domain.js';
import type { AppClient } from '../lib/api/client.js';
import { errorMessage } from '../lib/api/errorMessage.js';

/** Facts about the running app (version, mode, ffmpeg), loaded once at start. */
export class AppInfoStore {
  info = $state<AppInfo | null>(null);
  error = $state<string | null>(null);

  readonly #client: Pick<AppClient, 'getAppInfo'>;

  constructor(client: Pick<AppClient, 'getAppInfo'>) {
    this.#client = client;
  }

  async load(): Promise<void> {
    try {
      this.info = await this.#client.getAppInfo();
      this.error = null;
    } catch (e) {
      this.error = `Could not reach the app: ${errorMessage(e)}`;
    }
  }
}
