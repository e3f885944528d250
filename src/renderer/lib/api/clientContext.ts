import { getContext, setContext } from 'svelte';
import type { AppClient } from './client.js';

const CLIENT_KEY = Symbol('latentwatch.client');

/** Make `client` available to every component below the caller (App does this once). */
export function setClient(client: AppClient): void {
  setContext(CLIENT_KEY, client);
}

/** The AppClient set by an ancestor. Call during component initialisation. */
export function getClient(): AppClient {
  const client = getContext<AppClient | undefined>(CLIENT_KEY);
  if (!client) throw new Error('No AppClient in context: render this component inside App, or pass clientContext(mock) in tests.');
  return client;
}

/** A context map holding `client`, for mount()/render() options (tests, alternative entry points). */
export function clientContext(client: AppClient): Map<unknown, unknown> {
  return new Map<unknown, unknown>([[CLIENT_KEY, client]]);
}
