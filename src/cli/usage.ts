/** The `latentwatch help` text (kept apart from main.ts so the commands stay readable). */
import { defaultDbPath } from '../core/paths.js';
import { APP_VERSION } from '../core/version.js';
import { MAX_CONDITION_FRAMES, MODEL_KINDS } from '../shared/domain.js';

export const USAGE = `LatentWatch ${APP_VERSION}: change detection for camera footage

Usage:
  latentwatch ingest FILE [--db PATH] [--fps N] [--size N] [--crop X,Y,W,H] [--drop-short] [--json]
      Decode FILE to SIZExSIZE RGB frames (default 64; every frame, or N a second; optionally a region only) into the library.
      A file that ends before its stated duration is kept with a warning, or dropped (exit 3) with --drop-short.
  latentwatch serve [--db PATH] [--port N] [--import FILE] [--max-upload-mb N]
      Start browser mode on 127.0.0.1 and print the URL (with its token) to open. Uploads are capped at
      N MiB (default 4096, or LATENTWATCH_MAX_UPLOAD_MB) and refused when the disk lacks room.
  latentwatch demo [--out FILE] [--seconds N]
      Write the built-in demo footage (default resources/demo/demo.mp4; from a bundle, demo/demo.mp4 in the data folder).
  latentwatch info [--json]
      Show the version, the ffmpeg in use and where the library is.
  latentwatch train --video ID|FILE [--kind K] [--epochs N] [--backend B] [--workers N] [--latent N] [--likelihood L] [--max-frames N] [--target-fpr F] [--components K] [--condition-frames K] [--no-mask] [--json]
      Learn normal footage; the new model is calibrated on held-out frames and scores the video.
      The video's ignore mask (see mask) is left out of training and scores unless --no-mask.
      Kinds (--kind): ${MODEL_KINDS.join(', ')} (default vae). --components: gmvae's mixture size (default 4).
      --condition-frames: how many earlier frames cvae predicts each frame from (1..${MAX_CONDITION_FRAMES}, default 1).
  latentwatch mask --video ID [--rect X,Y,W,H]... [--clear] [--json]
      Show a video's ignore mask, replace it with the rectangles given (normalized 0..1 of the frame),
      or clear it. Models trained on the video afterwards leave those regions out.
  latentwatch score --model ID --video ID|FILE [--adaptive on|off] [--window SEC] [--json]
      Score every frame of a video and detect events. --adaptive switches the video's adaptive baseline
      (each score component relative to its median over the past SEC seconds, default 300) on or off first.
  latentwatch events --model ID --video ID [--json]
      List detected events with their times and peak scores.
  latentwatch export --model ID --format onnx|csv|json [--video ID] [--out FILE]
      The scoring graph (ONNX), or a video's per-frame scores and events (CSV, JSON).
  latentwatch eval --train TRAIN.mp4 --test TEST.mp4 --truth truth.csv [--clips clips.csv] [--train-clips CSV] [--kind K] [--epochs N] [--max-frames N] [--iw K] [--json]
      Train on TRAIN only, score every frame of TEST, report frame AUC against the truth and the baselines:
      pooled (deployable) and per clip (the papers' protocol, comparison only), and at the model's own
      threshold the false-positive rate, event recall from the stored events and false alarms per hour.
      Several test clips: repeat --test and --truth (same order), or split one TEST by --clips (clip,start,end).
      --train-clips: TRAIN's clip list when it joins clips (the frame-difference baseline restarts at each).
      --iw K: also the importance-weighted log-likelihood estimate with K samples (VAE kinds).

The library defaults to ${defaultDbPath()} (set LATENTWATCH_DB or --db to change it).`;
