import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ModelSummary, ScoreSeries } from '../../../shared/domain.js';
import { createMockClient, video } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import ReviewPanel from './ReviewPanel.svelte';

const model = (o: Partial<ModelSummary> = {}): ModelSummary => ({
  id: 3, kind: 'vae', name: 'VAE on lobby.mp4', status: 'ready', trainVideoId: 1, parentId: null, backend: 'wasm', latentDim: 16, inputSize: 64,
  threshold: 2.5, trainSeconds: 100, trainFramesPerSec: 60, history: [], createdAt: '2026-11-22T00:00:00Z', ...o,
});

const series = (n: number): ScoreSeries => {
  const col = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return {
    modelId: 3, videoId: 1, index: col((i) => i), ptsSec: col((i) => i / 10), combined: col((i) => (i >= 40 && i < 50 ? 9 : 1)),
    recon: col(() => 0.01), patch: col(() => 1), kl: col(() => 40), elbo: col(() => -100), temporal: col(() => 0.2), stillness: col(() => 1.5),
    sharpness: col(() => 0.05), threshold: 2.5, lowThreshold: 2, sampledFps: 10,
  };
};

describe('ReviewPanel', () => {
  it('asks for a model first, and trains one on the chosen video', async () => {
    const client = createMockClient();
    render(ReviewPanel, { props: { videos: [video({ id: 1 })] }, context: clientContext(client) });
    expect((await screen.findByTestId('review-empty')).textContent).toMatch(/No model yet/);
    await fireEvent.click(screen.getByTestId('train-start'));
    expect(client.trainModel).toHaveBeenCalledWith(1);
  });

  it('shows the change timeline, the frame beside its reconstruction and heatmap, and scores the video on request', async () => {
    const client = createMockClient();
    client.listModels.mockResolvedValue([model()]);
    client.getScores.mockResolvedValue(series(100));
    client.listEvents.mockResolvedValue([
      { id: 1, modelId: 3, videoId: 1, startIdx: 40, endIdx: 49, peakIdx: 45, peakScore: 9, startSec: 4, endSec: 4.9, threshold: 2.5 },
    ]);
    render(ReviewPanel, { props: { videos: [video({ id: 1 })] }, context: clientContext(client) });
    // The timeline's track (the heatmap opacity input is a slider too).
    const slider = (await screen.findAllByRole('slider')).find((el) => el.tagName !== 'INPUT')!;
    expect(client.getScores).toHaveBeenCalledWith(3, 1);
    expect((screen.getByTestId('frame-recon') as HTMLImageElement).src).toContain('/media/recon/3/1/0.png');
    // Jump to the next event with ]: the frame view follows the playhead.
    slider.focus();
    await fireEvent.keyDown(slider, { key: ']' });
    await waitFor(() => expect((screen.getByTestId('frame-heatmap') as HTMLImageElement).src).toContain('/media/heatmap/3/1/40.png'));
    expect(screen.getByTestId('frame-scores').textContent).toContain('9.000');
    await fireEvent.click(screen.getByTestId('score-start'));
    expect(client.scoreVideo).toHaveBeenCalledWith(3, 1);
  });

  it('loads the latent scatter of the scored video, and another projection on request', async () => {
    const client = createMockClient();
    client.listModels.mockResolvedValue([model()]);
    client.getScores.mockResolvedValue(series(100));
    const n = 100;
    client.getLatentProjection.mockImplementation(async (modelId, videoId, method) => ({
      modelId, videoId, method, index: Array.from({ length: n }, (_, i) => i), x: Array.from({ length: n }, (_, i) => i),
      y: Array.from({ length: n }, (_, i) => i % 7), explained: method === 'pca' ? [0.5, 0.2] : [], mixtureClass: null,
    }));
    render(ReviewPanel, { props: { videos: [video({ id: 1 })] }, context: clientContext(client) });
    expect((await screen.findByTestId('scatter-axis-x')).textContent).toBe('PC1 · 50.0% of variance');
    expect(client.getLatentProjection).toHaveBeenCalledWith(3, 1, 'pca');
    // Once: the answer arriving must not ask again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.getLatentProjection).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('Updating…')).toBeNull();
    await fireEvent.change(screen.getByTestId('scatter-method'), { target: { value: 'umap' } });
    await waitFor(() => expect(screen.getByTestId('scatter-axis-x').textContent).toBe('UMAP 1'));
    expect(client.getLatentProjection).toHaveBeenLastCalledWith(3, 1, 'umap');
    expect(client.getLatentProjection).toHaveBeenCalledTimes(2);
  });

  it('tells the analyst to score the video when the scatter has no latents', async () => {
    const client = createMockClient();
    client.listModels.mockResolvedValue([model()]);
    client.getScores.mockResolvedValue(series(10));
    client.getLatentProjection.mockRejectedValue(new Error('Score this video with model 3 first: it has no latents from that model yet.'));
    render(ReviewPanel, { props: { videos: [video({ id: 1 })] }, context: clientContext(client) });
    expect((await screen.findByTestId('scatter-error')).textContent).toContain('Score this video with model 3 first');
  });

  it('shows what went wrong when training cannot start', async () => {
    const client = createMockClient();
    client.trainModel.mockRejectedValue(new Error('lobby.mp4 is still importing: wait for it to finish.'));
    render(ReviewPanel, { props: { videos: [video({ id: 1 })] }, context: clientContext(client) });
    await fireEvent.click(await screen.findByTestId('train-start'));
    expect((await screen.findByTestId('review-error')).textContent).toContain('still importing');
  });
});
