import { errorMessage } from '../api/errorMessage.js';

/**
 * One request at a time as the analyst sees it: the newest call wins, so an older answer that
 * arrives late never replaces a newer one; busy and error describe the newest call.
 */
export class LatestRequest<T> {
  value = $state<T | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  private seq = 0;

  async run(request: () => Promise<T>): Promise<void> {
    const mine = ++this.seq;
    this.busy = true;
    this.error = null;
    try {
      const r = await request();
      if (mine === this.seq) this.value = r;
    } catch (e) {
      if (mine === this.seq) this.error = errorMessage(e);
    } finally {
      if (mine === this.seq) this.busy = false;
    }
  }
}
