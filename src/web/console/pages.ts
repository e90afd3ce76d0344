/** The console's pages, rendered on the server with escape-by-default templates (html.ts). */
import { HOST_STATES, type AuditEntry, type Host, type HostEvent, type User } from '../../state/index.ts';
import { canAct, PROGRESS_STATES, progressOf } from './access.ts';
import { formatTime, html, terminalText, type Html } from './html.ts';
import type { ConsoleArmed, ConsoleBuild, ConsoleProfile } from './types.ts';

/** What every page of a logged-in user needs. */
export interface PageContext {
  user: User;
  csrf: string;
}

const time = formatTime;
const hostHref = (mac: string) => `/ui/hosts/${encodeURIComponent(mac)}`;
const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/** A whole page. `live`: the SSE stream this page follows. */
export function layout(title: string, body: Html, ctx?: PageContext, live?: string): Html {
  const nav = ctx === undefined ? html`` : html`<nav><a href="/ui/hosts">Hosts</a> <a href="/ui/profiles">Profiles</a> <a href="/ui/audit">Audit</a>${ctx.user.role === 'admin' ? html` <a href="/ui/users">Users</a>` : ''}
<span class="who">${ctx.user.name} (${ctx.user.role}${ctx.user.groups.length ? html`: ${ctx.user.groups.join(', ')}` : ''})</span>
<form method="post" action="/ui/logout" class="inline">${csrfField(ctx.csrf)}<button type="submit" id="logout">Log out</button></form></nav>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · remaster</title><link rel="stylesheet" href="/ui/console.css"><script src="/ui/console.js" defer></script></head>
<body${live !== undefined ? html` data-live="${live}"` : ''}>${nav}<main><h1>${title}</h1>
${body}</main></body></html>`;
}

export function loginPage(csrf: string, message?: string): Html {
  return layout('Log in', html`${message ? html`<p class="error" role="alert">${message}</p>` : ''}
<form method="post" action="/ui/login" class="login">${csrfField(csrf)}
<label>User <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form>`);
}

export function messagePage(title: string, message: string, ctx?: PageContext): Html {
  return layout(title, html`<p class="error" role="alert">${message}</p><p><a href="/ui/hosts">Back to hosts</a></p>`, ctx);
}

function progress(h: Host, installed: boolean): Html {
  const p = progressOf(h.state, installed);
  return html`<progress max="${PROGRESS_STATES.length}" value="${p}" title="${h.state}">${h.state}</progress>`;
}

/** The hosts list. `lastEvents`: the newest event per MAC; `installed`: disarmed hosts whose install finished. */
export function hostsPage(ctx: PageContext, hosts: readonly Host[], lastEvents: ReadonlyMap<string, HostEvent>, installed: ReadonlySet<string>, query: { q?: string; state?: string }, profiles: readonly ConsoleProfile[]): Html {
  const mayRegister = ctx.user.role === 'admin' || ctx.user.role === 'operator';
  const rows = hosts.map((h) => {
    const last = lastEvents.get(h.mac);
    return html`<tr data-mac="${h.mac}"><td class="mac"><a href="${hostHref(h.mac)}">${h.mac}</a></td><td class="name">${h.name ?? ''}</td><td>${h.group ?? ''}</td><td>${h.profile ?? ''}</td>
<td class="state">${h.state}</td><td class="last">${last ? `${last.kind} ${time(last.at)}` : ''}</td><td>${progress(h, installed.has(h.mac))}</td></tr>`;
  });
  const register = mayRegister ? html`<details><summary>Register a host</summary>
<form method="post" action="/ui/hosts" class="register">${csrfField(ctx.csrf)}
<label>MAC <input name="mac" required pattern="[0-9A-Fa-f:.-]{12,17}"></label> <label>Name <input name="name"></label>
<label>Group ${ctx.user.role !== 'admin' && ctx.user.groups.length ? html`<select name="group">${ctx.user.groups.map((g) => html`<option>${g}</option>`)}</select>` : html`<input name="group">`}</label>
<label>Profile <select name="profile"><option value="">(none)</option>${profiles.map((p) => html`<option>${p.name}</option>`)}</select></label>
<button type="submit">Register</button></form></details>` : '';
  return layout('Hosts', html`<form method="get" action="/ui/hosts" class="filter"><label>Search <input name="q" value="${query.q ?? ''}"></label>
<label>State <select name="state"><option value="">any</option>${HOST_STATES.map((s) => html`<option${s === query.state ? html` selected` : ''}>${s}</option>`)}</select></label> <button type="submit">Filter</button></form>
${register}
<table id="hosts"><thead><tr><th>MAC</th><th>Name</th><th>Group</th><th>Profile</th><th>State</th><th>Last event</th><th>Progress</th></tr></thead>
<tbody>${rows}</tbody></table>${hosts.length === 0 ? html`<p>No hosts.</p>` : ''}`, ctx, 'hosts');
}

