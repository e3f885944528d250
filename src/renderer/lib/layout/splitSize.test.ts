import { describe, expect, it } from 'vitest';
import { clampShare, loadShare, saveShare, shareAfterKey, shareAt } from './splitSize.js';

const l = { min: 0.3, max: 0.7 };

describe('split pane arithmetic', () => {
  it('keeps the share inside its limits, whatever the pointer or key does', () => {
    expect(clampShare(0.5, l)).toBe(0.5);
    expect(clampShare(0.1, l)).toBe(0.3);
    expect(clampShare(0.95, l)).toBe(0.7);
    expect(clampShare(Number.NaN, l)).toBe(0.3);
    expect(shareAt(150, 100, 200, l)).toBeCloseTo(0.3);
    expect(shareAt(200, 100, 200, l)).toBe(0.5);
    expect(shareAt(0, 100, 200, l)).toBe(0.3);
    expect(shareAt(500, 100, 0, l)).toBe(0.3);
  });

  it('moves 2 % per arrow, 10 % with Shift, and Home/End jump to the limits', () => {
    expect(shareAfterKey('ArrowRight', false, 0.5, l)).toBeCloseTo(0.52);
    expect(shareAfterKey('ArrowLeft', true, 0.5, l)).toBeCloseTo(0.4);
    expect(shareAfterKey('ArrowRight', true, 0.65, l)).toBe(0.7);
    expect(shareAfterKey('Home', false, 0.5, l)).toBe(0.3);
    expect(shareAfterKey('End', false, 0.5, l)).toBe(0.7);
    expect(shareAfterKey('a', false, 0.5, l)).toBeNull();
  });

  it('remembers a share per pane and ignores stored values that are missing, garbage or out of range', () => {
    const m = new Map<string, string>();
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    expect(loadShare('review', 0.5, l, storage)).toBe(0.5);
    saveShare('review', 0.62, storage);
    expect(loadShare('review', 0.5, l, storage)).toBeCloseTo(0.62);
    expect(loadShare('other', 0.45, l, storage)).toBe(0.45);
    m.set('latentwatch.split.review', 'wide');
    expect(loadShare('review', 0.5, l, storage)).toBe(0.5);
    m.set('latentwatch.split.review', '0.95');
    expect(loadShare('review', 0.5, l, storage)).toBe(0.5);
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('full'); } };
    expect(loadShare('review', 0.5, l, broken)).toBe(0.5);
    expect(() => saveShare('review', 0.5, broken)).not.toThrow();
  });
});
