import { describe, expect, it } from 'vitest';
import { playbackStop, stepPlayback } from './playback.js';

describe('stepPlayback', () => {
  it('advances by fps × speed, carrying fractions between steps', () => {
    let s = { frame: 0, carry: 0 };
    for (let i = 0; i < 60; i++) s = stepPlayback(s, 1000 / 60, 25, 1, 1000);
    expect(s.frame).toBe(25); // one second at 25 frames/s
    let f = { frame: 0, carry: 0 };
    for (let i = 0; i < 60; i++) f = stepPlayback(f, 1000 / 60, 25, 8, 1000);
    expect(f.frame).toBe(200);
  });

  it('stops at the end of the span and says so', () => {
    const s = stepPlayback({ frame: 95, carry: 0.5 }, 1000, 10, 1, 99);
    expect(s).toEqual({ frame: 99, carry: 0, done: true });
  });

  it('a long stall moves at most one second of footage', () => {
    expect(stepPlayback({ frame: 0, carry: 0 }, 60_000, 10, 2, 10_000).frame).toBe(20);
  });
});

describe('playbackStop', () => {
  it('plays to the end from frame 0 (not to the end of the first event), and through a selection the playhead is in', () => {
    expect(playbackStop(0, 99, null)).toBe(99);
    expect(playbackStop(42, 99, { startIdx: 40, endIdx: 49 })).toBe(49);
    expect(playbackStop(49, 99, { startIdx: 40, endIdx: 49 })).toBe(99);
  });
});
