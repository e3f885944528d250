import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { type JobInfo, type JobProgress, MODEL_KINDS, type ModelComparisonRow, type ModelSummary } from '../../../shared/domain.js';
import { FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS } from '../../../shared/train-defaults.js';
import { createMockClient, job, type MockClient, video } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import { ReviewFocus } from '../../stores/reviewFocus.svelte.js';
import TrainingPanel from './TrainingPanel.svelte';

const model = (o: Partial<ModelSummary> = {}): ModelSummary => ({
  id: 3, kind: 'vae', name: 'VAE on lobby.mp4', status: 'ready', trainVideoId: 1, parentId: null, backend: 'wasm', latentDim: 16, inputSize: 64,
  threshold: 2.5, trainSeconds: 100, trainFramesPerSec: 60, history: [], createdAt: '2026-11-22T00:00:00Z', ...o,
});

const trainJob = (progress: Partial<JobProgress>, o: Partial<JobInfo> = {}): JobInfo =>
  job({
    id: 'train-1', kind: 'train', title: 'Train on lobby.mp4', state: 'running',
    progress: { done: 0, total: 100, fraction: 0, rate: 0, etaSec: null, stage: 'loading frames', ...progress },
    ...o,
  });

const step = (done: number, loss: number, extra: Record<string, number> = {}) =>
  trainJob({
    done, fraction: done / 100, rate: 42, etaSec: 30, stage: `training on wasm: epoch 1/5, loss ${loss}`,
    metrics: { epoch: 0, loss, recon: loss - 20, kl: 20, beta: 0.2, ...extra },
  });

function setup(o: { models?: ModelSummary[]; active?: number | null } = {}): MockClient {
  const client = createMockClient();
  client.listModels.mockResolvedValue(o.models ?? []);
  client.getActiveModel.mockResolvedValue(o.active ?? null);
  render(TrainingPanel, { props: { videos: [video({ id: 1 }), video({ id: 2, name: 'yard.mp4' })] }, context: clientContext(client) });
  return client;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TrainingPanel: live training', () => {
  it('draws loss curves from the train job updates, with backend, ETA and cancel', async () => {
    const client = setup();
    await flush();
    client.emit('job:update', trainJob({}));
    client.emit('job:update', job({ id: 'ingest-9', kind: 'ingest' }));
    await tick();
    expect(screen.getAllByTestId('train-run')).toHaveLength(1);
    expect(screen.getByTestId('train-waiting')).toBeTruthy();

    client.emit('job:update', step(10, 900));
    client.emit('job:update', step(20, 800));
    client.emit('job:update', step(30, 700, { valLoss: 760 }));
    client.emit('job:update', step(30, 700, { valLoss: 760 }));
    await tick();
    const chart = screen.getByTestId('loss-chart');
    expect(chart.dataset.points).toBe('3');
    expect(chart.getAttribute('aria-label')).toContain('steps');
    expect(screen.getByTestId('loss-legend-loss').textContent).toContain('700');
    expect(screen.getByTestId('loss-legend-recon').textContent).toContain('680');
    expect(screen.getByTestId('loss-legend-kl').textContent).toContain('20');
    expect(screen.getByTestId('loss-legend-valLoss').textContent).toContain('760');
    expect(screen.getByTestId('train-backend').textContent).toBe('wasm');
    expect(screen.getByTestId('train-eta').textContent).toBe('0:30 left');
    expect(screen.getByTestId('train-percent').textContent).toBe('30%');

    // The calibration phase carries no losses: the curve stays, and so does the backend.
    client.emit('job:update', trainJob({ done: 10, total: 2000, fraction: 0.005, stage: 'calibrating on held-out frames' }));
    await tick();
    expect(screen.getByTestId('loss-chart').dataset.points).toBe('3');
    expect(screen.getByTestId('train-backend').textContent).toBe('wasm');

    await fireEvent.click(screen.getByTestId('train-cancel'));
    expect(client.cancelJob).toHaveBeenCalledWith('train-1');
  });

  it('shows the new version’s epoch history once the job is done', async () => {
    const history = [0, 1, 2].map((epoch) => ({ epoch, loss: 900 - epoch * 100, recon: 880 - epoch * 100, kl: 20, valLoss: 950 - epoch * 100 }));
    const client = setup();
    await flush();
    client.emit('job:update', step(50, 800));
    client.listModels.mockResolvedValue([model({ id: 5, history, backend: 'wasm' })]);
    client.emit('job:update', trainJob({ done: 100, fraction: 1, stage: 'done' }, { state: 'succeeded', result: { modelId: 5, backend: 'wasm' } }));
    await waitFor(() => expect(screen.getByTestId('loss-chart').getAttribute('aria-label')).toContain('epochs'));
    expect(screen.getByTestId('loss-chart').dataset.points).toBe('3');
    expect(within(screen.getByTestId('epoch-table')).getAllByRole('row')).toHaveLength(4);
    expect(screen.queryByTestId('train-cancel')).toBeNull();
  });

  it('says why a training failed', async () => {
    const client = setup();
    await flush();
    client.emit('job:update', trainJob({}, { state: 'failed', error: { name: 'DivergedError', message: 'training diverged at epoch 3 of 20' } }));
    expect((await screen.findByTestId('train-error')).textContent).toContain('diverged at epoch 3');
  });
});

