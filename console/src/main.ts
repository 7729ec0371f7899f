// The ECG Render web console. Plain TypeScript + DOM, bundled by scripts/build-console.mjs and
// type-checked by console/tsconfig.json (DOM, no Node types). It talks only to the public HTTP
// API (plus the console's own helper endpoints), with the response types of ./api-types.ts:
//   POST /api/uploads → PUT uploadUrl → POST /api/render/create → GET /api/render/:id/events (SSE)
//   POST /api/scenario/preflight (shown before a render starts), POST /api/scenario/prepare (preview),
//   POST /api/render/:id/cancel, GET /api/render/history,
//   POST /api/render/:id/parity, GET|POST /api/dev/token (only when ALLOW_DEV_TOKENS=true).
// Every value from the server or a file is put in the page as text (textContent), never as HTML.
// This file: sign-in, the new-render form, boot. A render's card: job-card.ts.
import { api, currentToken, putFile, tokenSubject, useToken } from './api-client.js';
import type { CreatedRender, DevToken, PreflightReport, PreparedScenario, UploadTarget } from './api-types.js';
import { $, fmtBytes, fmtSeconds, text } from './dom.js';
import { refreshHistory } from './history.js';
import { JobCard } from './job-card.js';
import { showPreflight } from './preflight-view.js';

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
  const previous = currentToken();
  const candidate = t.trim();
  useToken(candidate, false);
  try {
    await api<unknown>('GET', '/api/render/history?limit=1');
  } catch (e) {
    useToken(previous, false);
    err.textContent = `Sign-in failed: ${(e as Error).message}`;
    return;
  }
  useToken(candidate, true);
  showApp(candidate);
}

/** ALLOW_DEV_TOKENS=true: a token for the user typed in, minted by the server. */
async function signInWithDevToken(): Promise<void> {
  try {
    const r = await api<DevToken>('POST', '/api/dev/token', { userId: $<HTMLInputElement>('#dev-user').value.trim() });
    await signIn(r.token);
  } catch (e) {
    $('#sign-in-error').textContent = `Dev token: ${(e as Error).message}`;
  }
}

function showApp(token: string): void {
  $('#sign-in').hidden = true;
  $('#app').hidden = false;
  $('#who').hidden = false;
  text($('#who-name'), `signed in as ${tokenSubject(token)}`);
  void refreshHistory();
}

function signOut(): void {
  useToken(null, true);
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
    const f = e.dataTransfer?.files?.[0];
    if (f) onFile(f);
  });
}

function refreshStartButton(): void {
  $<HTMLButtonElement>('#start').disabled = !(videoFile && scenarioFile);
}

function readOptions(): Record<string, number> {
  const opts: Record<string, number> = {};
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
      throw new Error(`${scenarioFile.name} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    status.textContent = 'Checking the scenario…';
    const options = readOptions();
    const refusals = showPreflight(
      $('#preflight'),
      await api<PreflightReport>('POST', '/api/scenario/preflight', { scenario, ...(Object.keys(options).length ? { options } : {}) }),
    );
    if (refusals.length) throw new Error(`The render would be refused: ${refusals.join('; ')}`);
    const prepared = await api<PreparedScenario>('POST', '/api/scenario/prepare', { scenario });
    status.textContent = 'Uploading the video…';
    const up = await api<UploadTarget>('POST', '/api/uploads', {
      filename: videoFile.name,
      contentType: videoFile.type || 'application/octet-stream',
      size: videoFile.size,
    });
    await putFile(up.uploadUrl, videoFile, up.headers, (s) => (status.textContent = `Uploading the video… ${Math.round(s * 100)} %`));
    status.textContent = 'Starting the render…';
    const created = await api<CreatedRender>(
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

// ------------------------------------------------------------------------------------ boot
function boot(): void {
  $('#token-use').addEventListener('click', () => void signIn($<HTMLTextAreaElement>('#token-input').value));
  $('#dev-token-btn').addEventListener('click', () => void signInWithDevToken());
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
  const remembered = currentToken();
  if (remembered) void signIn(remembered);
}

boot();
