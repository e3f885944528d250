import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MaskRect, ScoreSeries } from '../../../shared/domain.js';
import { createMockClient } from '../../testing/mockClient.js';
import { stubPointerEvent } from '../../testing/pointerEvents.js';
import { clientContext } from '../api/clientContext.js';
import FrameView from '../review/FrameView.svelte';
import IgnoreMaskEditor from './IgnoreMaskEditor.svelte';
import { pointIn, rectFromDrag } from './maskDraft.js';

const corner: MaskRect = { x: 0, y: 0, width: 0.25, height: 0.125 };

beforeAll(stubPointerEvent);
beforeEach(() => {
  // The painting surface is 200×200 px at the page's origin.
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ left: 0, top: 0, width: 200, height: 200, right: 200, bottom: 200, x: 0, y: 0, toJSON: () => ({}) });
});

async function drag(from: [number, number], to: [number, number]): Promise<void> {
  const surface = screen.getByTestId('mask-surface');
  await fireEvent.pointerDown(surface, { clientX: from[0], clientY: from[1], button: 0 });
  await fireEvent.pointerMove(surface, { clientX: (from[0] + to[0]) / 2, clientY: (from[1] + to[1]) / 2 });
  expect(screen.getByTestId('mask-draft')).toBeTruthy(); // the rectangle shows while dragging
  await fireEvent.pointerUp(surface, { clientX: to[0], clientY: to[1] });
}

function renderEditor(modelMask: { rects: MaskRect[] } | null = null) {
  const client = createMockClient();
  client.getIgnoreMask.mockResolvedValue({ rects: [corner] });
  render(IgnoreMaskEditor, { props: { videoId: 1, frame: 5, modelMask }, context: clientContext(client) });
  return client;
}

