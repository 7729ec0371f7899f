// Animated images on the timeline. Chromium animates a GIF on the wall clock from the moment the
// <img> loads (the editor's flames plugin mounts one), so the same frame could show any of its
// pictures. The page decodes every GIF it was handed (WebCodecs ImageDecoder) into one blob URL per
// picture at load, and after each seek points every <img> showing that GIF at the picture for the
// time since its node appeared on screen: a function of t, as in a playback started at 0.
import type { PageAnimatedImage } from '../protocol.js';

interface Animation {
  frames: string[];
  /** Cumulative end time of each picture, seconds. */
  ends: number[];
  total: number;
}

const animations = new Map<string, Animation>();

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

type Decoder = {
  tracks: { ready: Promise<void>; selectedTrack: { frameCount: number } | null };
  decode(o: {
    frameIndex: number;
  }): Promise<{ image: { duration: number | null; displayWidth: number; displayHeight: number; close(): void } & CanvasImageSource }>;
  close(): void;
};

/** Decodes the GIFs (replacing the previous load's); answers a warning per one that failed. */
export async function prepareAnimatedImages(images: readonly PageAnimatedImage[]): Promise<string[]> {
  for (const a of animations.values()) a.frames.forEach((u) => URL.revokeObjectURL(u));
  animations.clear();
  const warnings: string[] = [];
  const Ctor = (window as unknown as { ImageDecoder?: new (o: { data: Uint8Array; type: string }) => Decoder }).ImageDecoder;
  for (const img of images) {
    if (!Ctor) {
      warnings.push(`animated image ${img.url}: no ImageDecoder in this browser, it would run on the wall clock`);
      continue;
    }
    try {
      const decoder = new Ctor({ data: base64Bytes(img.base64), type: img.contentType });
      await decoder.tracks.ready;
      const count = decoder.tracks.selectedTrack?.frameCount ?? 0;
      const anim: Animation = { frames: [], ends: [], total: 0 };
      for (let i = 0; i < count; i++) {
        const { image } = await decoder.decode({ frameIndex: i });
        const canvas = new OffscreenCanvas(image.displayWidth, image.displayHeight);
        canvas.getContext('2d')!.drawImage(image, 0, 0);
        // A zero or missing delay is shown for 0.1 s by browsers.
        anim.total += image.duration ? image.duration / 1e6 : 0.1;
        anim.ends.push(anim.total);
        anim.frames.push(URL.createObjectURL(await canvas.convertToBlob({ type: 'image/png' })));
        image.close();
      }
      decoder.close();
      if (anim.frames.length) animations.set(img.url, anim);
    } catch (err) {
      warnings.push(`animated image ${img.url} could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return warnings;
}

/** Points every <img> of a decoded GIF at its picture for t (elapsed since `shownSince(img)`). */
export function driveAnimatedImages(root: ParentNode, t: number, shownSince: (img: HTMLImageElement) => number): void {
  if (animations.size === 0) return;
  for (const img of Array.from(root.querySelectorAll<HTMLImageElement>('img'))) {
    const source = img.dataset.ecgAnimated ?? img.src;
    const anim = animations.get(source);
    if (!anim) continue;
    img.dataset.ecgAnimated = source;
    const elapsed = Math.max(0, t - shownSince(img)) % anim.total;
    let k = 0;
    while (k < anim.ends.length - 1 && elapsed >= anim.ends[k]) k++;
    if (img.src !== anim.frames[k]) img.src = anim.frames[k];
  }
}
