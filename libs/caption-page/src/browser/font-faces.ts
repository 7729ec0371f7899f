// Font faces the server handed over with a scenario (served from memory under /fonts/): each is
// registered with the document before the engine lays anything out. A face that fails to load
// is reported, never skipped silently.
import type { PageFontDescriptor } from '../protocol.js';

const added: FontFace[] = [];

/** Registers the faces (replacing the previous load's); returns one warning per face that failed. */
export async function loadFontFaces(fonts: readonly PageFontDescriptor[]): Promise<string[]> {
  for (const face of added.splice(0)) document.fonts.delete(face);
  const warnings: string[] = [];
  await Promise.all(
    fonts.map(async (f) => {
      const face = new FontFace(f.family, `url(${JSON.stringify(f.url)})`, {
        weight: f.weight ?? '400',
        style: f.style ?? 'normal',
        ...(f.unicodeRange ? { unicodeRange: f.unicodeRange } : {}),
      });
      try {
        await face.load();
        document.fonts.add(face);
        added.push(face);
      } catch (err) {
        warnings.push(
          `font "${f.family}" (${f.weight ?? '400'} ${f.style ?? 'normal'}) failed to load: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }),
  );
  await document.fonts.ready;
  return warnings;
}
