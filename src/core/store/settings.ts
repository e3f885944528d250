/** Small app-wide settings (the active model version, a video's adaptive baseline, ...): one JSON value a key. */
import type { Store } from './store.js';

export function getSetting<T>(store: Store, key: string): T | null {
  const r = store.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return r ? (JSON.parse(r.value) as T) : null;
}

export function setSetting(store: Store, key: string, value: unknown): void {
  store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}
