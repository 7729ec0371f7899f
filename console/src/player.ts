// The side-by-side player of a completed render: the rendered MP4 next to the source video with
// the caption page (the render's own engine bundle, in an iframe) drawing the captions live over
// it, both driven by one transport. The preview needs the source video and the prepared scenario,
// so it exists only for renders started in this tab.
import type { CaptionPageApi, CaptionPageWindow } from '../../libs/caption-page/src/protocol.js';
import { $, once } from './dom.js';

export interface PreviewSource {
  file: File;
  /** The prepared v2.0 scenario (POST /api/scenario/prepare). */
  scenario: Record<string, unknown>;
  options: Record<string, number>;
}

/** Shows the result of a completed render in the card `el`; data-player="ready" once it can play. */
export async function showResult(el: HTMLElement, downloadUrl: string, source: PreviewSource | null): Promise<void> {
  const result = $('.result', el);
  result.hidden = false;
  const rendered = $<HTMLVideoElement>('.rendered-video', el);
  const preview = $<HTMLVideoElement>('.preview-video', el);
  const frame = $<HTMLIFrameElement>('.caption-frame', el);
  const note = $('.preview-note', el);
  const download = $<HTMLAnchorElement>('.download', el);
  download.href = downloadUrl;
  rendered.src = downloadUrl;
  await once(rendered, 'loadedmetadata');
  const W = rendered.videoWidth;
  const H = rendered.videoHeight;
  for (const screen of el.querySelectorAll<HTMLElement>('.screen')) screen.style.aspectRatio = `${W} / ${H}`;

  let caption: CaptionPageApi | null = null;
  if (!source) {
    note.textContent = 'The editor preview needs the source video and scenario: it is available for renders started in this tab.';
    $('.preview-screen', el).parentElement!.hidden = true;
  } else {
    preview.src = URL.createObjectURL(source.file);
    if (!frame.contentWindow || frame.contentDocument?.readyState !== 'complete') await once(frame, 'load');
    const win = frame.contentWindow as (Window & Partial<CaptionPageWindow> & { JSON: JSON }) | null;
    if (!win?.__ecgCaption) {
      note.textContent = 'The caption engine did not load in the preview frame.';
    } else {
      caption = win.__ecgCaption;
      frame.style.width = `${W}px`;
      frame.style.height = `${H}px`;
      // The engine lives in the frame's realm: hand it a copy made there.
      const loaded = await caption.load(win.JSON.parse(JSON.stringify(source.scenario)), { width: W, height: H });
      if (loaded.warnings.length) note.textContent = `Engine warnings: ${loaded.warnings.slice(0, 3).join('; ')}`;
      const fit = () => {
        const box = frame.parentElement!.getBoundingClientRect();
        frame.style.transform = `scale(${box.width / W})`;
      };
      fit();
      new ResizeObserver(fit).observe(frame.parentElement!);
      caption.seek(0);
    }
    await once(preview, 'loadedmetadata').catch(() => undefined);
  }
  setupTransport(el, rendered, source ? preview : null, caption);
  el.dataset.player = 'ready';
}

function setupTransport(
  el: HTMLElement,
  master: HTMLVideoElement,
  follower: HTMLVideoElement | null,
  caption: CaptionPageApi | null,
): void {
  const play = $<HTMLButtonElement>('.play', el);
  const seek = $<HTMLInputElement>('.seek', el);
  const time = $('.time', el);
  let lastT = -1;
  let dragging = false;
  const duration = () => (Number.isFinite(master.duration) ? master.duration : 0);
  const sync = (t: number, hard = false) => {
    if (follower && (hard || Math.abs(follower.currentTime - t) > 0.08)) follower.currentTime = t;
    if (caption && t !== lastT) {
      lastT = t;
      const visible = caption.seek(t).visible;
      el.dataset.captionVisible = String(visible);
    }
    if (!dragging && duration()) seek.value = String(Math.round((t / duration()) * 1000));
    time.textContent = `${t.toFixed(2)} / ${duration().toFixed(2)} s`;
    el.dataset.time = t.toFixed(3);
  };
  const tick = () => {
    sync(master.currentTime);
    if (!master.paused) requestAnimationFrame(tick);
  };
  play.addEventListener('click', () => {
    if (master.paused) {
      void master.play();
      void follower?.play().catch(() => undefined);
      play.textContent = 'Pause';
      requestAnimationFrame(tick);
    } else {
      master.pause();
      follower?.pause();
      play.textContent = 'Play';
      sync(master.currentTime, true);
    }
  });
  master.addEventListener('ended', () => {
    follower?.pause();
    play.textContent = 'Play';
  });
  seek.addEventListener('input', () => {
    dragging = true;
    const t = (Number(seek.value) / 1000) * duration();
    master.currentTime = t;
    sync(t, true);
  });
  seek.addEventListener('change', () => (dragging = false));
  master.addEventListener('seeked', () => sync(master.currentTime, true));
  // The preview never plays sound of its own: the rendered MP4 carries the audio.
  if (follower) follower.muted = true;
  sync(0, true);
}
