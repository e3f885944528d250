import { describe, expect, it } from 'vitest';
import { NewestRequest } from './newestRequest.js';

describe('NewestRequest', () => {
  it('keeps only the latest request current', () => {
    const newest = new NewestRequest();
    const first = newest.start();
    expect(first()).toBe(true);
    const second = newest.start();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });

  it('lets a late answer to an older request be dropped', async () => {
    const newest = new NewestRequest();
    let shown = '';
    const load = async (value: string, ms: number) => {
      const isNewest = newest.start();
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (isNewest()) shown = value;
    };
    await Promise.all([load('old', 20), load('new', 1)]);
    expect(shown).toBe('new');
  });
});
