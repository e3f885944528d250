import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Label, ModelSummary, ScoreSeries } from '../../../shared/domain.js';
import { createMockClient, job, video } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import { ReviewFocus } from '../../stores/reviewFocus.svelte.js';
import ReviewPanel from './ReviewPanel.svelte';
import { stubPointerEvent } from '../../testing/pointerEvents.js';

const model = (o: Partial<ModelSummary> = {}): ModelSummary => ({
  id: 3, kind: 'vae', name: 'VAE on lobby.mp4', status: 'ready', trainVideoId: 1, parentId: null, backend: 'wasm', latentDim: 16, inputSize: 64,
  threshold: 2.5, trainSeconds: 100, trainFramesPerSec: 60, history: [], createdAt: '2026-11-22T00:00:00Z', ...o,
});

const series = (n: number): ScoreSeries => {
  const col = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return {
    modelId: 3, videoId: 1, index: col((i) => i), ptsSec: col((i) => i / 10), combined: col((i) => (i >= 40 && i < 50 ? 9 : 1)),
    recon: col(() => 0.01), patch: col(() => 1), kl: col(() => 40), elbo: col(() => -100), temporal: col(() => 0.2), stillness: col(() => 1.5),
    sharpness: col(() => 0.05), motion: col(() => 0.5), threshold: 2.5, lowThreshold: 2, sampledFps: 10,
  };
};

beforeAll(stubPointerEvent);
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

const label = (o: Partial<Label> = {}): Label => ({ id: 7, videoId: 1, startIdx: 40, endIdx: 49, cls: 'nuisance', note: '', createdAt: 'x', updatedAt: 'x', ...o });

async function scoredPanel(focus?: ReviewFocus) {
  const client = createMockClient();
  client.listModels.mockResolvedValue([model()]);
  client.getScores.mockResolvedValue(series(100));
  client.listEvents.mockResolvedValue([{ id: 1, modelId: 3, videoId: 1, startIdx: 40, endIdx: 49, peakIdx: 45, peakScore: 9, startSec: 4, endSec: 4.9, threshold: 2.5 }]);
  render(ReviewPanel, { props: { videos: [video({ id: 1 })], ...(focus ? { focus } : {}) }, context: clientContext(client) });
  const slider = (await screen.findAllByRole('slider')).find((el) => el.tagName !== 'INPUT')!;
  return { client, slider };
}

describe('ReviewPanel: labels, threshold, playback, exports', () => {
  it('labels the event under the playhead with U, lists it, and undoes it with Ctrl+Z', async () => {
    const { client, slider } = await scoredPanel();
    client.createLabel.mockResolvedValue(label());
    slider.focus();
    await fireEvent.keyDown(slider, { key: ']' }); // playhead to the event at 40
    await fireEvent.keyDown(window, { key: 'u' });
    await waitFor(() => expect(client.createLabel).toHaveBeenCalledWith({ videoId: 1, startIdx: 40, endIdx: 49, cls: 'nuisance' }));
    client.listLabels.mockResolvedValue([label()]);
    await client.emit('labels:changed', { videoId: 1 });
    expect(await screen.findAllByTestId('label-item')).toHaveLength(1);
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(client.deleteLabel).toHaveBeenCalledWith(7));
  });

  it('publishes the frame shown, for the latent traversal to centre on', async () => {
    const focus = new ReviewFocus();
    const { slider } = await scoredPanel(focus);
    await waitFor(() => expect(focus.current).toEqual({ videoId: 1, index: 0 }));
    slider.focus();
    await fireEvent.keyDown(slider, { key: ']' });
    await waitFor(() => expect(focus.current).toEqual({ videoId: 1, index: 40 }));
  });

  it('shows the calibrated threshold and its event count', async () => {
    await scoredPanel();
    expect(screen.getByTestId('threshold-readout').textContent).toMatch(/Threshold 2\.50 · 1 event\b/);
    expect(screen.queryByTestId('threshold-reset')).toBeNull();
  });

  it('exports events at the shown threshold and labels in both formats', async () => {
    const { client } = await scoredPanel();
    const created: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => (created.push('blob'), 'blob:x'));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicks = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await fireEvent.click(screen.getByTestId('export-events-csv'));
    await waitFor(() => expect(client.exportEvents).toHaveBeenCalledWith(3, 1, 'csv'));
    await fireEvent.click(screen.getByTestId('export-labels-ls'));
    await waitFor(() => expect(client.exportLabels).toHaveBeenCalledWith(1, 'label-studio'));
    expect(created).toHaveLength(2);
    expect(clicks).toHaveBeenCalledTimes(2);
  });

  it('Space plays from the playhead and stops at the end', async () => {
    const { slider } = await scoredPanel();
    let now = 0;
    const queue: FrameRequestCallback[] = [];
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => (queue.push(cb), queue.length));
    vi.stubGlobal('cancelAnimationFrame', () => undefined);
    slider.focus();
    await fireEvent.keyDown(slider, { key: 'End' });
    await fireEvent.keyDown(slider, { key: 'ArrowLeft', shiftKey: true }); // frame 89
    await fireEvent.keyDown(slider, { key: ' ' });
    expect(screen.getByTestId('play-toggle').textContent).toBe('Pause');
    for (let i = 0; i < 5 && queue.length; i++) {
      now += 500; // half a second at 10 frames/s: 5 frames a step
      queue.shift()!(now);
      await Promise.resolve();
    }
    await waitFor(() => expect(slider.getAttribute('aria-valuenow')).toBe('99'));
    await waitFor(() => expect(screen.getByTestId('play-toggle').textContent).toBe('Play'));
    vi.unstubAllGlobals();
  });
});

