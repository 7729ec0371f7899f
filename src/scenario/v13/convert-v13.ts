// The v1.3-only steps of normalisation that need the whole scenario: group layout as the editor
// meant it (group-layout.ts) and plugin parameters given by reference (plugin-references.ts).
// Runs after the node spellings are normalised (eType, displayTime, {x, y} positions).

import { IssueCollector, indexPath, isPlainObject, keyPath } from '../issues.js';
import { clampToSafeArea, convertGroupLayout } from './group-layout.js';
import { STAGE_FRAME, effectiveSafeArea } from './safe-area.js';
import { resolvePluginReferences } from './plugin-references.js';

type Obj = Record<string, unknown>;

export function convertLayout(s: Obj, issues: IssueCollector, maxDepth: number, fromV13: boolean): void {
  if (!Array.isArray(s.cues)) return;
  const tracks = new Map<string, Obj>();
  if (Array.isArray(s.tracks)) for (const t of s.tracks) if (isPlainObject(t) && typeof t.id === 'string') tracks.set(t.id, t);
  const refs = {
    issues,
    definitions: isPlainObject(s.definitions) ? s.definitions : {},
    define: isPlainObject(s.define) ? s.define : {},
  };
  s.cues.forEach((cue, i) => {
    if (!isPlainObject(cue)) return;
    const track = typeof cue.track === 'string' ? tracks.get(cue.track) : undefined;
    const trackStyle = isPlainObject(track?.defaultStyle) ? track.defaultStyle : undefined;
    const cueTimed = !fromV13 && cue.displayTime !== undefined;
    if (!cueTimed) convertGroupLayout(cue.root, { trackStyle, trackType: track?.type }, !fromV13, 0, maxDepth);
    const stageSafe = isPlainObject(s.stage) ? s.stage.safeArea : undefined;
    clampToSafeArea(cue.root, STAGE_FRAME, effectiveSafeArea(stageSafe, track?.safeArea), 0, maxDepth, cue.displayTime !== undefined);
    if (fromV13) resolvePluginReferences(cue.root, keyPath(indexPath('$.cues', i), 'root'), refs, 0, maxDepth);
  });
}
