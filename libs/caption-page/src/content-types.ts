// The type each file is served to the caption page with, by its extension: our bundled plugins'
// assets (page-assets.ts) and the files of origin plugins (src/plugins/plugin-files.ts).
import { extname } from 'node:path';

const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.gif': 'image/gif',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The type for a path's extension; undefined when the extension is not in the table. */
export function knownContentType(path: string): string | undefined {
  return TYPES_BY_EXTENSION[extname(path).toLowerCase()];
}

/** The type a file is served with, by its extension (application/octet-stream when unknown). */
export function contentTypeByExtension(path: string): string {
  return knownContentType(path) ?? 'application/octet-stream';
}
