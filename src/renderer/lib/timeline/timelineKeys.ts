/** The change timeline's keyboard map, as commands the component carries out. */
import type { ChangeEvent } from '../../../shared/domain.js';
import { clampFrame, nearestEvent } from './decimate.js';

export type TimelineCommand =
  | { kind: 'seek'; frame: number }
  /** Zoom around the playhead by this factor of the visible span (< 1 zooms in). */
  | { kind: 'zoom'; factor: number }
  | { kind: 'play-toggle' };

/**
 * ←/→ one frame, Shift+←/→ ten, Home/End, [ and ] the previous/next event's start, +/- zoom, Space
 * play/pause. null for keys the timeline leaves alone; a seek that goes nowhere still takes the key.
 */
export function timelineKeyCommand(
  key: { key: string; shiftKey: boolean },
  frame: number,
  frameCount: number,
  events: readonly ChangeEvent[],
): TimelineCommand | null {
  const seek = (f: number): TimelineCommand => ({ kind: 'seek', frame: clampFrame(f, frameCount) });
  const step = key.shiftKey ? 10 : 1;
  switch (key.key) {
    case 'ArrowLeft': return seek(frame - step);
    case 'ArrowRight': return seek(frame + step);
    case 'Home': return seek(0);
    case 'End': return seek(frameCount - 1);
    case '[':
    case ']': return seek(nearestEvent(events, frame, key.key === ']' ? 'next' : 'previous')?.startIdx ?? frame);
    case '+':
    case '=': return { kind: 'zoom', factor: 0.5 };
    case '-':
    case '_': return { kind: 'zoom', factor: 2 };
    case ' ': return { kind: 'play-toggle' };
    default: return null;
  }
}
