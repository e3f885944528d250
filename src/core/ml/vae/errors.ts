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

/** Where a run is: for the messages of the errors above. */
export interface RunPosition {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  learningRate: number;
}

/** A training step's loss is not finite. `lastEpoch`: epochs in the history (the last good checkpoint's). */
export function stepDiverged(at: RunPosition, terms: { loss: number; recon: number; kl: number }, lastEpoch: number): DivergedError {
  const last = lastEpoch ? `epoch ${lastEpoch}` : 'none yet';
  return new DivergedError(
    `training diverged at epoch ${at.epoch + 1} of ${at.epochs}, step ${at.step + 1} of ${at.stepsPerEpoch}: ` +
      `loss ${terms.loss} (recon ${terms.recon}, KL ${terms.kl}). Try a lower learning rate than ${at.learningRate} ` +
      `(e.g. ${at.learningRate / 10}), or a smaller beta. The last good checkpoint (${last}) was not overwritten.`,
    at.epoch,
    at.step,
  );
}

/** The validation loss at the end of an epoch is not finite. */
export function validationDiverged(at: Omit<RunPosition, 'step'>, terms: { loss: number; recon: number; kl: number }): DivergedError {
  return new DivergedError(
    `training diverged at epoch ${at.epoch + 1} of ${at.epochs}: the validation loss is ${terms.loss} (recon ${terms.recon}, KL ${terms.kl}). ` +
      `Try a lower learning rate than ${at.learningRate} (e.g. ${at.learningRate / 10}). The last good checkpoint was not overwritten.`,
    at.epoch,
    at.stepsPerEpoch - 1,
  );
}

/** Throws AbortError (with the signal's reason as its cause) once `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) {
    const err = new AbortError(`training canceled ${where}`);
    (err as { cause?: unknown }).cause = signal.reason;
    throw err;
  }
}
