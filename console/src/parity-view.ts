// The parity report (POST /api/render/:id/parity): sampled frames of the rendered MP4 against
// the engine alone over the source. Text only (textContent), never HTML.
import type { ParityResult } from './api-types.js';
import { pct } from './dom.js';

/** Fills `box` with the verdict and one table row per sampled frame. */
export function renderParity(box: HTMLElement, r: ParityResult): void {
  box.replaceChildren();
  const verdict = document.createElement('p');
  verdict.className = `verdict ${r.match ? 'ok' : 'bad'}`;
  verdict.textContent = r.match
    ? `Parity OK: the caption layer of all ${r.frames.length} sampled frames matches the engine (${r.width}×${r.height} @ ${r.fps} fps, tolerance ${r.thresholds.tolerance}/255).`
    : `Parity FAILED: ${r.mismatched} of ${r.frames.length} sampled frames differ from the engine.`;
  box.append(verdict);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['frame', 't (s)', 'why', 'caption px', 'differing', 'in caption', 'max diff', 'verdict']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  for (const f of r.frames) {
    const row = body.insertRow();
    const cells = [
      f.index,
      f.t.toFixed(3),
      f.reason,
      f.captionPixels,
      pct(f.diffShare),
      pct(f.captionDiffShare),
      f.maxDiff,
      f.match ? 'ok' : 'MISMATCH',
    ];
    cells.forEach((c, i) => {
      const td = row.insertCell();
      td.textContent = String(c);
      if (i === cells.length - 1) td.className = f.match ? 'ok' : 'bad';
    });
  }
  box.append(table);
}