describe('TrainingPanel: starting a training', () => {
  it('trains on the chosen video with the app defaults', async () => {
    const client = setup();
    await fireEvent.change(screen.getByTestId('training-video'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('training-start'));
    expect(client.trainModel).toHaveBeenCalledWith(2, {});
    expect((await screen.findByTestId('training-notice')).textContent).toContain('yard.mp4');
  });

  it('fine-tunes from the active version with the advanced settings', async () => {
    const client = setup({ models: [model({ id: 3 })], active: 3 });
    const button = screen.getByTestId('training-finetune') as HTMLButtonElement;
    await waitFor(() => expect(button.disabled).toBe(false));
    expect(button.textContent).toContain('#3');
    expect(screen.getByTestId('finetune-explain').textContent).toMatch(/incident,\s+tamper or a class of your own are never learned from/);
    await fireEvent.input(screen.getByTestId('train-epochs'), { target: { value: '5' } });
    await fireEvent.input(screen.getByTestId('train-seed'), { target: { value: '9' } });
    await fireEvent.change(screen.getByTestId('train-likelihood'), { target: { value: 'gaussian-fixed' } });
    // The parent's network is kept: its likelihood is not the analyst's to change in a fine-tune.
    expect(screen.getByTestId('finetune-keeps-network').textContent).toContain("keeps model 3's network");
    await fireEvent.click(button);
    expect(client.trainModel).toHaveBeenCalledWith(1, { epochs: 5, seed: 9, parentModelId: 3 });
    await fireEvent.click(screen.getByTestId('training-start'));
    expect(client.trainModel).toHaveBeenLastCalledWith(1, { epochs: 5, seed: 9, likelihood: 'gaussian-fixed' });
  });

  it("shows a kind's own setting only for that kind and sends it: earlier frames for cvae, components for gmvae", async () => {
    const client = setup({ models: [], active: null });
    const select = screen.getByTestId('train-kind') as HTMLSelectElement;
    expect(screen.queryByTestId('train-conditionFrames')).toBeNull();
    await fireEvent.change(select, { target: { value: 'cvae' } });
    await fireEvent.input(screen.getByTestId('train-conditionFrames'), { target: { value: '3' } });
    expect(screen.queryByTestId('train-mixtureComponents')).toBeNull();
    await fireEvent.click(screen.getByTestId('training-start'));
    expect(client.trainModel).toHaveBeenLastCalledWith(1, { kind: 'cvae', conditionFrames: 3 });
    await fireEvent.change(select, { target: { value: 'gmvae' } });
    expect(screen.queryByTestId('train-conditionFrames')).toBeNull();
    expect((screen.getByTestId('train-mixtureComponents') as HTMLInputElement).placeholder).toBe('4');
  });

  it('trains the chosen model kind, describing each; a fine-tune keeps its parent\'s kind', async () => {
    const client = setup({ models: [model({ id: 3 })], active: 3 });
    const select = screen.getByTestId('train-kind') as HTMLSelectElement;
    // Every kind of MODEL_KINDS is offered, the default first and chosen.
    expect(Array.from(select.options, (o) => o.value)).toEqual([...MODEL_KINDS]);
    expect(select.value).toBe('vae');
    expect(select.options[0]!.textContent).toContain('(default)');
    expect(screen.getByTestId('train-kind-description').textContent).toMatch(/variational autoencoder/);
    await fireEvent.change(select, { target: { value: 'pca' } });
    expect(screen.getByTestId('train-kind-description').textContent).toMatch(/principal components/);
    expect(screen.getByTestId('train-baseline-note').textContent).toMatch(/fitted in one pass/);
    await fireEvent.change(select, { target: { value: 'vae-gp' } });
    expect(screen.queryByTestId('train-baseline-note')).toBeNull();
    await fireEvent.click(screen.getByTestId('training-start'));
    expect(client.trainModel).toHaveBeenLastCalledWith(1, { kind: 'vae-gp' });
    const fineTune = screen.getByTestId('training-finetune') as HTMLButtonElement;
    await waitFor(() => expect(fineTune.disabled).toBe(false));
    expect(fineTune.textContent).toContain('#3, VAE');
    expect(screen.getByTestId('finetune-keeps-network').textContent).toMatch(/Model kind, latent size and likelihood apply to new models only/);
    await fireEvent.click(fineTune);
    expect(client.trainModel).toHaveBeenLastCalledWith(1, { parentModelId: 3 });
  });

  it('cannot fine-tune from a kind that has no fine-tune, and says why', async () => {
    setup({ models: [model({ id: 4, kind: 'pca' })], active: 4 });
    const fineTune = screen.getByTestId('training-finetune') as HTMLButtonElement;
    await waitFor(() => expect(fineTune.textContent).toContain('#4, PCA-16'));
    expect(fineTune.disabled).toBe(true);
    expect(fineTune.title).toMatch(/fitted in one pass/);
  });

  it('shows the real defaults as placeholders, not the word "default"', () => {
    setup();
    expect((screen.getByTestId('train-epochs') as HTMLInputElement).placeholder).toBe(`${TRAIN_DEFAULTS.epochs} (fine-tune ${FINE_TUNE_DEFAULTS.epochs})`);
    expect((screen.getByTestId('train-batchSize') as HTMLInputElement).placeholder).toBe('32');
    expect((screen.getByTestId('train-learningRate') as HTMLInputElement).placeholder).toBe('0.001');
    expect((screen.getByTestId('train-targetFpr') as HTMLInputElement).placeholder).toBe('0.01');
    for (const input of screen.getByTestId('train-advanced').querySelectorAll('input[type=number]')) expect((input as HTMLInputElement).placeholder).toMatch(/^[\d.]+( \(fine-tune [\d.]+\))?$/);
    expect((screen.getByTestId('train-likelihood') as HTMLSelectElement).options[0]!.textContent).toBe('Default (Gaussian, learned variance)');
  });

  it('cannot fine-tune before a version is ready', async () => {
    setup({ models: [model({ id: 3, status: 'training' })] });
    await flush();
    expect((screen.getByTestId('training-finetune') as HTMLButtonElement).disabled).toBe(true);
  });

  it('validates the advanced fields as they are typed and refuses to start until they are fixed', async () => {
    const client = setup();
    const epochs = screen.getByTestId('train-epochs');
    await fireEvent.input(epochs, { target: { value: '0' } });
    expect(screen.getByTestId('train-epochs-error').textContent).toBe('Epochs must be from 1 to 1,000.');
    await fireEvent.input(screen.getByTestId('train-learningRate'), { target: { value: '2' } });
    expect(screen.getByTestId('train-learningRate-error').textContent).toBe('Learning rate must be above 0 and at most 1.');
    expect(screen.getByTestId('training-invalid').textContent).toContain('2 fields');
    expect((screen.getByTestId('training-start') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(epochs, { target: { value: '12' } });
    await fireEvent.input(screen.getByTestId('train-learningRate'), { target: { value: '0.0005' } });
    expect(screen.queryByTestId('training-invalid')).toBeNull();
    await fireEvent.click(screen.getByTestId('training-start'));
    expect(client.trainModel).toHaveBeenCalledWith(1, { epochs: 12, learningRate: 0.0005 });
  });

  it('shows why the app refused to train', async () => {
    const client = setup();
    client.trainModel.mockRejectedValue(new Error('lobby.mp4 is still importing: wait for it to finish.'));
    await fireEvent.click(screen.getByTestId('training-start'));
    expect((await screen.findByTestId('training-error')).textContent).toContain('still importing');
  });
});

describe('TrainingPanel: versions', () => {
  const versions = [
    model({ id: 4, name: 'Fine-tune', parentId: 3, history: [{ epoch: 0, loss: 9, recon: 8, kl: 1, valLoss: 812.3 }] }),
    model({ id: 3 }),
    model({ id: 2, status: 'training', backend: null, threshold: null }),
  ];

  it('lists every version with its facts and the active badge, and makes another active', async () => {
    const client = setup({ models: versions, active: 3 });
    const rows = await screen.findAllByTestId('model-version');
    expect(rows.map((r) => r.dataset.modelId)).toEqual(['4', '3', '2']);
    expect(within(rows[1]!).getByTestId('active-badge')).toBeTruthy();
    expect(screen.getAllByTestId('active-badge')).toHaveLength(1);
    expect(within(rows[0]!).getByTestId('model-parent').textContent).toBe('fine-tuned from #3');
    expect(within(rows[0]!).getByTestId('model-val-loss').textContent).toBe('val loss 812');
    expect(rows[0]!.textContent).toContain('on lobby.mp4');
    expect(rows[0]!.textContent).toContain('60 frames/s');
    expect(rows[0]!.textContent).toContain('trained in 1:40');
    // Only a ready version that is not active can be made active.
    expect(within(rows[1]!).queryByTestId('make-active')).toBeNull();
    expect(within(rows[2]!).queryByTestId('make-active')).toBeNull();

    client.getActiveModel.mockResolvedValue(4);
    await fireEvent.click(within(rows[0]!).getByTestId('make-active'));
    expect(client.setActiveModel).toHaveBeenCalledWith(4);
    await waitFor(() => expect(within(screen.getAllByTestId('model-version')[0]!).queryByTestId('active-badge')).toBeTruthy());
    expect(screen.getAllByTestId('active-badge')).toHaveLength(1);
  });

  it('shows a refused switch on its row', async () => {
    const client = setup({ models: versions, active: 3 });
    client.setActiveModel.mockRejectedValue(new Error('Model 4 is not ready (training); choose a ready version.'));
    await fireEvent.click(await screen.findByTestId('make-active'));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not make model 4 active');
  });

  it('reloads on models:changed', async () => {
    const client = setup({ models: [], active: null });
    expect((await screen.findByTestId('versions-empty')).textContent).toContain('No versions yet');
    client.listModels.mockResolvedValue([model({ id: 7 })]);
    client.getActiveModel.mockResolvedValue(7);
    client.emit('models:changed');
    await waitFor(() => expect(screen.getAllByTestId('model-version')).toHaveLength(1));
    expect(screen.getByTestId('active-badge')).toBeTruthy();
  });
});

describe('TrainingPanel: comparing versions', () => {
  const cls = (incident: number, nuisance: number) => ({ incident: { flagged: incident, frames: 35 }, tamper: { flagged: 0, frames: 0 }, nuisance: { flagged: nuisance, frames: 20 }, normal: { flagged: 0, frames: 380 } });
  const scored = (modelId: number, o: Partial<ModelComparisonRow> = {}): ModelComparisonRow => ({
    modelId, name: `v${modelId}`, scored: true, auc: 0.8, falseAlarmFrames: 10, falseAlarmEvents: 3, detectedFrames: 30, meanNormalScore: 1.2, threshold: 2.5,
    classes: cls(35, 20), heldOutFpr: { flagged: 1, frames: 100 }, ...o,
  });
  const base = { classFrames: { incident: 35, tamper: 0, nuisance: 20, normal: 380 }, heldOut: { modelId: 3, videoId: 2, frames: 100 } };

  it('compares the newest fine-tune with its parent (still the active one) and shows a regression in red, AUC uncoloured', async () => {
    const pool = { baseVideoId: 2, baseSource: 'parent-training-video' as const, baseFrames: 540, excludedFrames: 0, excludedEventFrames: 12, reservedHeldOutFrames: 60, labelledFrames: 20, labelledNormal: 0, labelledNuisance: 20, labelledVideos: 1, labelledRepeats: 9 };
    const client = setup({ models: [model({ id: 4, parentId: 3, pool }), model({ id: 3 }), model({ id: 1 })], active: 3 });
    client.compareModels.mockResolvedValue({
      videoId: 1, normalFrames: 400, incidentFrames: 35, ...base,
      rows: [scored(3), scored(4, { auc: 0.97, classes: cls(1, 0), heldOutFpr: { flagged: 2, frames: 100 } })],
      verdicts: [{
        beforeId: 3, afterId: 4, verdict: 'regression',
        changes: [
          { metric: 'incident', before: { flagged: 35, frames: 35 }, after: { flagged: 1, frames: 35 }, tone: 'worse' },
          { metric: 'nuisance', before: { flagged: 20, frames: 20 }, after: { flagged: 0, frames: 20 }, tone: 'better' },
          { metric: 'normal', before: { flagged: 0, frames: 380 }, after: { flagged: 0, frames: 380 }, tone: 'same' },
          { metric: 'heldOut', before: { flagged: 1, frames: 100 }, after: { flagged: 2, frames: 100 }, tone: 'same' },
        ],
      }],
    });
    await waitFor(() => expect((screen.getByTestId('compare-pick-4') as HTMLInputElement).checked).toBe(true));
    expect((screen.getByTestId('compare-pick-3') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('compare-pick-1') as HTMLInputElement).checked).toBe(false);
    await fireEvent.click(screen.getByTestId('compare-run'));
    expect(client.compareModels).toHaveBeenCalledWith(1, [3, 4]);
    const rows = await screen.findAllByTestId('compare-row');
    expect(rows.map((r) => r.dataset.modelId)).toEqual(['3', '4']);
    expect(rows[1]!.querySelector('[data-metric="incident"]')!.textContent).toBe('1 / 35 (2.9%)');
    expect(rows[1]!.querySelector('[data-metric="auc"]')!.textContent).toBe('0.970');
    const verdict = screen.getByTestId('compare-verdict');
    expect(verdict.dataset.verdict).toBe('regression');
    expect(verdict.className).toContain('verdict-regression');
    expect(verdict.textContent).toContain('incident frames detected 35 → 1');
    const delta = screen.getByTestId('compare-delta');
    expect(delta.textContent).toContain('vs #3');
    const cell = (k: string) => delta.querySelector(`[data-metric="${k}"]`)!;
    expect(cell('incident').textContent).toBe('35 → 1');
    expect(cell('incident').className).toContain('tone-worse');
    expect(cell('nuisance').className).toContain('tone-better');
    expect(cell('auc').textContent).toBe('+0.170');
    expect(cell('auc').className).not.toMatch(/tone-/);
    expect(screen.getByTestId('compare-pool').textContent).toContain("#4 learned from 540 frames of yard.mp4 (model #3's training footage)");
    expect(screen.getByTestId('compare-heldout').textContent).toContain('100 frames of yard.mp4 that model #3 held out');
    expect(screen.getByTestId('compare-summary').textContent).toContain('400 frames labelled normal/nuisance, 35 incident/tamper');
    expect(screen.queryByTestId('compare-hint')).toBeNull();
  });

  it('explains that labels are needed, says which versions have not scored the video, and follows new labels', async () => {
    const client = setup({ models: [model({ id: 3 })], active: 3 });
    const none = { modelId: 3, name: 'v3', scored: false, auc: null, falseAlarmFrames: null, falseAlarmEvents: null, detectedFrames: null, meanNormalScore: null, threshold: null, classes: null, heldOutFpr: null };
    const empty = { classFrames: { incident: 0, tamper: 0, nuisance: 0, normal: 0 }, heldOut: null, verdicts: [] };
    client.compareModels.mockResolvedValue({ videoId: 2, normalFrames: 0, incidentFrames: 0, ...empty, rows: [none] });
    await waitFor(() => expect((screen.getByTestId('compare-pick-3') as HTMLInputElement).checked).toBe(true));
    expect(screen.getByTestId('compare-idle').textContent).toContain('pick a video you labelled');
    await fireEvent.change(screen.getByTestId('compare-video'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('compare-run'));
    expect(client.compareModels).toHaveBeenCalledWith(2, [3]);
    expect((await screen.findByTestId('compare-hint')).textContent).toContain('no usable labels yet');
    expect(screen.getByTestId('compare-unscored').textContent).toContain('score it with model 3 in Review');

    client.compareModels.mockResolvedValue({ videoId: 2, normalFrames: 20, incidentFrames: 5, ...empty, rows: [{ ...none, scored: true, auc: 0.75 }] });
    client.emit('labels:changed', { videoId: 1 });
    await flush();
    expect(client.compareModels).toHaveBeenCalledTimes(1);
    client.emit('labels:changed', { videoId: 2 });
    await waitFor(() => expect(screen.queryByTestId('compare-hint')).toBeNull());
    expect(client.compareModels).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('compare-row').querySelector('[data-metric="auc"]')!.textContent).toBe('0.750');
  });

  it('shows a failed comparison where it happened', async () => {
    const client = setup({ models: [model({ id: 3 })], active: 3 });
    client.compareModels.mockRejectedValue(new Error('There is no model 3.'));
    await waitFor(() => expect((screen.getByTestId('compare-run') as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('compare-run'));
    expect((await screen.findByTestId('compare-error')).textContent).toBe('Could not compare: There is no model 3.');
  });

  it('asks for a version first when none is ready', async () => {
    setup({ models: [] });
    expect((await screen.findByTestId('compare-empty')).textContent).toContain('No ready version');
  });
});

describe('TrainingPanel: what normal looks like', () => {
  it('opens the generation view of a ready version from its row, centred on the frame shown in review, and closes it', async () => {
    const client = createMockClient();
    client.listModels.mockResolvedValue([model({ id: 3, latentDim: 4 }), model({ id: 2, status: 'failed' })]);
    client.getActiveModel.mockResolvedValue(3);
    client.generateSamples.mockResolvedValue({ modelId: 3, seed: 1, size: 64, images: ['data:image/png;base64,AA'] });
    client.latentTraversal.mockImplementation(async (modelId, r) => ({
      modelId, dims: r.dims, steps: 2, size: 64, colOffsets: [-3, 3], rowOffsets: [-3, 3], centre: [0, 0, 0, 0], frame: null, images: ['a', 'b', 'c', 'd'].map((x) => `data:image/png;base64,${x}`),
    }));
    const focus = new ReviewFocus();
    focus.set(1, 17);
    render(TrainingPanel, { props: { videos: [video({ id: 1 })], focus }, context: clientContext(client) });
    const buttons = await screen.findAllByTestId('show-generation');
    expect(buttons).toHaveLength(1); // only ready versions
    expect(screen.queryByTestId('generation-panel')).toBeNull();
    await fireEvent.click(buttons[0]!);
    expect(screen.getByTestId('generation-panel').textContent).toContain('model #3 (VAE)');
    await waitFor(() => expect(client.latentTraversal).toHaveBeenCalledWith(3, { dims: [0, 1], steps: 7, range: 3, videoId: 1, index: 17 }));
    expect(client.generateSamples).toHaveBeenCalledWith(3, { count: 16, seed: 1 });
    await fireEvent.click(screen.getByTestId('generation-close'));
    expect(screen.queryByTestId('generation-panel')).toBeNull();
  });
});

describe('TrainingPanel: guard rails', () => {
  it('keeps the chosen video when another is imported, and asks before training on the video under review', async () => {
    const client = createMockClient();
    const focus = new ReviewFocus();
    focus.set(1, 40);
    focus.events = 3;
    const r = render(TrainingPanel, { props: { videos: [video({ id: 1 })], focus }, context: clientContext(client) });
    const select = (await screen.findByTestId('training-video')) as HTMLSelectElement;
    expect(select.value).toBe('1');
    // A test clip imported: newest first in the list, but the training video stays.
    await r.rerender({ videos: [video({ id: 2, name: 'test clip.mp4' }), video({ id: 1 })], focus });
    await tick();
    expect((screen.getByTestId('training-video') as HTMLSelectElement).value).toBe('1');
    await fireEvent.click(screen.getByTestId('training-start'));
    expect(screen.getByTestId('training-confirm-box').textContent).toMatch(/3 events under review/);
    expect(client.trainModel).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('training-confirm'));
    await waitFor(() => expect(client.trainModel).toHaveBeenCalledWith(1, expect.anything()));
    // Another video: no question.
    await fireEvent.change(screen.getByTestId('training-video'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('training-start'));
    await waitFor(() => expect(client.trainModel).toHaveBeenLastCalledWith(2, expect.anything()));
    expect(screen.queryByTestId('training-confirm-box')).toBeNull();
  });
});
