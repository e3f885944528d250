import { describe, expect, it } from 'vitest';
import { formatTruthCsv, parseTruthCsv, TruthFormatError } from './truth.js';

// The exact shape make-scene.mjs writes: LF line ends, a trailing newline, an empty event on normal frames.
const SCENE = ['frame,anomaly,event', '0,0,', '1,1,occlusion', '2,1,occlusion', '3,1,freeze', '4,0,'].join('\n') + '\n';

function errorOf(text: string): TruthFormatError {
  try {
    parseTruthCsv(text);
  } catch (e) {
    expect(e).toBeInstanceOf(TruthFormatError);
    return e as TruthFormatError;
  }
  throw new Error('expected parseTruthCsv to throw');
}

describe('parseTruthCsv', () => {
  it('parses the scene generator format', () => {
    const t = parseTruthCsv(SCENE);
    expect(t.frames).toBe(5);
    expect(Array.from(t.anomaly)).toEqual([0, 1, 1, 1, 0]);
    expect(t.kind).toEqual(['', 'occlusion', 'occlusion', 'freeze', '']);
  });

  it('round-trips through formatTruthCsv', () => {
    expect(formatTruthCsv(parseTruthCsv(SCENE))).toBe(SCENE);
    const t = { anomaly: Uint8Array.from([1, 0, 0, 1]), kind: ['defocus', '', '', 'intruder'], frames: 4 };
    expect(parseTruthCsv(formatTruthCsv(t))).toEqual(t);
  });

  it('tolerates CRLF, a missing or extra trailing newline and a BOM', () => {
    const want = parseTruthCsv(SCENE);
    expect(parseTruthCsv(SCENE.replace(/\n/g, '\r\n'))).toEqual(want);
    expect(parseTruthCsv(SCENE.trimEnd())).toEqual(want);
    expect(parseTruthCsv(SCENE + '\n\r\n')).toEqual(want);
    expect(parseTruthCsv('\uFEFF' + SCENE)).toEqual(want);
  });

  it('rejects an empty file or a header alone', () => {
    expect(errorOf('').message).toMatch(/empty/);
    expect(errorOf('\n\n').message).toMatch(/empty/);
    expect(errorOf('frame,anomaly,event\n').message).toMatch(/no data rows/);
  });

  it('rejects a wrong header, naming line 1', () => {
    const e = errorOf('frame,label,event\n0,0,\n');
    expect(e.name).toBe('TruthFormatError');
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/header/);
    expect(errorOf('0,0,\n1,0,\n').message).toMatch(/header/);
  });

  it('rejects non-consecutive frame numbers', () => {
    expect(errorOf('frame,anomaly,event\n0,0,\n2,0,\n')).toMatchObject({ line: 3, message: expect.stringMatching(/consecutive.*expected 1, got 2/) });
    expect(errorOf('frame,anomaly,event\n1,0,\n').message).toMatch(/expected 0, got 1/);
    expect(errorOf('frame,anomaly,event\n0,0,\n0,0,\n').line).toBe(3);
    expect(errorOf('frame,anomaly,event\n0,0,\n\n1,0,\n').message).toMatch(/blank line/);
  });

  it('rejects bad values with the line and the value', () => {
    expect(errorOf('frame,anomaly,event\n0,2,\n')).toMatchObject({ line: 2, message: expect.stringMatching(/anomaly must be 0 or 1, got "2"/) });
    expect(errorOf('frame,anomaly,event\n0,yes,x\n').message).toMatch(/anomaly/);
    expect(errorOf('frame,anomaly,event\n-1,0,\n').message).toMatch(/frame must be/);
    expect(errorOf('frame,anomaly,event\n0.5,0,\n').message).toMatch(/frame must be/);
    expect(errorOf('frame,anomaly,event\n0,0\n').message).toMatch(/3 fields/);
    expect(errorOf('frame,anomaly,event\n0,1,a,b\n').message).toMatch(/3 fields/);
    expect(errorOf('frame,anomaly,event\n0,0,freeze\n').message).toMatch(/normal frame/);
    expect(errorOf('frame,anomaly,event\n0,1,"odd kind"\n').message).toMatch(/event must be/);
  });

  it('accepts an anomalous frame without a kind', () => {
    const t = parseTruthCsv('frame,anomaly,event\n0,1,\n1,0,\n');
    expect(Array.from(t.anomaly)).toEqual([1, 0]);
    expect(t.kind).toEqual(['', '']);
  });
});