describe('ReviewPanel: the event queue', () => {
  it('lists the events, opens one with J, labels it with U, marks it reviewed with R, and uses the threshold stored for the model', async () => {
    const client = createMockClient();
    client.listModels.mockResolvedValue([model()]);
    client.getScores.mockResolvedValue(series(100));
    client.getReviewState.mockResolvedValue({ modelId: 3, videoId: 1, threshold: 5, reviewedPeaks: [] });
    client.createLabel.mockResolvedValue(label());
    render(ReviewPanel, { props: { videos: [video({ id: 1 })] }, context: clientContext(client) });
    // At the stored threshold 5 the live rules find the one span of 9s.
    await waitFor(() => expect(screen.getByTestId('threshold-readout').textContent).toMatch(/Threshold 5\.00\s+\(calibrated 2\.50\) · 1 event\b/));
    expect(screen.getByTestId('queue-progress').textContent).toBe('0 of 1 reviewed');
    await fireEvent.keyDown(window, { key: 'j' });
    await waitFor(() => expect(screen.getByTestId('frame-scores').textContent).toContain('9.000'));
    await fireEvent.keyDown(window, { key: 'u' });
    await waitFor(() => expect(client.createLabel).toHaveBeenCalledWith({ videoId: 1, startIdx: 40, endIdx: 49, cls: 'nuisance' }));
    await fireEvent.keyDown(window, { key: 'r' });
    await waitFor(() => expect(screen.getByTestId('queue-progress').textContent).toBe('1 of 1 reviewed'));
    expect(client.setEventReviewed).toHaveBeenCalledWith(expect.objectContaining({ modelId: 3, videoId: 1, startIdx: 40, endIdx: 49, reviewed: true }));
    await fireEvent.click(screen.getByTestId('threshold-reset'));
    await waitFor(() => expect(client.setReviewThreshold).toHaveBeenCalledWith(3, null));
  });
});

describe('ReviewPanel: a fine-tune running', () => {
  it('shows the running fine-tune and keeps the timeline while models reload', async () => {
    const { client } = await scoredPanel();
    client.emit('job:update', job({ id: 'train-9', kind: 'train', title: 'Fine-tune model 3', state: 'running', progress: { done: 6, total: 24, fraction: 0.25, rate: 100, etaSec: 5, stage: 'training on wasm: epoch 1/4' } }));
    expect((await screen.findByTestId('review-training')).textContent).toContain('Fine-tune model 3: training on wasm: epoch 1/4');
    await client.emit('models:changed');
    expect(screen.getByTestId('change-timeline')).toBeTruthy();
    client.emit('job:update', job({ id: 'train-9', kind: 'train', title: 'Fine-tune model 3', state: 'succeeded' }));
    await waitFor(() => expect(screen.queryByTestId('review-training')).toBeNull());
  });
});

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
