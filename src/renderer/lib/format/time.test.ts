import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate } from './quantity.js';
import { formatClock, formatEta, formatTimestamp } from './time.js';

describe('time formats', () => {
  it('formats durations as m:ss, adding hours when needed', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(7.9)).toBe('0:07');
    expect(formatClock(83)).toBe('1:23');
    expect(formatClock(3723)).toBe('1:02:03');
  });

  it('formats an ETA as "1:23 left", rounding up, and nothing while unknown', () => {
    expect(formatEta(83)).toBe('1:23 left');
    expect(formatEta(0.2)).toBe('0:01 left');
    expect(formatEta(null)).toBeNull();
  });

  it('formats frame timestamps with tenths', () => {
    expect(formatTimestamp(3.24)).toBe('0:03.2');
    expect(formatTimestamp(62.96)).toBe('1:03.0');
  });
});

describe('quantity formats', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(4.2 * 1024 * 1024)).toBe('4.2 MiB');
  });

  it('formats rates without trailing zeros', () => {
    expect(formatRate(25)).toBe('25');
    expect(formatRate(29.97)).toBe('29.97');
    expect(formatRate(24.5)).toBe('24.5');
    expect(formatRate(123.4)).toBe('123');
  });
});
