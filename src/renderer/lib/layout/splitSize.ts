/**
 * The arithmetic of a split pane: the first pane's share of the width, kept inside [min, max], moved
 * by dragging or by keys, remembered per pane in localStorage (a bad stored value is ignored).
 */

export interface SplitLimits {
  /** Smallest share of the first pane, 0..1. */
  min: number;
  /** Largest share of the first pane, 0..1. */
  max: number;
}

export const clampShare = (share: number, l: SplitLimits): number => (Number.isFinite(share) ? Math.min(l.max, Math.max(l.min, share)) : l.min);

/** The share under a pointer at clientX, over a container spanning [left, left + width). */
export function shareAt(clientX: number, left: number, width: number, l: SplitLimits): number {
  return width > 0 ? clampShare((clientX - left) / width, l) : l.min;
}

/** ←/→ move the divider by 2 % (Shift: 10 %), Home/End to the limits; null for other keys. */
export function shareAfterKey(key: string, shiftKey: boolean, share: number, l: SplitLimits): number | null {
  const step = shiftKey ? 0.1 : 0.02;
  switch (key) {
    case 'ArrowLeft': return clampShare(share - step, l);
    case 'ArrowRight': return clampShare(share + step, l);
    case 'Home': return l.min;
    case 'End': return l.max;
    default: return null;
  }
}

const storageKey = (key: string) => `latentwatch.split.${key}`;

/** The remembered share for this pane, or `fallback` (no storage, nothing stored, or a value out of range). */
export function loadShare(key: string, fallback: number, l: SplitLimits, storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  try {
    const raw = storage?.getItem(storageKey(key));
    const v = Number(raw);
    return raw != null && Number.isFinite(v) && v >= l.min && v <= l.max ? v : fallback;
  } catch {
    return fallback;
  }
}

export function saveShare(key: string, share: number, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(storageKey(key), share.toFixed(4));
  } catch {
    // Storage full or refused (private mode): the layout simply is not remembered.
  }
}
