/** The errors trainVae rejects with (besides the checkpoint's I/O errors). */

/** Thrown (rejected) when the AbortSignal fires; the last checkpoint is left as it was. */
export class AbortError extends Error {
  override name = 'AbortError';
}

/** The loss became NaN or ±Infinity. Nothing is written after the last good checkpoint. */
export class DivergedError extends Error {
  override name = 'DivergedError';
  constructor(
    message: string,
    /** 0-based epoch index and step within it where it happened. */
    readonly epoch: number,
    readonly step: number,
  ) {
    super(message);
  }
}

/** The frames or options cannot be trained on (empty set, wrong size, bad numbers, ...). */
export class TrainingInputError extends Error {
  override name = 'TrainingInputError';
}
