/**
 * ONNX Runtime (1.30, Linux) starts a telemetry system with its first session: it writes a device id
 * under ~/.cache/Microsoft/DeveloperTools and session/debug files into the temp folder, and would upload
 * over HTTPS where it can. An offline analysis tool must do neither, so ORT_DISABLE_TELEMETRY is set
 * unless the user set it. Import this module before onnxruntime-node, and on the main thread before any
 * worker starts: a worker thread's process.env is a copy, so only the main thread reaches the native
 * environment that the library reads.
 */
if (process.env.ORT_DISABLE_TELEMETRY === undefined) process.env.ORT_DISABLE_TELEMETRY = '1';

export {};
