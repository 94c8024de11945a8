/**
 * The pages of payctl serve, server-rendered: the incident list and one
 * incident (status, roles, time since detection, routing, messages sent, the
 * postmortem, the timeline). The same functions render the fragments that the
 * live script puts in place, so a reload and a live update look the same.
 * Every value is escaped (html.ts); status is always written as a word.
 */
import { describe as describeEvent } from '../commands/incident-show.js';
import { formatDuration } from '../duration.js';
import type { TimelineEvent } from '../timeline/events.js';
import { approvalsView } from '../timeline/approvals-view.js';
import type { IncidentState } from '../timeline/replay.js';
import { SCRIPT, STYLE } from './assets.js';
import { html, pathPart, SafeHtml } from './html.js';
import type { IncidentView, Share } from './incident-view.js';

/** A postmortem draft found beside the incident's timeline. */
export interface PostmortemFile {
  text: string;
  written_at: string;
  truncated: boolean;
}

/** The incidents the list shows. */
export interface ListedIncidents {
  open: IncidentView[];
  recent: IncidentView[];
  /** Open incidents left out (over the limit). */
  more_open: number;
  /** Incidents that could not be read. */
  unreadable: number;
}

export function incidentPath(id: string): string {
  return `/incidents/${pathPart(id)}`;
}

