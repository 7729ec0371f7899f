// A one-line progress bar on a terminal; on a pipe (CI, logs) a line every 10 %.
import type { PipelineProgress } from '../render/streaming-pipeline.js';

export class ProgressBar {
  private lastDecile = -1;
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: PipelineProgress): void {
    const share = p.framesTotal ? p.framesDone / p.framesTotal : 1;
    const eta = p.etaSeconds === null ? '?' : `${Math.ceil(p.etaSeconds)}s`;
    const text = `${p.framesDone}/${p.framesTotal} frames  ${p.fps.toFixed(1)} fps  ETA ${eta}`;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${text}\x1b[K`);
      return;
    }
    const decile = Math.floor(share * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`${(share * 100).toFixed(0)}%  ${text}\n`);
    }
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
