/**
 * "Newest answer wins" for requests that may overlap (reloads after events, the analyst switching
 * quickly): `start()` makes a request the newest and returns a check that stays true only until a
 * later one starts, so a late answer to an older request is dropped instead of replacing a newer one.
 * The one copy of this rule in the renderer: stores and panels keep one NewestRequest per kind of load.
 */
export class NewestRequest {
  #seq = 0;

  /** Start a request; the returned function says whether it is still the newest. */
  start(): () => boolean {
    const mine = ++this.#seq;
    return () => mine === this.#seq;
  }
}
