/** What crosses the bridge for every call: a value, or an error with a name and a message. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

/** Errors with a name the renderer can act on. */
export class AppError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const errorToEnvelope = (e: unknown): { ok: false; error: { name: string; message: string } } => {
  if (e instanceof Error) return { ok: false, error: { name: e.name || 'Error', message: e.message } };
  return { ok: false, error: { name: 'Error', message: String(e) } };
};

/** Turn an envelope back into a value, or throw a real Error carrying the name and message. */
export function unwrapEnvelope<T>(env: Envelope<T>): T {
  if (env.ok) return env.value;
  throw new AppError(env.error.name, env.error.message);
}
