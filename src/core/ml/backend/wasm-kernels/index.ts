/**
 * Switches LatentWatch's fast convolution kernels in and out of tfjs' kernel registry for the
 * 'wasm' backend. The registry is global to the process (every tfjs copy shares it), so this is
 * global state: call it before training, not between the forward pass and its gradients.
 *
 * Stock tfjs-backend-wasm 4.22:
 *   - Conv2DBackpropFilter: no kernel at all, so any gradient of conv2d / conv2dTranspose with
 *     respect to the filter throws "Kernel 'Conv2DBackpropFilter' not registered".
 *   - Conv2DBackpropInput: a plain C++ loop (conv2dTranspose forward, conv2d input gradient);
 *     measured 5-11x slower than ours on the VAE's shapes at batch 32 (bench/kernels.ts).
 *   - Conv2D: XNNPACK already; our im2col version measured 0.7-1.0x of it, so the stock one stays
 *     (pass { conv2d: true } to try ours; `conv2dIm2col` stays exported for the bench).
 */
import * as tf from '@tensorflow/tfjs';
import { fastConv2DBackpropFilterConfig, fastConv2DBackpropInputConfig, fastConv2DConfig } from './kernels.js';

export { conv2dBackpropFilter, conv2dBackpropInput, conv2dIm2col, fastConv2DConfig, setBackpropInputMode, type BackpropInputMode } from './kernels.js';

const BACKEND = 'wasm';

/** The kernels that setFastWasmKernels(true) installs. */
const FAST: readonly tf.KernelConfig[] = [fastConv2DBackpropFilterConfig, fastConv2DBackpropInputConfig];

export const FAST_WASM_KERNEL_NAMES: readonly string[] = FAST.map((k) => k.kernelName);

/** Stock configs seen before we replaced them; null = stock had none. */
const stock = new Map<string, tf.KernelConfig | null>();
const ours = new Set<tf.KernelFunc>([...FAST, fastConv2DConfig].map((k) => k.kernelFunc));

function isOurs(k: tf.KernelConfig | undefined): boolean {
  return !!k && ours.has(k.kernelFunc);
}

/** The wasm backend instance if it is already initialised (never starts an initialisation). */
function wasmInstance(): tf.KernelBackend | undefined {
  return (tf.engine().registry as Record<string, tf.KernelBackend | undefined>)[BACKEND];
}

function install(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, BACKEND);
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current && !isOurs(current) && !stock.has(config.kernelName)) stock.set(config.kernelName, current);
  if (!current && !stock.has(config.kernelName)) stock.set(config.kernelName, null);
  if (current) tf.unregisterKernel(config.kernelName, BACKEND);
  tf.registerKernel(config);
}

function restore(kernelName: string): void {
  const current = tf.getKernel(kernelName, BACKEND);
  if (!isOurs(current)) return; // someone else's kernel, or stock already: leave it
  tf.unregisterKernel(kernelName, BACKEND);
  const orig = stock.get(kernelName);
  if (!orig) return; // stock tfjs-backend-wasm has no such kernel
  tf.registerKernel(orig);
  // If the backend was initialised while our kernel was registered, the stock kernel's setup
  // (its cwrap of the C++ function) never ran; run it now. Running it twice is harmless.
  const instance = wasmInstance();
  if (instance && orig.setupFunc) orig.setupFunc(instance);
}

/**
 * true: register the fast kernels for 'wasm' (replacing stock ones where they exist).
 * false: put the stock kernels back; Conv2DBackpropFilter then has no wasm kernel at all.
 * Safe to call before or after the wasm backend is initialised, and repeatedly.
 */
export function setFastWasmKernels(enabled: boolean, opts: { conv2d?: boolean } = {}): void {
  const wanted = opts.conv2d ? [...FAST, fastConv2DConfig] : FAST;
  if (enabled) {
    for (const k of wanted) install(k);
    if (!opts.conv2d) restore(fastConv2DConfig.kernelName);
  } else {
    for (const k of [...FAST, fastConv2DConfig]) restore(k.kernelName);
  }
}

/** Whether every fast kernel is currently the registered 'wasm' kernel. */
export function fastWasmKernelsEnabled(): boolean {
  return FAST.every((k) => tf.getKernel(k.kernelName, BACKEND)?.kernelFunc === k.kernelFunc);
}

/** What is registered now for each convolution kernel on 'wasm'. */
export function wasmConvKernelStatus(): Record<string, 'fast' | 'stock' | 'missing'> {
  const out: Record<string, 'fast' | 'stock' | 'missing'> = {};
  for (const name of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
    const k = tf.getKernel(name, BACKEND);
    out[name] = !k ? 'missing' : isOurs(k) ? 'fast' : 'stock';
  }
  return out;
}
