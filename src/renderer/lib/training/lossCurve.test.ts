import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../shared/domain.js';
import { job } from '../../testing/mockClient.js';
import { appendLossPoint, backendFromJob, historyPoints, type LossPoint, lossPointFromJob, trainResult } from './lossCurve.js';

const trainJob = (done: number, metrics?: Record<string, number>, stage = 'training on wasm: epoch 1/20'): JobInfo =>
  job({ kind: 'train', progress: { done, total: 400, fraction: done / 400, rate: 50, etaSec: 30, stage, ...(metrics ? { metrics } : {}) } });

const point = (step: number): LossPoint => ({ step, epoch: 0, loss: 100 - step, recon: 90 - step, kl: 10, valLoss: null });

describe('lossPointFromJob', () => {
  it('reads the step and the losses train-model reports', () => {
    expect(lossPointFromJob(trainJob(12, { epoch: 1, loss: 812.5, recon: 790, kl: 22.5, beta: 0.4, valLoss: 830 }))).toEqual({
      step: 12, epoch: 1, loss: 812.5, recon: 790, kl: 22.5, valLoss: 830,
    });
    expect(lossPointFromJob(trainJob(3, { epoch: 0, loss: 900, recon: 880, kl: 20, beta: 0.1 }))!.valLoss).toBeNull();
  });

  it('has nothing for updates without losses or for other job kinds', () => {
    expect(lossPointFromJob(trainJob(0, undefined, 'loading frames'))).toBeNull();
    expect(lossPointFromJob(trainJob(5, { epoch: 0 }))).toBeNull();
    expect(lossPointFromJob({ ...trainJob(5, { epoch: 0, loss: 1, recon: 1, kl: 0 }), kind: 'score' })).toBeNull();
  });
});

describe('appendLossPoint', () => {
  it('appends in step order and ignores repeated or late updates', () => {
    let pts = appendLossPoint([], point(1));
    pts = appendLossPoint(pts, point(2));
    const same = appendLossPoint(pts, point(2));
    expect(same).toBe(pts);
    expect(appendLossPoint(pts, point(1))).toBe(pts);
    expect(pts.map((p) => p.step)).toEqual([1, 2]);
  });

  it('thins to half past the cap, keeping the first and the newest point', () => {
    let pts: readonly LossPoint[] = [];
    for (let s = 1; s <= 10; s++) pts = appendLossPoint(pts, point(s), 8);
    expect(pts.length).toBeLessThanOrEqual(8);
    expect(pts[0]!.step).toBe(1);
    expect(pts[pts.length - 1]!.step).toBe(10);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.step).toBeGreaterThan(pts[i - 1]!.step);
  });
});

describe('backendFromJob', () => {
  it('reads the backend from the training stage, the longer name first', () => {
    expect(backendFromJob(trainJob(1, undefined, 'training (wasm)'))).toBe('wasm');
    // the stage names device and threads too (issue 15)
    expect(backendFromJob(trainJob(1, undefined, 'training on wasm (CPU, 2 cores, 2 threads): epoch 1/20, loss 900.1'))).toBe('wasm');
    expect(backendFromJob(trainJob(1, undefined, 'training on cpu (CPU, one core (JavaScript), 1 thread): epoch 1/20'))).toBe('cpu');
    expect(backendFromJob(trainJob(1, undefined, 'training on tfjs-node-gpu: epoch 2/20, loss 812.1'))).toBe('tfjs-node-gpu');
    expect(backendFromJob(trainJob(1, undefined, 'training on tfjs-node: epoch 2/20'))).toBe('tfjs-node');
    expect(backendFromJob(trainJob(1, undefined, 'loading frames'))).toBeNull();
  });

  it('prefers the backend the finished job reports', () => {
    const done = { ...trainJob(400, undefined, 'calibrating on held-out frames'), state: 'succeeded' as const, result: { modelId: 4, backend: 'webgpu' } };
    expect(backendFromJob(done)).toBe('webgpu');
    expect(trainResult(done)).toEqual({ modelId: 4, backend: 'webgpu' });
    expect(trainResult(trainJob(1))).toBeNull();
  });
});

describe('historyPoints', () => {
  it('counts epochs from 1', () => {
    expect(historyPoints([{ epoch: 0, loss: 5, recon: 4, kl: 1, valLoss: null }])).toEqual([{ x: 1, loss: 5, recon: 4, kl: 1, valLoss: null }]);
  });
});
