/** Playback of the stored frames at 1×, 2×, 4× or 8× their sampled rate, as a pure step per animation frame. */
export const PLAYBACK_SPEEDS = [1, 2, 4, 8] as const;
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

export interface PlaybackState {
  frame: number;
  /** Fraction of a frame carried over to the next step. */
  carry: number;
}

/**
 * Advance by the frames that `dtMs` of wall time is worth at `fps × speed`; stops at `stopAt`
 * (inclusive: the end of the span being played, or the last frame). A long stall (a hidden tab)
 * moves at most one second of footage, so playback never leaps ahead.
 */
export function stepPlayback(s: PlaybackState, dtMs: number, fps: number, speed: number, stopAt: number): PlaybackState & { done: boolean } {
  const rate = Math.max(0.1, fps) * speed;
  const exact = s.carry + (Math.min(Math.max(0, dtMs), 1000) / 1000) * rate;
  const whole = Math.floor(exact);
  const next = Math.min(stopAt, s.frame + whole);
  return { frame: next, carry: next === stopAt ? 0 : exact - whole, done: next >= stopAt };
}

/**
 * Where playback that starts at `frame` stops: the end of the selection when the playhead is inside
 * it, else the last frame. (Not the end of whichever event playback passes through: playing from
 * the start runs through every event.)
 */
export function playbackStop(frame: number, last: number, selection: { startIdx: number; endIdx: number } | null): number {
  if (selection && frame >= selection.startIdx && frame < selection.endIdx) return selection.endIdx;
  return last;
}
