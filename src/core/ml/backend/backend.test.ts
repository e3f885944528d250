/**
 * Backend selection. On the development machine tfjs-node and tfjs-node-gpu are installed without
 * their native library and `webgpu` is not installed, so wasm must win; the assertions that depend
 * on that check the machine first (so they still say something true on a machine with a GPU).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { availableBackends, BACKEND_ORDER, describeSelection, selectBackend, wasmBinaryDir, wasmConvKernelStatus, type BackendName } from './index.js';

const require = createRequire(import.meta.url);

/** Whether an optional tfjs-node package has its native addon on disk. */
function hasNativeAddon(pkg: string): boolean {
  try {
    const lib = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'lib');
    return existsSync(lib) && readdirSync(lib).some((d) => existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

const noNative = !hasNativeAddon('@tensorflow/tfjs-node') && !hasNativeAddon('@tensorflow/tfjs-node-gpu');
const noWebgpu = !installed('webgpu');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('selectBackend', () => {
  it("prefer='cpu' switches tfjs to cpu and reports only that attempt", async () => {
    const info = await selectBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', fastKernels: false, tried: [{ name: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.sum(tf.tensor([1, 2, 3])).dataSync()[0]).toBe(6);
  });

  it.runIf(noNative)("prefer='tfjs-node-gpu' throws, saying why and what is available", async () => {
    const err = await selectBackend('tfjs-node-gpu').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^Backend 'tfjs-node-gpu' is unavailable: @tensorflow\/tfjs-node-gpu is installed but its native library is missing/);
    expect(err!.message).toMatch(/Available here: wasm, cpu\.$/);
    expect(err!.stack ?? '').not.toMatch(/tfjs_binding\.node can not be found/);
  });

  it.runIf(noNative && noWebgpu)('without prefer picks wasm here, with the fast kernels, and says why the others were skipped', async () => {
    const info = await selectBackend();
    expect(info.name).toBe('wasm');
    expect(info.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.fastKernels).toBe(true);
    expect(wasmConvKernelStatus()).toMatchObject({ Conv2DBackpropFilter: 'fast', Conv2DBackpropInput: 'fast' });
    expect(info.detail).toMatch(/tfjs-backend-wasm 4\.22\.0, tfjs-backend-wasm-simd\.wasm, 1 thread\(s\), fast kernels: Conv2DBackpropFilter, Conv2DBackpropInput/);
    expect(info.tried.map((t) => t.name)).toEqual(['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm']);
    expect(info.tried.map((t) => t.ok)).toEqual([false, false, false, true]);
    const node = info.tried.find((t) => t.name === 'tfjs-node')!;
    expect(node.reason).toMatch(/@tensorflow\/tfjs-node is installed but its native library is missing/);
    expect(info.tried.find((t) => t.name === 'webgpu')!.reason).toBe('webgpu is not installed');
    const text = describeSelection(info);
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toMatch(/^tfjs-node: skipped \(@tensorflow\/tfjs-node is installed/m);
    expect(text).toMatch(/^wasm: chosen \(/m);
    // A gradient through conv2d works on the chosen backend (stock wasm would throw here).
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')))(tf.ones([2, 2, 1, 1]));
    expect(Array.from(g.dataSync())).toEqual([4, 4, 4, 4]);
  });

  it("prefer='wasm' without fast kernels reports it", async () => {
    const info = await selectBackend('wasm', { fastKernels: false });
    expect(info.fastKernels).toBe(false);
    expect(wasmConvKernelStatus().Conv2DBackpropFilter).toBe('missing');
    expect(info.detail).toMatch(/stock kernels/);
    const again = await selectBackend('wasm');
    expect(again.fastKernels).toBe(true);
    expect(wasmConvKernelStatus().Conv2DBackpropFilter).toBe('fast');
  });

  it('rejects an unknown name', async () => {
    await expect(selectBackend('tpu' as BackendName)).rejects.toThrow(/Unknown backend 'tpu'; choose one of tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu/);
  });

  it('prints nothing (no stacks, no tfjs banners or duplicate-kernel warnings) while probing', async () => {
    const spies = (['log', 'warn', 'error', 'info'] as const).map((m) => vi.spyOn(console, m));
    await availableBackends();
    await selectBackend();
    await selectBackend('cpu');
    await selectBackend('tfjs-node').catch(() => undefined);
    for (const s of spies) expect(s.mock.calls).toEqual([]);
  });
});

describe('availableBackends', () => {
  it('lists every backend in order, with a reason for each unavailable one, without switching', async () => {
    await selectBackend('cpu');
    const list = await availableBackends();
    expect(tf.getBackend()).toBe('cpu');
    expect(list.map((a) => a.name)).toEqual([...BACKEND_ORDER]);
    for (const a of list) if (!a.ok) expect(a.reason).toMatch(/\S/);
    expect(list.find((a) => a.name === 'cpu')!.ok).toBe(true);
    expect(list.find((a) => a.name === 'wasm')!.ok).toBe(true);
    if (noNative) expect(list.filter((a) => a.ok).map((a) => a.name)).toEqual(noWebgpu ? ['wasm', 'cpu'] : expect.arrayContaining(['wasm', 'cpu']));
  });

  it('finds the wasm binaries through module resolution', () => {
    const dir = wasmBinaryDir();
    expect(dir.endsWith(path.sep)).toBe(true);
    expect(existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });
});
