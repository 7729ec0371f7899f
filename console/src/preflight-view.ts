// The preflight report (POST /api/scenario/preflight) shown before a render starts: plugins and
// fonts with where they come from, warnings and issues. Text only (textContent), never HTML.
import type { PreflightReport } from './api-types.js';

function line(parent: HTMLElement, className: string, text: string): void {
  const li = document.createElement('li');
  li.className = className;
  li.textContent = text;
  parent.appendChild(li);
}

/** Fills `box` with the report; answers the issues that stop the render (empty when it may start). */
export function showPreflight(box: HTMLElement, r: PreflightReport): string[] {
  box.replaceChildren();
  box.hidden = false;
  const head = document.createElement('p');
  head.textContent = `Preflight: ${r.cues} cues${r.durationSec === null ? '' : `, ${r.durationSec.toFixed(1)} s`}, about ${Math.round(r.estimatedRenderSeconds)} s to render.`;
  const list = document.createElement('ul');
  for (const p of r.plugins)
    line(
      list,
      p.source === 'unknown' || p.source === 'unavailable' ? 'bad' : 'ok',
      `plugin ${p.ref}: ${p.source}${p.reason ? ` — ${p.reason}` : ''} (×${p.uses})`,
    );
  for (const f of r.fonts)
    line(list, f.source === 'missing' ? 'bad' : 'ok', `font ${f.family}: ${f.source}${f.face ? ` (${f.face})` : ''}`);
  for (const w of r.warnings) line(list, 'warn', `warning: ${w}`);
  for (const i of r.issues) line(list, 'bad', `${i.field}: ${i.reason}`);
  box.append(head, list);
  return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.reason}`);
}
