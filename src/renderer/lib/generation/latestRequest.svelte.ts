import { errorMessage } from '../api/errorMessage.js';
import { NewestRequest } from '../api/newestRequest.js';

/**
 * One request at a time as the analyst sees it: the newest call wins, so an older answer that
 * arrives late never replaces a newer one; busy and error describe the newest call.
 */
export class LatestRequest<T> {
  value = $state<T | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  readonly #newest = new NewestRequest();

  async run(request: () => Promise<T>): Promise<void> {
    const isNewest = this.#newest.start();
    this.busy = true;
    this.error = null;
    try {
      const r = await request();
      if (isNewest()) this.value = r;
    } catch (e) {
      if (isNewest()) this.error = errorMessage(e);
    } finally {
      if (isNewest()) this.busy = false;
    }
  }
}
