/** The frame the analyst is looking at in the review panel, for other panels to centre on (e.g. the latent traversal). */
export class ReviewFocus {
  current = $state<{ videoId: number; index: number } | null>(null);

  set(videoId: number, index: number): void {
    if (this.current?.videoId !== videoId || this.current.index !== index) this.current = { videoId, index };
  }

  clear(): void {
    this.current = null;
  }
}
