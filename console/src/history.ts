// The history table: the signed-in user's last renders (GET /api/render/history).
import { api } from './api-client.js';
import type { HistoryRow } from './api-types.js';
import { $, fmtBytes, fmtDate, text } from './dom.js';

/** Reloads the table (an error row when the call fails). */
export async function refreshHistory(): Promise<void> {
  const tbody = $('#history tbody');
  let rows: HistoryRow[];
  try {
    rows = await api<HistoryRow[]>('GET', '/api/render/history?limit=20');
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
      const cell = (v: string | number | null | undefined) => {
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
