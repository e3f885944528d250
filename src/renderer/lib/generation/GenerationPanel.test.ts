import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { LatentTraversalGrid, ModelSummary, TraversalRequest } from '../../../shared/domain.js';
import { createMockClient, type MockClient } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import GenerationPanel from './GenerationPanel.svelte';

const model = (o: Partial<ModelSummary> = {}): ModelSummary => ({
  id: 3, kind: 'vae', name: 'VAE on lobby.mp4', status: 'ready', trainVideoId: 1, parentId: null, backend: 'wasm', latentDim: 4, inputSize: 64,
  threshold: 2.5, trainSeconds: 100, trainFramesPerSec: 60, history: [], createdAt: '2026-11-22T00:00:00Z', ...o,
});
const png = (i: number) => `data:image/png;base64,iVBOR${i}`;
const gridFor = (modelId: number, r: TraversalRequest): LatentTraversalGrid => {
  const steps = r.steps ?? 7;
  const offsets = Array.from({ length: steps }, (_, i) => -(r.range ?? 3) + (2 * (r.range ?? 3) * i) / (steps - 1));
  return {
    modelId, dims: r.dims, steps, size: 64, colOffsets: offsets, rowOffsets: offsets, centre: [0, 0, 0, 0],
    frame: r.videoId !== undefined ? { videoId: r.videoId, index: r.index! } : null, images: Array.from({ length: steps * steps }, (_, i) => png(i)),
  };
};

function setup(m: ModelSummary, frame: { videoId: number; index: number } | null = null): { client: MockClient; onClose: ReturnType<typeof vi.fn> } {
  const client = createMockClient();
  client.generateSamples.mockImplementation(async (modelId, o) => ({ modelId, seed: o?.seed ?? 1, size: 64, images: Array.from({ length: o?.count ?? 16 }, (_, i) => png(i)) }));
  client.latentTraversal.mockImplementation(async (modelId, r) => gridFor(modelId, r));
  const onClose = vi.fn();
  render(GenerationPanel, { props: { model: m, frame, videoName: (id: number) => (id === 1 ? 'lobby.mp4' : `video ${id}`), onClose }, context: clientContext(client) });
  return { client, onClose };
}

describe('GenerationPanel: what normal looks like', () => {
  it('shows a grid of prior samples and draws new ones on reseed or another count', async () => {
    const { client } = setup(model());
    await waitFor(() => expect(screen.getAllByTestId('sample-image')).toHaveLength(16));
    expect(client.generateSamples).toHaveBeenCalledWith(3, { count: 16, seed: 1 });
    expect((screen.getAllByTestId('sample-image')[0] as HTMLImageElement).src).toBe(png(0));
    await fireEvent.click(screen.getByTestId('samples-reseed'));
    await waitFor(() => expect(client.generateSamples).toHaveBeenLastCalledWith(3, { count: 16, seed: 2 }));
    expect(screen.getByTestId('samples-seed').textContent).toBe('seed 2');
    await fireEvent.change(screen.getByTestId('samples-count'), { target: { value: '64' } });
    await waitFor(() => expect(screen.getAllByTestId('sample-image')).toHaveLength(64));
    expect(client.generateSamples).toHaveBeenLastCalledWith(3, { count: 64, seed: 2 });
  });

  it('draws a traversal grid centred on the selected frame, and again for other dimensions, steps and range', async () => {
    const { client } = setup(model(), { videoId: 1, index: 42 });
    await waitFor(() => expect(screen.getAllByTestId('traversal-image')).toHaveLength(49));
    expect(client.latentTraversal).toHaveBeenCalledTimes(1);
    expect(client.latentTraversal).toHaveBeenCalledWith(3, { dims: [0, 1], steps: 7, range: 3, videoId: 1, index: 42 });
    expect(screen.getByTestId('traversal-centre').textContent).toContain('centred on frame 42 of lobby.mp4');
    expect(Array.from((screen.getByTestId('traversal-dim-a') as HTMLSelectElement).options, (o) => o.textContent)).toEqual(['z0', 'z1', 'z2', 'z3']);
    await fireEvent.change(screen.getByTestId('traversal-dim-b'), { target: { value: '3' } });
    await fireEvent.change(screen.getByTestId('traversal-steps'), { target: { value: '5' } });
    await fireEvent.change(screen.getByTestId('traversal-range'), { target: { value: '1' } });
    await waitFor(() => expect(screen.getAllByTestId('traversal-image')).toHaveLength(25));
    // The changes settle into one request.
    expect(client.latentTraversal).toHaveBeenCalledTimes(2);
    expect(client.latentTraversal).toHaveBeenLastCalledWith(3, { dims: [0, 3], steps: 5, range: 1, videoId: 1, index: 42 });
    expect((screen.getAllByTestId('traversal-image')[0] as HTMLImageElement).alt).toBe('z0 -1.0, z3 -1.0');
  });

  it('refuses the same dimension twice without asking the app', async () => {
    const { client } = setup(model());
    await waitFor(() => expect(client.latentTraversal).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId('traversal-centre').textContent).toContain('prior’s origin');
    await fireEvent.change(screen.getByTestId('traversal-dim-b'), { target: { value: '0' } });
    expect(screen.getByTestId('traversal-error').textContent).toBe('Choose two different dimensions.');
    await new Promise((r) => setTimeout(r, 350));
    expect(client.latentTraversal).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['pca', /No prior samples for a PCA-16: a PCA baseline is not a generative model/, /No latent traversal for a PCA-16/],
    ['bgdiff', /No prior samples for a Background difference/, /No latent traversal for a Background difference/],
    ['vq-vae', /No prior samples for a VQ-VAE: its latent codes are discrete/, /No latent traversal for a VQ-VAE/],
    ['normalizing-flow', /does not know how to generate from a normalizing-flow model/, /does not know how to generate from a normalizing-flow model/],
  ])('%s: says why it cannot generate, and asks the app for nothing', async (kind, samples, traversal) => {
    const { client } = setup(model({ kind }));
    expect(screen.getByTestId('samples-unsupported').textContent).toMatch(samples);
    expect(screen.getByTestId('traversal-unsupported').textContent).toMatch(traversal);
    await new Promise((r) => setTimeout(r, 300));
    expect(client.generateSamples).not.toHaveBeenCalled();
    expect(client.latentTraversal).not.toHaveBeenCalled();
  });

  it('ae: no prior samples (says why), but a traversal', async () => {
    const { client } = setup(model({ kind: 'ae' }));
    expect(screen.getByTestId('samples-unsupported').textContent).toMatch(/a plain autoencoder has no prior/);
    await waitFor(() => expect(screen.getAllByTestId('traversal-image')).toHaveLength(49));
    expect(screen.getByTestId('traversal-centre').textContent).toContain('centred on a frame of the training video');
    expect(client.generateSamples).not.toHaveBeenCalled();
  });

  it('shows what went wrong, and closes', async () => {
    const client = createMockClient();
    client.generateSamples.mockRejectedValue(new Error('Model 3 is not ready (training).'));
    client.latentTraversal.mockRejectedValue(new Error('Latent dimensions are 0..3; 4 is not one.'));
    const onClose = vi.fn();
    render(GenerationPanel, { props: { model: model(), frame: null, videoName: String, onClose }, context: clientContext(client) });
    expect((await screen.findByTestId('samples-error')).textContent).toContain('not ready');
    expect((await screen.findByTestId('traversal-error')).textContent).toContain('4 is not one');
    await fireEvent.click(screen.getByTestId('generation-close'));
    expect(onClose).toHaveBeenCalled();
  });
});
