// The editor's cwi family ("Caption with Intention": per-word colour by speaker, loud and
// whisper emphasis, bouncing letters), versions 2.0.0 and 1.0.0, as the page registers them.
// Module shapes follow the manifests' types (plugin-manifest.ts): all dom, cwi-bouncing@2.0.0
// hybrid. Behaviour: cwi-v2.ts (the current plugins), cwi-v1.ts (the archived ones); the word
// and letter spans they share: cwi-word.ts.
import { cwiBouncingV1, cwiColorV1, cwiKinds, cwiLoudV1, cwiWhisperV1 } from './cwi-v1.js';
import { cwiBouncing, cwiColor, cwiLoud, cwiWhisper } from './cwi-v2.js';
import type { PluginModule } from './util.js';

export const cwiPlugins: Record<string, PluginModule> = {
  'cwi@2.0.0': cwiKinds,
  'cwi@1.0.0': cwiKinds,
  'cwi-color@2.0.0': cwiColor,
  'cwi-color@1.0.0': cwiColorV1,
  'cwi-loud@2.0.0': cwiLoud,
  'cwi-loud@1.0.0': cwiLoudV1,
  'cwi-whisper@2.0.0': cwiWhisper,
  'cwi-whisper@1.0.0': cwiWhisperV1,
  'cwi-bouncing@2.0.0': cwiBouncing,
  'cwi-bouncing@1.0.0': cwiBouncingV1,
};
