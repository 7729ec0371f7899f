// motiontext-renderer internals the page relies on (RendererV2's mounted elements, DOM plugin
// states and parsed cues; Stage's overlay binding), checked once per load so that an engine
// upgrade that changes them fails loudly instead of rendering differently.
import type { MotionTextRenderer } from 'motiontext-renderer';
import type { PlaybackInternals } from './playback.js';

export interface RendererV2Internals extends PlaybackInternals {
  mountedElements: Map<string, { element: HTMLElement; cueId: string }>;
  cleanupDomPlugin(nodeId: string): void;
  unmountCue(cue: unknown): void;
}

export interface ParsedNode {
  id: string;
  eType?: string;
  displayTime?: [number, number];
  children?: ParsedNode[];
  /** Entries are {name, …} objects, or anything a scenario wrote. */
  pluginChain?: unknown[];
  text?: unknown;
}

export interface ParsedCue {
  id: string;
  domLifetime?: [number, number];
  root: ParsedNode;
}

export function getInternals(r: MotionTextRenderer): { rv2: RendererV2Internals; scenario: { cues: ParsedCue[] } } {
  const anyR = r as unknown as { renderer?: RendererV2Internals; scenario?: { cues: ParsedCue[] } };
  const rv2 = anyR.renderer;
  if (
    !rv2 ||
    !(rv2.mountedElements instanceof Map) ||
    !(rv2.domPluginStates instanceof Map) ||
    typeof rv2.cleanupDomPlugin !== 'function' ||
    typeof rv2.unmountCue !== 'function' ||
    typeof rv2.applyDomPluginProgressIfInitialized !== 'function' ||
    typeof rv2.manageDomPluginState !== 'function' ||
    typeof rv2.resolveAllDefines !== 'function' ||
    typeof rv2.processPluginChain !== 'function' ||
    typeof rv2.detectPluginType !== 'function' ||
    typeof rv2.evaluateChannelPlugin !== 'function' ||
    typeof rv2.mergeChannels !== 'function' ||
    !anyR.scenario
  ) {
    throw new Error('caption page: motiontext-renderer internals changed (expected RendererV2 fields)');
  }
  return { rv2, scenario: anyR.scenario };
}

/**
 * The engine's Stage watches the container's parent with a ResizeObserver and, 80 ms later
 * (setTimeout), re-positions/letterboxes the container by stage.baseAspect: wall-clock-dependent
 * layout. Our stage is exactly the video frame, so drop that binding (the caller pins the box).
 */
export function dropStageOverlayBinding(rv2: RendererV2Internals): void {
  const stage = (rv2 as unknown as { stage?: { teardownOverlayBinding?: () => void } }).stage;
  if (!stage || typeof stage.teardownOverlayBinding !== 'function') {
    throw new Error('caption page: motiontext-renderer internals changed (Stage.teardownOverlayBinding)');
  }
  stage.teardownOverlayBinding();
}
