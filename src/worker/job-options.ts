// The render options a job row asked for (what the API validated), as the engine takes them.
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import type { RenderOptions } from '../render/render-options.js';

export function renderOptionsOf(job: RenderJobEntity): RenderOptions {
  const o = job.options ?? {};
  const pick = (k: string) => {
    const v = o[k];
    return typeof v === 'number' ? v : undefined;
  };
  return { width: pick('width'), height: pick('height'), fps: pick('fps'), quality: pick('quality') };
}
