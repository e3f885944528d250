import { describe, expect, it } from 'vitest';
import { gridCodes, sweepOffsets } from './generate.js';

describe('2-D latent traversal grid', () => {
  it('sweeps evenly over ±range, through the centre for an odd count', () => {
    expect(sweepOffsets(5, 2)).toEqual([-2, -1, 0, 1, 2]);
    expect(sweepOffsets(1, 3)).toEqual([0]);
    expect(sweepOffsets(4, 3)).toEqual([-3, -1, 1, 3]);
  });

  it('sets the first dimension per column and the second per row, row-major, and keeps every other dimension at the centre', () => {
    const centre = [0.5, -1, 2, 7];
    const offsets = sweepOffsets(3, 1);
    const z = gridCodes(centre, [2, 0], offsets);
    expect(z).toHaveLength(9 * 4);
    const code = (r: number, c: number) => Array.from(z.subarray((r * 3 + c) * 4, (r * 3 + c + 1) * 4));
    expect(code(1, 1)).toEqual(centre); // the middle cell is the centre itself
    expect(code(0, 0)).toEqual([-0.5, -1, 1, 7]);
    expect(code(0, 2)).toEqual([-0.5, -1, 3, 7]); // along a row only dims[0] (= 2) changes
    expect(code(2, 0)).toEqual([1.5, -1, 1, 7]); // down a column only dims[1] (= 0) changes
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) expect(code(r, c)[1]).toBe(-1);
  });
});
