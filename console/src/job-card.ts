// One render's card in the jobs list: live status over Server-Sent Events (polling when the
// stream cannot be opened), cancel, the side-by-side player once completed, and the parity check.
import { api } from './api-client.js';
import type { CancelResult, LiveFigures, ParityResult, RenderStatus, StatusEvent } from './api-types.js';
import { $, fmtSeconds, text } from './dom.js';
import { refreshHistory } from './history.js';
import { renderParity } from './parity-view.js';
import { showResult, type PreviewSource } from './player.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export class JobCard {
  private readonly el: HTMLElement;
  private es: EventSource | null = null;
  private poll: number | undefined;
  private status = 'queued';
  private playerReady = false;
  private framesTotal = 0;
  private reopened = 0;

  constructor(
    readonly jobId: string,
    videoName: string,
    private readonly source: PreviewSource | null,
  ) {
    const tpl = $<HTMLTemplateElement>('#job-template');
    this.el = (tpl.content.firstElementChild as HTMLElement).cloneNode(true) as HTMLElement;
    this.el.dataset.jobId = jobId;
    text($('.job-video', this.el), videoName);
    text($('.job-id', this.el), jobId);
    $('#jobs').prepend(this.el);
    $('.job-cancel', this.el).addEventListener('click', () => void this.cancel());
    $('.parity-run', this.el).addEventListener('click', () => void this.runParity());
    void this.listen();
  }

  /** The stream opens with a single-use ticket (never the token in the URL); a drop asks for a new one. */
  private async listen(): Promise<void> {
    let url: string;
    try {
      url = (await api<{ url: string }>('POST', `/api/render/${encodeURIComponent(this.jobId)}/events/ticket`)).url;
    } catch {
      return this.pollStatus();
    }
    this.es = new EventSource(url);
    this.es.addEventListener('status', (e) => this.update(JSON.parse((e as MessageEvent<string>).data) as StatusEvent));
    this.es.onerror = () => {
      if (TERMINAL.has(this.status)) return this.stopListening();
      // A used ticket cannot reconnect: close, and open again with a fresh ticket (a few times).
      this.stopListening();
      if (this.reopened++ < 3) void this.listen();
      else this.pollStatus();
    };
  }

  /** The stream could not be (re)opened: poll the status endpoint instead. */
  private pollStatus(): void {
    this.stopListening();
    this.poll = window.setInterval(() => {
      api<RenderStatus>('GET', `/api/render/${this.jobId}/status`).then(
        (s) => this.update(s),
        () => undefined,
      );
    }, 2000);
  }

  private stopListening(): void {
    this.es?.close();
    this.es = null;
    if (this.poll !== undefined) clearInterval(this.poll);
    this.poll = undefined;
  }

  update(s: StatusEvent): void {
    this.status = s.status;
    this.el.dataset.status = s.status;
    const badge = $('.job-status', this.el);
    badge.textContent = s.status;
    badge.className = `badge job-status ${s.status}`;
    const live: LiveFigures = s.live ?? {};
    const progress = s.status === 'completed' ? 100 : Number(live.progress ?? s.progress ?? 0);
    $('.bar', this.el).style.width = `${Math.max(0, Math.min(100, progress))}%`;
    $('.pct', this.el).textContent = `${Math.floor(progress)} %`;
    this.el.dataset.progress = String(progress);
    const phase = s.status === 'processing' ? (live.phase ?? s.phase) : s.status;
    text($('.live-phase', this.el), phase);
    if (live.framesTotal) this.framesTotal = Number(live.framesTotal);
    if (live.framesTotal) text($('.live-frames', this.el), `${live.framesDone ?? 0} / ${live.framesTotal}`);
    if (s.status === 'completed' && this.framesTotal) text($('.live-frames', this.el), `${this.framesTotal} / ${this.framesTotal}`);
    if (live.fps !== undefined) text($('.live-fps', this.el), `${Number(live.fps).toFixed(1)} fps`);
    const eta = live.etaSeconds ?? s.estimatedTimeRemaining;
    text($('.live-eta', this.el), TERMINAL.has(s.status) ? '—' : fmtSeconds(eta));
    if (live.encoder) text($('.live-encoder', this.el), live.encoder);
    if (s.status === 'failed')
      $('.job-error', this.el).textContent = `${s.error ?? 'the render failed'}${s.errorCode ? ` [${s.errorCode}]` : ''}`;
    // FONT_FALLBACK=warn: what is not drawn as written (missing fonts, characters without a glyph).
    if (Array.isArray(s.warnings)) $('.job-warnings', this.el).textContent = s.warnings.map((w) => `⚠ ${String(w)}`).join('\n');
    if (TERMINAL.has(s.status)) {
      $<HTMLButtonElement>('.job-cancel', this.el).hidden = true;
      this.stopListening();
      void refreshHistory();
    }
    if (s.status === 'completed' && s.downloadUrl && !this.playerReady) {
      this.playerReady = true;
      void showResult(this.el, s.downloadUrl, this.source);
    }
  }

  private async cancel(): Promise<void> {
    const btn = $<HTMLButtonElement>('.job-cancel', this.el);
    btn.disabled = true;
    try {
      const r = await api<CancelResult>('POST', `/api/render/${this.jobId}/cancel`);
      if (!r.success) $('.job-error', this.el).textContent = r.message;
      const s = await api<RenderStatus>('GET', `/api/render/${this.jobId}/status`);
      this.update(s);
    } catch (e) {
      $('.job-error', this.el).textContent = (e as Error).message;
    } finally {
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------- parity report
  private async runParity(): Promise<void> {
    const btn = $<HTMLButtonElement>('.parity-run', this.el);
    const box = $('.parity', this.el);
    btn.disabled = true;
    box.hidden = false;
    box.textContent = 'Comparing sampled frames of the MP4 with the engine alone over the source… (this can take a while)';
    try {
      const r = await api<ParityResult>('POST', `/api/render/${this.jobId}/parity?frames=8`);
      renderParity(box, r);
      this.el.dataset.parity = r.match ? 'match' : 'mismatch';
    } catch (e) {
      box.textContent = `Parity check failed: ${(e as Error).message}`;
      this.el.dataset.parity = 'error';
    } finally {
      btn.disabled = false;
    }
  }
}
