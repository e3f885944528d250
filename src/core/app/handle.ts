/**
 * The one validating entry for API calls from any transport: the method must be an AppApi method,
 * the arguments must pass its zod schema, and the answer is always an envelope. Failures are logged.
 */
import { APP_API_METHODS, type AppApi, type AppApiMethod } from '../../shared/api.js';
import { errorToEnvelope, type Envelope } from '../../shared/envelope.js';
import { apiSchemas } from '../../shared/schemas.js';

const METHODS = new Set<string>(APP_API_METHODS);

export const isApiMethod = (m: unknown): m is AppApiMethod => typeof m === 'string' && METHODS.has(m);

export type Logger = (msg: string) => void;

export async function handle(api: AppApi, method: unknown, args: unknown, log: Logger = (m) => console.warn(m)): Promise<Envelope<unknown>> {
  if (!isApiMethod(method)) {
    log(`api: refused unknown method ${JSON.stringify(method)?.slice(0, 80)}`);
    return { ok: false, error: { name: 'ValidationError', message: `Unknown API method ${JSON.stringify(method)?.slice(0, 80)}.` } };
  }
  const parsed = apiSchemas[method].safeParse(args);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.length ? `argument ${i.path.join('.')}` : 'arguments'}: ${i.message}`).join('; ');
    log(`api: ${method} refused malformed arguments: ${why}`);
    return { ok: false, error: { name: 'ValidationError', message: `${method}: ${why}` } };
  }
  try {
    const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
    const value = await fn.apply(api, parsed.data as unknown[]);
    return { ok: true, value: value === undefined ? null : value };
  } catch (e) {
    const env = errorToEnvelope(e);
    log(`api: ${method} failed: ${env.error.name}: ${env.error.message}`);
    return env;
  }
}
