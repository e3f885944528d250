import type { Label } from './domain.js';

/** Per-frame class of a video's labels (the latest label wins where spans overlap); '' where unlabelled. */
export function frameClasses(labels: readonly Label[], frameCount: number): string[] {
  const out = new Array<string>(frameCount).fill('');
  const ordered = [...labels].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id);
  for (const l of ordered) for (let i = Math.max(0, l.startIdx); i <= Math.min(frameCount - 1, l.endIdx); i++) out[i] = l.cls;
  return out;
}