/** Everything the host page shows. */
export interface HostView {
  host: Host;
  timeline: readonly HostEvent[];
  logs: readonly { kind: string; content: string; updatedAt: number }[];
  inventory: string | undefined;
  kickstart: string | undefined;
  armed: ConsoleArmed | undefined;
  armedBy: AuditEntry | undefined;
  profiles: readonly ConsoleProfile[];
  readOnly: boolean;
}

/** The host page's Armed field as the published tree has the host: "yes[, once][, until …]" or "no" (the live view sends the same text). */
export function armedText(armed: ConsoleArmed | undefined): string {
  return armed ? `yes${armed.once ? ', once' : ''}${armed.expires ? `, until ${armed.expires}` : ''}` : 'no';
}

export function hostPage(ctx: PageContext, v: HostView): Html {
  const h = v.host;
  const label = h.name ?? h.mac;
  const act = canAct(ctx.user, h.group) && !v.readOnly;
  const installed = v.timeline.some((e) => e.kind === 'installed' && e.installId === h.installId);
  const actions = act ? html`<section class="actions"><h2>Actions</h2>
<form method="post" action="${hostHref(h.mac)}/arm" class="arm" data-confirm="${label}">${csrfField(ctx.csrf)}
<label>Profile <select name="profile"><option value="">${h.profile ? `(registered: ${h.profile})` : '(keep)'}</option>${v.profiles.map((p) => html`<option>${p.name}</option>`)}</select></label>
<label><input type="checkbox" name="once" value="1" checked> once</label>
<label>Type <code>${label}</code> to confirm <input name="confirm" class="confirm" autocomplete="off" required></label>
<button type="submit" class="arm-button">${h.state === 'failed' || h.state === 'stalled' ? 'Re-arm' : 'Arm'}</button></form>
${v.armed ? html`<form method="post" action="${hostHref(h.mac)}/disarm" class="disarm">${csrfField(ctx.csrf)}<button type="submit" class="disarm-button">Disarm</button></form>` : ''}
</section>` : '';
  const timeline = v.timeline.map((e) => html`<tr data-event-id="${e.id}"><td>${time(e.at)}</td><td>${e.kind}</td><td>${e.remote ?? ''}</td><td><code>${e.detail === null || e.detail === undefined ? '' : terminalText(JSON.stringify(e.detail))}</code></td></tr>`);
  return layout(label, html`<dl class="host" data-mac="${h.mac}">
<dt>MAC</dt><dd class="mac">${h.mac}</dd><dt>Name</dt><dd class="name">${h.name ?? ''}</dd><dt>Group</dt><dd>${h.group ?? ''}</dd><dt>Profile</dt><dd>${h.profile ?? ''}</dd>
<dt>State</dt><dd class="state">${h.state}</dd><dt>Progress</dt><dd>${progress(h, installed)}</dd>
${h.failureReason ? html`<dt>Failure</dt><dd class="failure">${terminalText(h.failureReason)}</dd>` : ''}
<dt>Armed</dt><dd class="armed"><span class="armed-value">${armedText(v.armed)}</span>${v.armedBy ? html` — by <span class="armed-by">${v.armedBy.actor}</span> at ${time(v.armedBy.at)} from ${v.armedBy.remote ?? ''}` : ''}</dd>
</dl>
${actions}
<section><h2>Timeline</h2><table class="timeline"><thead><tr><th>When</th><th>Event</th><th>From</th><th>Detail</th></tr></thead><tbody>${timeline}</tbody></table></section>
<section><h2>Logs</h2>${v.logs.length === 0 ? html`<p>None uploaded.</p>` : v.logs.map((l) => html`<h3>${l.kind} (${time(l.updatedAt)})</h3><pre class="log">${terminalText(l.content)}</pre>`)}</section>
<section><h2>Inventory</h2>${v.inventory === undefined ? html`<p>None reported.</p>` : html`<pre class="inventory">${terminalText(v.inventory)}</pre>`}</section>
<section><h2>Kickstart it will get</h2>${v.kickstart === undefined ? html`<p>None (not armed and no profile).</p>` : html`<pre class="kickstart">${v.kickstart}</pre>`}</section>`, ctx, `host:${h.mac}`);
}

