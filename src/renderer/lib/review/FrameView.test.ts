import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, describe, expect, it } from 'vitest';
import { stubPointerEvent } from '../../testing/pointerEvents.js';
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

  it('vq-pixelcnn: names its heatmap (unlikely codes) and lists the code −log p among the scores; other kinds do not', () => {
    const { unmount } = render(FrameView, { props: { modelId: 3, videoId: 1, frame: 4, series: { ...series, codeNll: col().map((v) => 10 * v) }, modelKind: 'vq-pixelcnn' }, context: clientContext(createMockClient()) });
    expect(screen.getByTestId('frame-heatmap').getAttribute('alt')).toBe('Unlikely codes (−log p of each code under the prior) of frame 4');
    expect(screen.getByTestId('frame-scores').textContent).toContain('code −log p 4.000');
    unmount();
    show({ modelKind: 'vq-vae' });
    expect(screen.getByTestId('frame-heatmap').getAttribute('alt')).toBe('Error heatmap of frame 4');
    expect(screen.getByTestId('frame-scores').textContent).not.toContain('code −log p');
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

describe('FrameView: the pictures', () => {
  beforeAll(stubPointerEvent);
  it('shows every picture at the source aspect, zooms all three together, enlarges on click, overlays the heatmap, and says while loading', async () => {
    render(FrameView, { props: { modelId: 3, videoId: 1, frame: 4, series, aspect: 16 / 9 }, context: clientContext(createMockClient()) });
    const views = screen.getAllByRole('button', { name: /wheel zooms/ });
    expect(views).toHaveLength(3);
    for (const v of views) expect(v.style.aspectRatio).toMatch(/1\.77/);
    expect(screen.getByTestId('frame-loading').textContent).toContain('Loading frame 4');
    await fireEvent.load(screen.getByTestId('frame-original'));
    expect(screen.queryByTestId('frame-loading')).toBeNull();
    await fireEvent.wheel(views[1]!, { deltaY: -100, clientX: 0, clientY: 0 });
    const layers = views.map((v) => (v.firstElementChild as HTMLElement).style.transform);
    expect(layers[0]).toContain('scale(1.25');
    expect(new Set(layers).size).toBe(1);
    expect(screen.getByTestId('frame-zoom-reset').textContent).toContain('1.3×');
    await fireEvent.pointerDown(views[2]!, { button: 0, clientX: 5, clientY: 5 });
    await fireEvent.pointerUp(views[2]!, { clientX: 5, clientY: 5 });
    expect(views[2]!.getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('frame-heatmap-overlay')).toBeNull();
    await fireEvent.input(screen.getByLabelText(/Heatmap over source/), { target: { value: '0.5' } });
    expect((screen.getByTestId('frame-heatmap-overlay') as HTMLImageElement).style.opacity).toBe('0.5');
  });
});