describe('IgnoreMaskEditor', () => {
  it('shows the stored mask, paints a dragged rectangle, undoes, clears, and saves through the API', async () => {
    const client = renderEditor();
    await waitFor(() => expect(screen.getAllByTestId('mask-rect')).toHaveLength(1));
    expect(client.getIgnoreMask).toHaveBeenCalledWith(1);
    expect(screen.getByTestId('mask-status').textContent).toMatch(/Retraining needed/);
    expect(screen.getByTestId<HTMLButtonElement>('mask-save').disabled).toBe(true);

    await drag([100, 60], [20, 20]); // right-to-left, bottom-to-top: still the same rectangle
    const rects = screen.getAllByTestId('mask-rect');
    expect(rects).toHaveLength(2);
    expect(rects[1]!.getAttribute('x')).toBe('0.1');
    expect(rects[1]!.getAttribute('width')).toBe('0.4');
    expect(screen.getByTestId('mask-status').textContent).toMatch(/Unsaved: 2 regions/);

    await fireEvent.click(screen.getByTestId('mask-undo'));
    expect(screen.getAllByTestId('mask-rect')).toHaveLength(1);
    await drag([20, 20], [100, 60]);
    await fireEvent.click(screen.getByTestId('mask-clear'));
    expect(screen.queryAllByTestId('mask-rect')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('mask-undo'));
    expect(screen.getAllByTestId('mask-rect')).toHaveLength(2);

    await fireEvent.click(screen.getByTestId('mask-save'));
    await waitFor(() => expect(client.setIgnoreMask).toHaveBeenCalledWith(1, { rects: [corner, { x: 0.1, y: 0.1, width: 0.4, height: 0.2 }] }));
    await waitFor(() => expect(screen.getByTestId('mask-status').textContent).toMatch(/Saved \(2 regions\)\. Retraining needed/));
    expect(screen.getByTestId<HTMLButtonElement>('mask-save').disabled).toBe(true);
  });

  it('a click without a drag paints nothing', async () => {
    renderEditor();
    await waitFor(() => expect(screen.getAllByTestId('mask-rect')).toHaveLength(1));
    const surface = screen.getByTestId('mask-surface');
    await fireEvent.pointerDown(surface, { clientX: 50, clientY: 50, button: 0 });
    await fireEvent.pointerUp(surface, { clientX: 50, clientY: 50 });
    expect(screen.getAllByTestId('mask-rect')).toHaveLength(1);
  });

  it('keeps the painted regions and shows the reason when saving fails', async () => {
    const client = renderEditor();
    await waitFor(() => expect(screen.getAllByTestId('mask-rect')).toHaveLength(1));
    client.setIgnoreMask.mockRejectedValueOnce(new Error('setIgnoreMask: argument 1.rects.1: a rectangle lies inside the frame'));
    await drag([20, 20], [100, 60]);
    await fireEvent.click(screen.getByTestId('mask-save'));
    await waitFor(() => expect(screen.getByTestId('mask-status').textContent).toMatch(/lies inside the frame/));
    expect(screen.getAllByTestId('mask-rect')).toHaveLength(2);
    expect(screen.getByTestId<HTMLButtonElement>('mask-save').disabled).toBe(false);
  });

  it('says the shown model already uses the saved mask', async () => {
    renderEditor({ rects: [corner] });
    await waitFor(() => expect(screen.getByTestId('mask-status').textContent).toMatch(/The shown model leaves these 1 region out/));
  });

  it('opens from the frame view\'s "Paint ignore regions" button and closes with Done', async () => {
    const client = createMockClient();
    const series = { combined: [1], recon: [0.01], patch: [1], kl: [1], elbo: [-1], stillness: [1], sharpness: [0.1], motion: [0.5] } as unknown as ScoreSeries;
    render(FrameView, { props: { modelId: 3, videoId: 1, frame: 0, series, modelMask: null }, context: clientContext(client) });
    expect(screen.queryByTestId('mask-editor')).toBeNull();
    await fireEvent.click(screen.getByTestId('paint-mask-toggle'));
    expect(screen.getByTestId('mask-editor')).toBeTruthy();
    expect(screen.queryByTestId('frame-view')).toBeNull();
    await waitFor(() => expect(client.getIgnoreMask).toHaveBeenCalledWith(1));
    await fireEvent.click(screen.getByTestId('mask-done'));
    expect(screen.getByTestId('frame-view')).toBeTruthy();
    expect(screen.queryByTestId('heatmap-mask')).toBeNull(); // the shown model has no mask
  });

  it('outlines the regions the shown model ignores on its heatmap', () => {
    const client = createMockClient();
    const series = { combined: [1], recon: [0.01], patch: [1], kl: [1], elbo: [-1], stillness: [1], sharpness: [0.1], motion: [0.5] } as unknown as ScoreSeries;
    render(FrameView, { props: { modelId: 3, videoId: 1, frame: 0, series, modelMask: { rects: [corner] } }, context: clientContext(client) });
    const rect = screen.getByTestId('heatmap-mask').querySelector('rect')!;
    expect([rect.getAttribute('x'), rect.getAttribute('width'), rect.getAttribute('height')]).toEqual(['0', '0.25', '0.125']);
  });
});

describe('maskDraft', () => {
  it('turns drags into normalized rectangles inside the frame', () => {
    expect(pointIn({ left: 10, top: 20, width: 100, height: 50 }, 60, 45)).toEqual({ x: 0.5, y: 0.5 });
    expect(pointIn({ left: 10, top: 20, width: 100, height: 50 }, -100, 500)).toEqual({ x: 0, y: 1 });
    expect(rectFromDrag({ x: 0.9, y: 0.2 }, { x: 0.3, y: 0.7 })).toEqual({ x: 0.3, y: 0.2, width: 0.6, height: 0.5 });
    expect(rectFromDrag({ x: 0.3, y: 0.3 }, { x: 0.305, y: 0.9 })).toBeNull();
    const edge = rectFromDrag({ x: 1 / 3, y: 0 }, { x: 1, y: 1 })!;
    expect(edge.x + edge.width).toBeLessThanOrEqual(1);
  });
});
