// The ECG Render web console. Plain TypeScript + DOM, bundled by scripts/build-console.mjs.
// It talks only to the public HTTP API (plus the console's own helper endpoints):
//   POST /api/uploads → PUT uploadUrl → POST /api/render/create → GET /api/render/:id/events (SSE)
//   POST /api/scenario/preflight (shown before a render starts), POST /api/scenario/prepare (preview),
//   POST /api/render/:id/cancel, GET /api/render/history,
//   POST /api/render/:id/parity, GET|POST /api/dev/token (only when ALLOW_DEV_TOKENS=true).
// Every value from the server or a file is put in the page as text (textContent), never as HTML.

import { showPreflight } from './preflight-view.js';

type Json = Record<string, any>;

const TOKEN_KEY = 'ecg-render.token';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

function $<T extends Element = HTMLElement>(sel: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`console: missing element ${sel}`);
  return el;
}

function text(el: Element, value: unknown): void {
  el.textContent = value === undefined || value === null || value === '' ? '—' : String(value);
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------------------------ API client
let token: string | null = sessionStorage.getItem(TOKEN_KEY);

async function api<T = Json>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const raw = await res.text();
  let data: any = undefined;
  try {
    data = raw ? JSON.parse(raw) : undefined;
  } catch {
    data = raw;
  }
  if (!res.ok) {
    const d = data?.detail;
    const details = Array.isArray(d?.details)
      ? d.details
          .slice(0, 3)
          .map((x: Json) => `${x.field}: ${x.reason}`)
          .join('; ')
      : '';
    const message = d?.message ?? data?.message ?? `HTTP ${res.status}`;
    throw new ApiError(res.status, details && !String(message).includes(details) ? `${message} (${details})` : message, d?.code);
  }
  return data as T;
}

/** PUT with upload progress (fetch has none). */
function putFile(url: string, file: File, headers: Record<string, string> | undefined, onProgress: (share: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers ?? {})) xhr.setRequestHeader(k, v);
    if (!headers || !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new ApiError(xhr.status, `upload failed: HTTP ${xhr.status}`));
    xhr.onerror = () => reject(new Error('upload failed: network error'));
    xhr.send(file);
  });
}

function tokenSubject(t: string): string {
  try {
    const payload = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return String(payload.sub ?? '?');
  } catch {
    return '?';
  }
}

