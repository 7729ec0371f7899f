export * from './errors.js';
export * from './process-runner.js';
export * from './encoder.options.js';
export * from './media-probe.js';
export * from './encoder-probe.js';
export * from './ffmpeg-args.js';
export * from './ffmpeg-process.js';
export * from './encoder.module.js';
