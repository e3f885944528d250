import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ScoreSeries } from '../../../shared/domain.js';
import { createMockClient } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import FrameView from './FrameView.svelte';

const col = () => Array.from({ length: 10 }, (_, i) => i / 10);
const series: ScoreSeries = {
  modelId: 3, videoId: 1, index: col().map((_, i) => i), ptsSec: col(), combined: col(), recon: col(), patch: col(), kl: col(), elbo: col(),
  temporal: col(), stillness: col(), sharpness: col(), motion: col(), threshold: 1, lowThreshold: 0.5, sampledFps: 10,
};

const show = (props: { modelKind?: string; frame?: number }) =>
  render(FrameView, { props: { modelId: 3, videoId: 1, frame: 4, series, ...props }, context: clientContext(createMockClient()) });

describe('FrameView: the model view of a frame', () => {
  it('names what the reconstruction is for each kind', () => {
    show({ modelKind: 'bgdiff' });
    expect(screen.getByTestId('frame-recon-caption').textContent).toBe('Median background (gray)');
    expect((screen.getByTestId('frame-recon') as HTMLImageElement).src).toContain('/media/recon/3/1/4.png');
  });

  it('shows why in place of a broken picture when the model view cannot be had, and tries again for another frame', async () => {
    const { rerender } = show({ modelKind: 'normalizing-flow' });
    await fireEvent.error(screen.getByTestId('frame-recon'));
    expect(screen.queryByTestId('frame-recon')).toBeNull();
    expect(screen.queryByTestId('frame-heatmap')).toBeNull();
    expect(screen.getByTestId('frame-no-view').textContent).toMatch(/No reconstruction or heatmap: this normalizing-flow model has no reconstruction of this frame/);
    await rerender({ frame: 5 });
    expect((screen.getByTestId('frame-recon') as HTMLImageElement).src).toContain('/media/recon/3/1/5.png');
  });
});