// ------------------------------------------------------------------------------------ formatting
const fmtSeconds = (s: unknown) => {
  const n = Number(s);
  if (s === null || s === undefined || !Number.isFinite(n)) return '—';
  if (n < 60) return `${Math.round(n)} s`;
  return `${Math.floor(n / 60)} min ${Math.round(n % 60)} s`;
};
const fmtBytes = (b: unknown) => {
  const n = Number(b);
  if (b === null || b === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
};
const fmtDate = (iso: unknown) => (iso ? new Date(String(iso)).toLocaleString() : '—');
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

// ------------------------------------------------------------------------------------ sign-in
async function probeDevTokens(): Promise<void> {
  try {
    const res = await fetch('/api/dev/token', { method: 'GET' });
    $('#dev-token').hidden = !res.ok;
  } catch {
    $('#dev-token').hidden = true;
  }
}

async function signIn(t: string): Promise<void> {
  const err = $('#sign-in-error');
  err.textContent = '';
  const previous = token;
  token = t.trim();
  try {
    await api('GET', '/api/render/history?limit=1');
  } catch (e) {
    token = previous;
    err.textContent = `Sign-in failed: ${(e as Error).message}`;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  showApp();
}

function showApp(): void {
  $('#sign-in').hidden = true;
  $('#app').hidden = false;
  $('#who').hidden = false;
  text($('#who-name'), `signed in as ${tokenSubject(token!)}`);
  void refreshHistory();
}

function signOut(): void {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

// ------------------------------------------------------------------------------------ new render
let videoFile: File | null = null;
let scenarioFile: File | null = null;

function setupDrop(zoneSel: string, inputSel: string, onFile: (f: File) => void): void {
  const zone = $(zoneSel);
  const input = $<HTMLInputElement>(inputSel);
  input.addEventListener('change', () => input.files?.[0] && onFile(input.files[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const f = (e as DragEvent).dataTransfer?.files?.[0];
    if (f) onFile(f);
  });
}

function refreshStartButton(): void {
  $<HTMLButtonElement>('#start').disabled = !(videoFile && scenarioFile);
}

function readOptions(): Json {
  const opts: Json = {};
  for (const k of ['width', 'height', 'fps', 'quality']) {
    const v = $<HTMLInputElement>(`#opt-${k}`).value.trim();
    if (v !== '') opts[k] = Number(v);
  }
  return opts;
}

async function startRender(): Promise<void> {
  const status = $('#start-status');
  const err = $('#start-error');
  const button = $<HTMLButtonElement>('#start');
  err.textContent = '';
  if (!videoFile || !scenarioFile) return;
  button.disabled = true;
  try {
    let scenario: unknown;
    try {
      scenario = JSON.parse(await scenarioFile.text());
    } catch (e) {
      throw new Error(`${scenarioFile.name} is not valid JSON: ${(e as Error).message}`);
    }
    status.textContent = 'Checking the scenario…';
    const options = readOptions();
    const refusals = showPreflight(
      $('#preflight'),
      await api('POST', '/api/scenario/preflight', { scenario, ...(Object.keys(options).length ? { options } : {}) }),
    );
    if (refusals.length) throw new Error(`The render would be refused: ${refusals.join('; ')}`);
    const prepared = await api('POST', '/api/scenario/prepare', { scenario });
    status.textContent = 'Uploading the video…';
    const up = await api('POST', '/api/uploads', {
      filename: videoFile.name,
      contentType: videoFile.type || 'application/octet-stream',
      size: videoFile.size,
    });
    await putFile(up.uploadUrl, videoFile, up.headers, (s) => (status.textContent = `Uploading the video… ${Math.round(s * 100)} %`));
    status.textContent = 'Starting the render…';
    const created = await api(
      'POST',
      '/api/render/create',
      { videoUrl: up.videoUrl, scenario, ...(Object.keys(options).length ? { options } : {}) },
      { 'Idempotency-Key': crypto.randomUUID() },
    );
    status.textContent = `Render ${created.jobId} started (estimated ${fmtSeconds(created.estimatedTime)}).`;
    new JobCard(created.jobId, videoFile.name, { file: videoFile, scenario: prepared.scenario, options });
    void refreshHistory();
  } catch (e) {
    status.textContent = '';
    err.textContent = (e as Error).message;
  } finally {
    refreshStartButton();
  }
}

// ------------------------------------------------------------------------------------ jobs
interface PreviewSource {
  file: File;
  /** The prepared v2.0 scenario (POST /api/scenario/prepare). */
  scenario: Json;
  options: Json;
}

type CaptionApi = {
  load(s: unknown, o: { width: number; height: number }): Promise<{ mountedCues: number; warnings: string[] }>;
  seek(t: number): { visible: boolean };
  dispose(): void;
};

class JobCard {
  private readonly el: HTMLElement;
  private es: EventSource | null = null;
  private poll: number | undefined;
  private status = 'queued';
  private downloadUrl: string | null = null;
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
    this.es.addEventListener('status', (e) => this.update(JSON.parse((e as MessageEvent).data)));
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
      api('GET', `/api/render/${this.jobId}/status`).then(
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

  update(s: Json): void {
    this.status = s.status;
    this.el.dataset.status = s.status;
    const badge = $('.job-status', this.el);
    badge.textContent = s.status;
    badge.className = `badge job-status ${s.status}`;
    const live: Json = s.live ?? {};
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
    if (s.encoder) text($('.live-encoder', this.el), s.encoder);
    if (s.status === 'failed')
      $('.job-error', this.el).textContent = `${s.error ?? 'the render failed'}${s.errorCode ? ` [${s.errorCode}]` : ''}`;
    // FONT_FALLBACK=warn: what is not drawn as written (missing fonts, characters without a glyph).
    if (Array.isArray(s.warnings)) $('.job-warnings', this.el).textContent = s.warnings.map((w: unknown) => `⚠ ${String(w)}`).join('\n');
    if (TERMINAL.has(s.status)) {
      ($('.job-cancel', this.el) as HTMLButtonElement).hidden = true;
      this.stopListening();
      void refreshHistory();
    }
    if (s.status === 'completed' && s.downloadUrl && !this.playerReady) {
      this.downloadUrl = s.downloadUrl;
      this.playerReady = true;
      void this.showResult();
    }
  }

  private async cancel(): Promise<void> {
    const btn = $<HTMLButtonElement>('.job-cancel', this.el);
    btn.disabled = true;
    try {
      const r = await api('POST', `/api/render/${this.jobId}/cancel`);
      if (!r.success) $('.job-error', this.el).textContent = r.message;
      const s = await api('GET', `/api/render/${this.jobId}/status`);
      this.update(s);
    } catch (e) {
      $('.job-error', this.el).textContent = (e as Error).message;
    } finally {
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------- side-by-side player
  private async showResult(): Promise<void> {
    const result = $('.result', this.el);
    result.hidden = false;
    const rendered = $<HTMLVideoElement>('.rendered-video', this.el);
    const preview = $<HTMLVideoElement>('.preview-video', this.el);
    const frame = $<HTMLIFrameElement>('.caption-frame', this.el);
    const note = $('.preview-note', this.el);
    const download = $<HTMLAnchorElement>('.download', this.el);
    download.href = this.downloadUrl!;
    rendered.src = this.downloadUrl!;
    await once(rendered, 'loadedmetadata');
    const W = rendered.videoWidth;
    const H = rendered.videoHeight;
    for (const screen of this.el.querySelectorAll<HTMLElement>('.screen')) screen.style.aspectRatio = `${W} / ${H}`;

    let caption: CaptionApi | null = null;
    if (!this.source) {
      note.textContent = 'The editor preview needs the source video and scenario: it is available for renders started in this tab.';
      $('.preview-screen', this.el).parentElement!.hidden = true;
    } else {
      preview.src = URL.createObjectURL(this.source.file);
      if (!frame.contentWindow || frame.contentDocument?.readyState !== 'complete') await once(frame, 'load');
      const win = frame.contentWindow as (Window & { __ecgCaption?: CaptionApi; JSON: JSON }) | null;
      if (!win?.__ecgCaption) {
        note.textContent = 'The caption engine did not load in the preview frame.';
      } else {
        caption = win.__ecgCaption;
        frame.style.width = `${W}px`;
        frame.style.height = `${H}px`;
        // The engine lives in the frame's realm: hand it a copy made there.
        const loaded = await caption.load(win.JSON.parse(JSON.stringify(this.source.scenario)), { width: W, height: H });
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
    this.setupTransport(rendered, this.source ? preview : null, caption);
    this.el.dataset.player = 'ready';
  }

  private setupTransport(master: HTMLVideoElement, follower: HTMLVideoElement | null, caption: CaptionApi | null): void {
    const play = $<HTMLButtonElement>('.play', this.el);
    const seek = $<HTMLInputElement>('.seek', this.el);
    const time = $('.time', this.el);
    let lastT = -1;
    let dragging = false;
    const duration = () => (Number.isFinite(master.duration) ? master.duration : 0);
    const sync = (t: number, hard = false) => {
      if (follower && (hard || Math.abs(follower.currentTime - t) > 0.08)) follower.currentTime = t;
      if (caption && t !== lastT) {
        lastT = t;
        const visible = caption.seek(t).visible;
        this.el.dataset.captionVisible = String(visible);
      }
      if (!dragging && duration()) seek.value = String(Math.round((t / duration()) * 1000));
      time.textContent = `${t.toFixed(2)} / ${duration().toFixed(2)} s`;
      this.el.dataset.time = t.toFixed(3);
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

  /** Seeks the synchronised player (used by the tests and the keyboard). */
  seekTo(t: number): void {
    const master = $<HTMLVideoElement>('.rendered-video', this.el);
    master.currentTime = t;
  }

  // ---------------------------------------------------------------- parity report
  private async runParity(): Promise<void> {
    const btn = $<HTMLButtonElement>('.parity-run', this.el);
    const box = $('.parity', this.el);
    btn.disabled = true;
    box.hidden = false;
    box.textContent = 'Comparing sampled frames of the MP4 with the engine alone over the source… (this can take a while)';
    try {
      const r = await api('POST', `/api/render/${this.jobId}/parity?frames=8`);
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

function renderParity(box: HTMLElement, r: Json): void {
  box.replaceChildren();
  const verdict = document.createElement('p');
  verdict.className = `verdict ${r.match ? 'ok' : 'bad'}`;
  verdict.textContent = r.match
    ? `Parity OK: the caption layer of all ${r.frames.length} sampled frames matches the engine (${r.width}×${r.height} @ ${r.fps} fps, tolerance ${r.thresholds.tolerance}/255).`
    : `Parity FAILED: ${r.mismatched} of ${r.frames.length} sampled frames differ from the engine.`;
  box.append(verdict);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['frame', 't (s)', 'why', 'caption px', 'differing', 'in caption', 'max diff', 'verdict']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  for (const f of r.frames as Json[]) {
    const row = body.insertRow();
    const cells = [
      f.index,
      f.t.toFixed(3),
      f.reason,
      f.captionPixels,
      pct(f.diffShare),
      pct(f.captionDiffShare),
      f.maxDiff,
      f.match ? 'ok' : 'MISMATCH',
    ];
    cells.forEach((c, i) => {
      const td = row.insertCell();
      td.textContent = String(c);
      if (i === cells.length - 1) td.className = f.match ? 'ok' : 'bad';
    });
  }
  box.append(table);
}

function once(target: EventTarget, event: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    target.addEventListener(
      event,
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
    if (event === 'error') return;
    target.addEventListener(
      'error',
      () => {
        clearTimeout(timer);
        reject(new Error(`${event}: the element reported an error`));
      },
      { once: true },
    );
  });
}

// ------------------------------------------------------------------------------------ history
async function refreshHistory(): Promise<void> {
  const tbody = $('#history tbody');
  let rows: Json[];
  try {
    rows = await api<Json[]>('GET', '/api/render/history?limit=20');
  } catch (e) {
    tbody.replaceChildren();
    const td = tbody.appendChild(document.createElement('tr')).appendChild(document.createElement('td'));
    td.colSpan = 6;
    td.className = 'error';
    td.textContent = `Could not load the history: ${(e as Error).message}`;
    return;
  }
  tbody.replaceChildren(
    ...rows.map((j) => {
      const tr = document.createElement('tr');
      tr.dataset.jobId = j.jobId;
      tr.dataset.status = j.status;
      const cell = (v: unknown) => {
        const td = tr.insertCell();
        text(td, v);
        return td;
      };
      cell(fmtDate(j.createdAt));
      cell(j.videoName);
      const st = tr.insertCell();
      const badge = document.createElement('span');
      badge.className = `badge ${j.status}`;
      badge.textContent = j.status;
      st.append(badge);
      cell(fmtBytes(j.fileSize));
      cell(j.duration ? `${Number(j.duration).toFixed(1)} s` : '—');
      const last = tr.insertCell();
      if (j.downloadUrl) {
        const a = document.createElement('a');
        a.href = j.downloadUrl;
        a.download = '';
        a.textContent = 'download';
        last.append(a);
      } else if (j.error) {
        last.className = 'error';
        last.textContent = j.error;
      } else {
        last.textContent = '—';
      }
      return tr;
    }),
  );
  if (!rows.length) {
    const td = tbody.appendChild(document.createElement('tr')).appendChild(document.createElement('td'));
    td.colSpan = 6;
    td.className = 'hint';
    td.textContent = 'No renders yet.';
  }
}

// ------------------------------------------------------------------------------------ boot
function boot(): void {
  $('#token-use').addEventListener('click', () => void signIn($<HTMLTextAreaElement>('#token-input').value));
  $('#dev-token-btn').addEventListener('click', async () => {
    try {
      const r = await api('POST', '/api/dev/token', { userId: $<HTMLInputElement>('#dev-user').value.trim() });
      await signIn(r.token);
    } catch (e) {
      $('#sign-in-error').textContent = `Dev token: ${(e as Error).message}`;
    }
  });
  $('#sign-out').addEventListener('click', signOut);
  setupDrop('#drop-video', '#video-file', (f) => {
    videoFile = f;
    $('#video-name').textContent = `${f.name} (${fmtBytes(f.size)})`;
    $('#drop-video').classList.add('filled');
    refreshStartButton();
  });
  setupDrop('#drop-scenario', '#scenario-file', (f) => {
    scenarioFile = f;
    $('#scenario-name').textContent = `${f.name} (${fmtBytes(f.size)})`;
    $('#drop-scenario').classList.add('filled');
    refreshStartButton();
  });
  $('#start').addEventListener('click', () => void startRender());
  $('#history-refresh').addEventListener('click', () => void refreshHistory());
  void probeDevTokens();
  if (token) void signIn(token);
}

boot();
