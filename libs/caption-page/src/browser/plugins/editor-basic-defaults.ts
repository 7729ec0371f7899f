// Parameter defaults of our versions of the editor's basic plugins: the manifests'
// `schema.*.default` (identical in @1.0.0 and @2.0.0), checked against the editor's manifests by
// editor-basic-defaults.spec.ts. Used when a scenario omits a parameter.
export const EDITOR_BASIC_DEFAULTS = {
  bobY: { amplitudePx: 8, cycles: 1 },
  pulse: { maxScale: 1.2, cycles: 1 },
  spin: { fullTurns: 1 },
  glow: { color: '#00ffff', intensity: 0.4, pulse: true, cycles: 8 },
  flames: { baseOpacity: 0.8, flicker: 0.3, cycles: 12 },
  fadein: { staggerDelay: 0.1, animationDuration: 0.8, startOpacity: 0, scaleStart: 0.9, ease: 'power2.out' },
  typewriter: { typingSpeed: 0.05, cursorBlink: true, cursorChar: '|', showCursor: true, soundEffect: false },
} as const;
