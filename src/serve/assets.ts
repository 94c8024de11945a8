/**
 * The page's one stylesheet and one small script, inline, and the Content
 * Security Policy that allows exactly them (by hash): no other script runs on
 * the page, whatever text an incident holds.
 *
 * The script is the live part only: it listens to the page's server-sent
 * events (body data-events) and puts the server-rendered HTML they carry in
 * place (the incident list, an incident's summary, new timeline entries), and
 * keeps "for 12m" counters current. Without it the page is complete as of its
 * loading; a reload shows what changed.
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.45; }
body { margin: 0 auto; max-width: 60rem; padding: 0 1rem 2rem; }
header, footer { border-bottom: 1px solid GrayText; padding: 0.5rem 0; }
footer { border-bottom: 0; border-top: 1px solid GrayText; margin-top: 2rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.25rem; margin-top: 1.75rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.25rem; }
ul.incidents { list-style: none; padding: 0; }
ul.incidents > li { border: 1px solid GrayText; border-radius: 4px; margin: 0.5rem 0; padding: 0.5rem 0.75rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.25rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.status { font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }
.attention { font-weight: 700; }
.attention::before { content: "⚠ "; }
ol.timeline { padding-left: 0; list-style: none; font-variant-numeric: tabular-nums; }
ol.timeline li { border-left: 3px solid GrayText; margin: 0; padding: 0.15rem 0.5rem; }
ol.timeline .meta { color: GrayText; }
pre.postmortem { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid GrayText; padding: 0.75rem; }
@media (prefers-color-scheme: light) {
  .status-investigating, .status-identified { color: #8a1c00; }
  .status-monitoring { color: #6a4f00; }
  .status-resolved { color: #0b5d1e; }
}
`;

export const SCRIPT = `
(() => {
  const body = document.body;
  const live = document.getElementById('live-status');
  const since = (iso) => {
    let s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d) return d + 'd' + (h ? ' ' + h + 'h' : '');
    if (h) return h + 'h' + (m ? ' ' + m + 'm' : '');
    if (m) return m + 'm' + (s ? ' ' + s + 's' : '');
    return s + 's';
  };
  const tick = () => {
    for (const el of document.querySelectorAll('[data-since]')) el.textContent = since(el.getAttribute('data-since'));
  };
  setInterval(tick, 15000);
  const url = body.getAttribute('data-events');
  if (!url || !window.EventSource || !live) return;
  const es = new EventSource(url);
  const say = (text) => { live.textContent = text; };
  const time = () => new Date().toISOString().slice(11, 19) + ' UTC';
  es.addEventListener('open', () => say('Live: changes appear here as they are recorded.'));
  es.addEventListener('error', () => say('Live updates interrupted; reconnecting… (reload the page to see the latest)'));
  const replace = (id, markup) => {
    const el = document.getElementById(id);
    if (el) el.outerHTML = markup;
  };
  es.addEventListener('incidents', (e) => { replace('incidents', e.data); tick(); say('Live: list updated at ' + time() + '.'); });
  es.addEventListener('summary', (e) => { replace('summary', e.data); tick(); });
  es.addEventListener('postmortem', (e) => { replace('postmortem', e.data); say('Live: the postmortem draft was written at ' + time() + '.'); });
  es.addEventListener('timeline', (e) => {
    const list = document.getElementById('timeline');
    if (list) list.insertAdjacentHTML('beforeend', e.data);
    say('Live: timeline updated at ' + time() + '.');
  });
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's policy: its own inline style and script (by hash), server-sent events from itself, nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
