import { APP_API_METHODS, type AppApi, type AppApiMethod } from '../../../shared/api.js';

/** Sends one API call over some transport and resolves its value (or throws a real Error). */
export type ApiTransport = (method: AppApiMethod, args: unknown[]) => Promise<unknown>;

/**
 * An AppApi whose every method forwards to `transport`, built from APP_API_METHODS so a new method
 * in src/shared/api.ts needs no code here.
 */
export function createApiProxy(transport: ApiTransport): AppApi {
  const api: Partial<Record<AppApiMethod, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of APP_API_METHODS) {
    api[method] = (...args: unknown[]) => transport(method, args);
  }
  return api as unknown as AppApi;
}