function clock(iso: string): SafeHtml {
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** "12m" since a time, kept current by the script (data-since). */
function sinceText(iso: string, now: Date): SafeHtml {
  return html`<span data-since="${iso}">${formatDuration(now.getTime() - Date.parse(iso))}</span>`;
}

function detectedAt(st: IncidentState): string {
  return st.milestones.detected ?? st.opened_at;
}

export function splitText(split: readonly Share[]): string {
  return split.map((s) => `${s.provider} ${s.percent}%`).join(', ');
}

function statusWord(st: IncidentState): SafeHtml {
  return html`<span class="status status-${st.status}">${st.status}</span>`;
}

function tags(st: IncidentState): string {
  const t = [st.dry_run ? 'dry run' : '', st.source === 'drill' || st.source === 'demo' ? st.source : ''].filter(Boolean);
  return t.length ? ` (${t.join(', ')})` : '';
}

function rolesList(roles: Record<string, string>): SafeHtml {
  const entries = Object.entries(roles);
  if (!entries.length) return html`none assigned`;
  return html`${entries.map(([role, person], i) => html`${i ? ', ' : ''}${role}: ${person}`)}`;
}

function runText(st: IncidentState): string | undefined {
  if (st.run === 'stopped') return `stopped${st.run_stop_reason ? `: ${st.run_stop_reason}` : ''}`;
  if (st.run === 'running') return 'running (or interrupted)';
  if (st.run === 'finished') return 'finished';
  return undefined;
}

function approvalText(v: IncidentView, now: Date): SafeHtml | undefined {
  const p = v.pending;
  if (!p) return approvedText(v);
  const who = p.second_person ? 'a second person' : 'the person running it';
  return html`<span class="attention">waiting for approval</span> by ${who}${p.step ? html` at step ${p.step}` : ''}: “${p.question}”
    (asked ${sinceText(p.since, now)} ago${p.second_person ? html`; approve with <code>payctl incident approve ${v.id}</code>` : ''})`;
}

/** A second person's approval given while no run goes on: who gave it, and the resume that uses it. */
function approvedText(v: IncidentView): SafeHtml | undefined {
  const st = v.state();
  // the page does not ask the run lock (its run line says "running (or interrupted)"): an unended run counts as going on
  const g = st ? approvalsView(st, st.run === 'running').find((a) => a.status === 'approved' && a.next) : undefined;
  if (!g) return undefined;
  return html`approved by ${g.by} at step ${g.step} (${clock(g.at!)}) — resume with <code>payctl incident resume ${v.id} --yes</code> (anyone but ${g.by})`;
}

function fact(label: string, value: SafeHtml | string | undefined): SafeHtml {
  return value === undefined ? html`` : html`<dt>${label}</dt><dd>${value}</dd>`;
}

/** The incidents section (replaced whole by the live script). */
export function incidentListSection(list: ListedIncidents, now: Date): SafeHtml {
  const item = (v: IncidentView) => {
    const st = v.state()!;
    const routing = v.routing.at(-1);
    const closedAt = st.status === 'resolved' ? st.milestones.resolved : st.cancelled?.at;
    return html`<li><article aria-labelledby="t-${v.id}">
      <h3 id="t-${v.id}"><a href="${incidentPath(v.id)}">${st.title}</a>${tags(st)}</h3>
      <dl class="facts">
        ${fact('Status', html`${statusWord(st)} · ${st.severity}`)}
        ${fact('Detected', closedAt ? html`${clock(detectedAt(st))}` : html`${sinceText(detectedAt(st), now)} ago (${clock(detectedAt(st))})`)}
        ${closedAt ? fact(st.status === 'cancelled' ? 'Cancelled' : 'Resolved', clock(closedAt)) : html``}
        ${fact('Roles', rolesList(st.roles))}
        ${fact('Traffic', routing ? splitText(routing.split) : 'not moved by payctl')}
        ${fact('Approval', approvalText(v, now))}
        ${fact('Incident', html`<code>${v.id}</code>${st.playbook ? html` · playbook ${st.playbook}` : ''}`)}
      </dl>
    </article></li>`;
  };
  const group = (items: IncidentView[], empty: string) =>
    items.length ? html`<ul class="incidents">${items.map(item)}</ul>` : html`<p>${empty}</p>`;
  return html`<div id="incidents">
    <section aria-labelledby="open-h">
      <h2 id="open-h">Open incidents (${list.open.length + list.more_open})</h2>
      ${group(list.open, 'No open incidents.')}
      ${list.more_open ? html`<p>${list.more_open} older open incidents are not shown: <code>payctl incident list --status open</code> lists them all.</p>` : ''}
    </section>
    <section aria-labelledby="recent-h">
      <h2 id="recent-h">Recently closed (last 7 days)</h2>
      ${group(list.recent, 'None closed in the last 7 days.')}
    </section>
    ${list.unreadable ? html`<p>${list.unreadable} incidents could not be read: <code>payctl incident list</code> says why.</p>` : ''}
  </div>`;
}

function routingSection(v: IncidentView): SafeHtml {
  const now = v.routing.at(-1);
  return html`<section aria-labelledby="routing-h">
    <h2 id="routing-h">Traffic routing</h2>
    ${
      now
        ? html`<p>Now: <strong>${splitText(now.split)}</strong> (since ${clock(now.at)}).</p>
      ${v.routingBefore ? html`<p>Before the incident: ${splitText(v.routingBefore)}.</p>` : ''}
      <ol>${v.routing.map((r) => html`<li>${clock(r.at)}: ${r.how}${r.step ? html` (step ${r.step})` : ''}: ${splitText(r.split)}</li>`)}</ol>`
        : html`<p>Traffic has not been moved by payctl in this incident.</p>`
    }
  </section>`;
}

function messagesSection(v: IncidentView): SafeHtml {
  const messages = v.messages();
  const channel = (c: { name: string; state: string; error?: string }) =>
    html`<li>${c.name}: ${c.state === 'sent' ? 'sent' : c.state === 'failed' ? html`<span class="attention">failed</span>${c.error ? ` (${c.error})` : ''}` : 'sending'}</li>`;
  return html`<section aria-labelledby="messages-h">
    <h2 id="messages-h">Messages sent</h2>
    ${
      messages.length
        ? html`<ul>${messages.map(
            (m) => html`<li><article aria-labelledby="m-${m.step}">
            <h3 id="m-${m.step}">${m.title} (template ${m.template})${m.dry_run ? ' (dry run: not sent)' : ''}</h3>
            <p>${clock(m.at)}, step ${m.step}</p>
            <ul>${m.channels.map(channel)}</ul>
            ${m.vars.length ? html`<dl class="facts">${m.vars.map(([k, val]) => fact(k, val))}</dl>` : ''}
          </article></li>`,
          )}</ul>`
        : html`<p>No messages sent yet.</p>`
    }
  </section>`;
}

/** The postmortem draft (replaced whole by the live script when the file changes). */
export function postmortemSection(id: string, pm: PostmortemFile | undefined): SafeHtml {
  return html`<section id="postmortem" aria-labelledby="postmortem-h">
    <h2 id="postmortem-h">Postmortem</h2>
    ${
      pm
        ? html`<details><summary>Draft written ${clock(pm.written_at)}${pm.truncated ? ' (the start of it)' : ''}</summary>
          <pre class="postmortem">${pm.text}</pre></details>`
        : html`<p>Not written yet (<code>payctl postmortem ${id}</code> writes it).</p>`
    }
  </section>`;
}

/** Status, roles, routing and messages (replaced whole by the live script). */
export function incidentSummary(v: IncidentView, now: Date): SafeHtml {
  const st = v.state()!;
  const m = st.milestones;
  const closed = st.status === 'resolved' || st.status === 'cancelled';
  return html`<div id="summary">
    <section aria-labelledby="status-h">
      <h2 id="status-h">Status</h2>
      <dl class="facts">
        ${fact('Status', html`${statusWord(st)}${st.cancelled ? ` (${st.cancelled.reason})` : ''}`)}
        ${fact('Approval', approvalText(v, now))}
        ${fact('Severity', st.severity)}
        ${fact('Detected', closed ? clock(detectedAt(st)) : html`${sinceText(detectedAt(st), now)} ago (${clock(detectedAt(st))})`)}
        ${m.mitigated ? fact('Mitigated', html`${clock(m.mitigated)} (${formatDuration(Date.parse(m.mitigated) - Date.parse(detectedAt(st)))} after detection)`) : html``}
        ${m.resolved ? fact('Resolved', html`${clock(m.resolved)} (${formatDuration(Date.parse(m.resolved) - Date.parse(detectedAt(st)))} after detection)`) : html``}
        ${fact('Playbook run', runText(st))}
        ${fact('Playbook', st.playbook)}
      </dl>
    </section>
    <section aria-labelledby="roles-h">
      <h2 id="roles-h">Roles</h2>
      ${
        Object.keys(st.roles).length
          ? html`<dl class="facts">${Object.entries(st.roles).map(([role, person]) => fact(role, person))}</dl>`
          : html`<p>No roles assigned (<code>payctl incident assign ${v.id} --role commander --to &lt;person&gt;</code>).</p>`
      }
    </section>
    ${routingSection(v)}
    ${messagesSection(v)}
  </div>`;
}

/** Timeline entries: the same words as `incident show` and `incident follow`. */
export function timelineItems(events: readonly TimelineEvent[], openedAt: string): SafeHtml {
  const opened = Date.parse(openedAt);
  return html`${events.map(
    (e) =>
      html`<li id="e${e.seq}">${clock(e.time)} <span class="meta">+${formatDuration(Date.parse(e.time) - opened)} · ${e.actor}</span> ${describeEvent(e)}</li>`,
  )}`;
}

interface Layout {
  title: string;
  /** The server-sent events this page listens to. */
  events?: string;
  main: SafeHtml;
}

export function page(l: Layout): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${l.title} · payctl</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body${l.events ? html` data-events="${l.events}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="Site"><a href="/">payctl incidents</a> · read-only live page</nav></header>
<main id="main">
${l.main}
</main>
<footer><p id="live-status" role="status">${
    l.events ? 'Live updates need JavaScript; without it, reload the page to see changes.' : ''
  }</p></footer>
<script>${new SafeHtml(SCRIPT)}</script>
</body>
</html>
`.text;
}

export function listPage(list: ListedIncidents, now: Date): string {
  return page({ title: 'Incidents', events: '/events', main: html`<h1>Incidents</h1>${incidentListSection(list, now)}` });
}

export function incidentPage(v: IncidentView, pm: PostmortemFile | undefined, now: Date): string {
  const st = v.state()!;
  const shown = v.events();
  return page({
    title: st.title,
    events: `${incidentPath(v.id)}/events?after=${v.lastSeq}`,
    main: html`<h1>${st.title}${tags(st)}</h1>
      <p>Incident <code>${v.id}</code>, opened ${clock(st.opened_at)}. This page is read-only; act with payctl.</p>
      ${incidentSummary(v, now)}
      ${postmortemSection(v.id, pm)}
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        ${v.eventCount > shown.length ? html`<p>The last ${shown.length} of ${v.eventCount} events; <code>payctl incident show ${v.id}</code> has them all.</p>` : ''}
        <ol id="timeline" class="timeline">${timelineItems(shown, st.opened_at)}</ol>
      </section>`,
  });
}

export function messagePage(title: string, text: string): string {
  return page({ title, main: html`<h1>${title}</h1><p>${text}</p>` });
}