export function profilesPage(ctx: PageContext, build: ConsoleBuild | undefined, profiles: readonly { profile: ConsoleProfile; text: string | undefined }[], readOnly: boolean): Html {
  return layout('Profiles', html`<section><h2>Published build</h2>${build === undefined ? html`<p>Nothing published.</p>` : html`<dl>
<dt>Version</dt><dd>${build.version}</dd><dt>Kernel</dt><dd>${build.kernel}</dd><dt>Initrd</dt><dd>${build.initrd}</dd><dt>Dialect</dt><dd>${build.dialect ?? ''}</dd><dt>Armed hosts</dt><dd>${build.armed}</dd></dl>
${ctx.user.role === 'admin' && !readOnly ? html`<form method="post" action="/ui/rollback" class="rollback" data-confirm="rollback">${csrfField(ctx.csrf)}<label>Type <code>rollback</code> to switch back to the previous version <input name="confirm" class="confirm" autocomplete="off" required></label> <button type="submit">Roll back</button></form>` : ''}`}</section>
<section><h2>Kickstart templates</h2>${profiles.length === 0 ? html`<p>None configured (remaster serve --profile NAME=FILE).</p>` : profiles.map((p) => html`<h3>${p.profile.name}</h3><p><code>${p.profile.file}</code></p><pre class="kickstart">${p.text ?? '(unreadable)'}</pre>`)}</section>`, ctx);
}

export function auditPage(ctx: PageContext, entries: readonly AuditEntry[]): Html {
  return layout('Audit log', html`<table class="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Target</th><th>From</th><th>Detail</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${time(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.target ?? ''}</td><td>${e.remote ?? ''}</td><td><code>${e.detail === null || e.detail === undefined ? '' : JSON.stringify(e.detail)}</code></td></tr>`)}</tbody></table>`, ctx);
}

export function usersPage(ctx: PageContext, users: readonly User[]): Html {
  return layout('Users', html`<table class="users"><thead><tr><th>Name</th><th>Role</th><th>Groups</th><th>Created</th><th></th></tr></thead><tbody>
${users.map((u) => html`<tr><td>${u.name}</td><td>${u.role}</td><td>${u.groups.join(', ') || '(all)'}</td><td>${time(u.createdAt)}</td>
<td>${u.name === ctx.user.name ? '' : html`<form method="post" action="/ui/users/${encodeURIComponent(u.name)}/delete" class="inline" data-confirm="${u.name}">${csrfField(ctx.csrf)}<input name="confirm" class="confirm" placeholder="type ${u.name}" autocomplete="off" required> <button type="submit">Delete</button></form>`}</td></tr>`)}</tbody></table>
<h2>Add a user</h2><form method="post" action="/ui/users" class="add-user">${csrfField(ctx.csrf)}
<label>Name <input name="name" required></label> <label>Role <select name="role"><option>viewer</option><option>operator</option><option>admin</option></select></label>
<label>Groups <input name="groups" placeholder="comma-separated; empty = all"></label> <label>Password <input name="password" type="password" autocomplete="new-password" required></label>
<button type="submit">Add</button></form>`, ctx);
}
