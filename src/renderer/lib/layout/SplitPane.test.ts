import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import SplitPane from './SplitPane.svelte';

const text = (t: string) => createRawSnippet(() => ({ render: () => `<p>${t}</p>` }));

function renderPane() {
  return render(SplitPane, { props: { name: 'test', label: 'left and right', first: text('left'), second: text('right'), initial: 0.5, min: 0.3, max: 0.7 } });
}

afterEach(() => localStorage.clear());

describe('SplitPane', () => {
  it('shows both panes and a keyboard-resizable separator that remembers its place', async () => {
    renderPane();
    expect(screen.getByText('left')).toBeTruthy();
    expect(screen.getByText('right')).toBeTruthy();
    const divider = screen.getByRole('separator', { name: 'Resize: left and right' });
    expect(divider.getAttribute('aria-valuenow')).toBe('50');
    await fireEvent.keyDown(divider, { key: 'ArrowRight', shiftKey: true });
    expect(divider.getAttribute('aria-valuenow')).toBe('60');
    await fireEvent.keyDown(divider, { key: 'End' });
    expect(divider.getAttribute('aria-valuenow')).toBe('70');
    expect(screen.getByTestId('split-test').style.getPropertyValue('--share')).toBe('70.00%');
    expect(localStorage.getItem('latentwatch.split.test')).toBe('0.7000');
    await fireEvent.dblClick(divider);
    expect(divider.getAttribute('aria-valuenow')).toBe('50');
  });

  it('starts where the analyst left it', () => {
    localStorage.setItem('latentwatch.split.test', '0.36');
    renderPane();
    expect(screen.getByRole('separator').getAttribute('aria-valuenow')).toBe('36');
  });

  it('keeps arrow keys on the separator from reaching the page (the timeline and label keys listen there)', async () => {
    renderPane();
    let reached = 0;
    const listener = () => reached++;
    window.addEventListener('keydown', listener);
    await fireEvent.keyDown(screen.getByRole('separator'), { key: 'ArrowLeft' });
    await fireEvent.keyDown(screen.getByRole('separator'), { key: 'u' });
    window.removeEventListener('keydown', listener);
    expect(reached).toBe(1);
  });
});
