/** The frame the analyst is looking at in the review panel, for other panels to centre on (e.g. the latent traversal). */
export class ReviewFocus {
  current = $state<{ videoId: number; index: number } | null>(null);
  /** Events the review shows on that video (at the analyst's threshold): training on it asks first. */
  events = $state(0);

  set(videoId: number, index: number): void {
    if (this.current?.videoId !== videoId || this.current.index !== index) this.current = { videoId, index };
  }

  clear(): void {
    this.current = null;
    this.events = 0;
  }
}
