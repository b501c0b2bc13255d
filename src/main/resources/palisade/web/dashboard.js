// Palisade's dashboard: reads the daemon's API with a bearer token kept in this tab's sessionStorage (never in a
// URL), polls the state every 2 s, follows the event stream, draws the fence timeline. No data is ever inserted as
// HTML: every text goes through textContent.
'use strict';
const KEY = 'palisade.token';
const $ = (id) => document.getElementById(id);
let streamAbort = null;
let poller = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function say(text, error) {
  $('message').textContent = text;
  $('message').className = error ? 'error' : '';
}

async function api(path, method, body) {
  const opts = { method: method || 'GET', headers: { Authorization: 'Bearer ' + sessionStorage.getItem(KEY) } };
  if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({}));
  if (r.status === 401) { signOut('the token was refused: ' + (data.detail || r.status)); throw new Error('401'); }
  if (!r.ok) throw new Error((data.title || r.status) + ': ' + (data.detail || ''));
  return data;
}

async function act(path, body, what) {
  try {
    const d = await api(path, 'POST', body);
    say(d.message || what + ': done');
    refresh();
  } catch (e) {
    say(what + ' refused: ' + e.message, true);
  }
}

function stateCell(s) {
  return el('td', { class: 'state state-' + String(s).replace(/[^a-z_-]/g, '') }, s);
}

function seconds(ms) { return (ms / 1000).toFixed(1) + ' s'; }

// A page shows at most this many resources (a cluster may hold 50,000); the filter narrows them by id.
const PAGE = 200;

// Each node's resources by id when every resource is on the page, else how many it holds (by_node counts all).
function renderNodes(nodes, r) {
  const tbody = $('nodes').tBodies[0];
  tbody.replaceChildren();
  const whole = r.resources.length === r.total && !$('resource-filter').value.trim();
  for (const n of nodes) {
    const here = whole ? r.resources.filter((x) => x.node === n.name).map((x) => x.id).join(', ')
      : (r.by_node[n.name] ? r.by_node[n.name] + ' resources' : '');
    const maint = n.state === 'maintenance';
    const actions = el('td', {},
      el('button', { class: 'maint-btn', 'data-node': n.name, onclick: () => act('/api/nodes/' + encodeURIComponent(
        n.name) + '/maintenance', { maintenance: maint ? 'off' : 'on' }, 'maintenance') },
        maint ? 'End maintenance' : 'Maintenance'),
      ['unknown', 'fencing'].includes(n.state) ? el('button', { class: 'confirm-btn', 'data-node': n.name,
        onclick: () => askConfirm(n.name) }, 'Confirm off…') : null);
    tbody.append(el('tr', { class: 'node', 'data-node': n.name }, el('td', {}, n.name), stateCell(n.state),
      el('td', { class: 'lease' }, n.lease_age_seconds == null ? '-' : n.lease_age_seconds.toFixed(1) + ' s'),
      el('td', {}, n.generation), el('td', {}, here || '-'), actions));
  }
}

function renderResources(resources, total, nodes) {
  const tbody = $('resources').tBodies[0];
  tbody.replaceChildren();
  $('resources-shown').textContent = resources.length < total ? 'showing ' + resources.length + ' of ' + total
    + ': filter to narrow' : '';
  for (const r of resources) {
    const pick = el('select', { class: 'move-to' }, ...nodes.filter((n) => n.name !== r.node)
      .map((n) => el('option', { value: n.name }, n.name)));
    const move = (verb) => act('/api/resources/' + encodeURIComponent(r.id) + '/' + verb, { node: pick.value }, verb);
    tbody.append(el('tr', { class: 'resource', 'data-resource': r.id }, el('td', {}, r.id), stateCell(r.state),
      el('td', {}, (r.node || '-') + (r.target ? ' → ' + r.target : '')), el('td', {}, r.token),
      el('td', {}, pick, el('button', { onclick: () => move('migrate') }, 'Migrate'),
        el('button', { onclick: () => move('relocate') }, 'Relocate'))));
  }
}

function renderTimeline(failovers) {
  const box = $('timeline');
  if (!failovers.length) { box.replaceChildren(el('p', { class: 'empty' }, 'No node failure recorded.')); return; }
  box.replaceChildren();
  for (const f of failovers) {
    const span = Math.max(1, ...f.steps.map((s) => s.offset_ms));
    const at = (ms) => (100 * ms / span).toFixed(2) + '%';
    const bar = el('div', { class: 'bar' });
    // the phases between the first renewal, silence, decision and confirmation and the last resource running
    const first = (kind) => f.steps.find((s) => s.kind === kind);
    const running = f.steps.filter((s) => s.kind === 'running').pop();
    const marks = [first('renewal'), first('silent'), first('decision'), first('confirmed') || first('fenced'), running];
    const names = ['lease running out', 'deciding', 'fencing', 'recovering'];
    for (let i = 0; i < names.length; i++) {
      const from = marks[i];
      const to = marks.slice(i + 1).find((m) => m);
      if (!from || !to || to.offset_ms <= from.offset_ms) continue;
      const seg = el('div', { class: 'seg seg-' + i, title: names[i] + ': ' + seconds(to.offset_ms - from.offset_ms) },
        el('span', {}, names[i] + ' ' + seconds(to.offset_ms - from.offset_ms)));
      seg.style.left = at(from.offset_ms); // CSSOM, which the page's style-src policy allows (a style attribute not)
      seg.style.width = at(to.offset_ms - from.offset_ms);
      bar.append(seg);
    }
    for (const s of f.steps) {
      const m = el('div', { class: 'mark k-' + s.kind, title: '+' + seconds(s.offset_ms) + ' ' + s.what });
      m.style.left = at(s.offset_ms);
      bar.append(m);
    }
    const rows = [];
    let prev = null;
    for (const s of f.steps) {
      rows.push(el('tr', { class: 'step', 'data-kind': s.kind }, el('td', { class: 'offset' }, '+' + seconds(s.offset_ms)),
        el('td', { class: 'gap' }, prev === null ? '' : '(+' + seconds(s.offset_ms - prev) + ')'),
        el('td', {}, new Date(s.t).toLocaleTimeString()),
        el('td', { class: 'what' }, s.what + (s.duration_ms != null ? ' — took ' + seconds(s.duration_ms) : ''))));
      prev = s.offset_ms;
    }
    const total = f.total_seconds == null ? (f.outcome === 'open' ? 'in progress' : f.outcome)
      : 'recovered in ' + f.total_seconds.toFixed(1) + ' s';
    box.append(el('div', { class: 'failover', 'data-node': f.node, 'data-outcome': f.outcome },
      el('h3', {}, f.node + ' failed at ' + new Date(f.silent_ms).toLocaleTimeString() + ': ',
        el('span', { class: 'total' }, total)),
      f.waiting.length ? el('p', {}, 'waiting to run elsewhere: ' + f.waiting.join(', ')) : null,
      bar, el('table', { class: 'steps' }, el('tbody', {}, ...rows))));
  }
}

let refreshes = 0; // a poll and a keystroke may overlap: only the newest answer is drawn

async function refresh() {
  const mine = ++refreshes;
  try {
    const q = $('resource-filter').value.trim();
    const [c, n, r, f] = await Promise.all([api('/api/cluster'), api('/api/nodes'),
      api('/api/resources?limit=' + PAGE + (q ? '&q=' + encodeURIComponent(q) : '')), api('/api/failovers')]);
    if (mine !== refreshes) return;
    $('cluster').textContent = 'cluster ' + c.cluster + ' · answered by ' + c.answered_by + ' · manager epoch '
      + c.manager_epoch;
    $('spm').textContent = 'SPM: ' + (c.spm ? c.spm.node + ' (token ' + c.spm.token + ')' : 'none');
    renderNodes(n.nodes, r);
    renderResources(r.resources, r.total, n.nodes);
    renderTimeline(f.failovers);
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (e.message !== '401') say('this node cannot answer now (' + e.message + '); try another node', true);
  }
}

function askConfirm(node) {
  $('confirm-node').textContent = node;
  $('checked-off').checked = false;
  $('confirm-ok').disabled = true;
  $('confirm-dialog').dataset.node = node;
  $('confirm-dialog').showModal();
}

function addEvent(e) {
  const list = $('events');
  list.prepend(el('li', { 'data-id': e.id }, new Date(e.t).toLocaleTimeString() + ' ' + e.node + ' ' + e.source
    + ': ' + e.message));
  while (list.children.length > 200) list.lastChild.remove();
}

// Server-Sent Events read with fetch (EventSource cannot send the Authorization header).
async function follow() {
  let lastId = null;
  for (;;) {
    streamAbort = new AbortController();
    try {
      const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(KEY), Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const r = await fetch('/api/events/stream', { headers, signal: streamAbort.signal });
      if (r.status === 401) return;
      $('stream-state').textContent = 'live';
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          const id = block.split('\n').find((l) => l.startsWith('id:'));
          if (id) lastId = id.slice(3).trim();
          if (data) addEvent(JSON.parse(data));
        }
      }
    } catch (e) {
      if (!sessionStorage.getItem(KEY)) return;
    }
    $('stream-state').textContent = 'reconnecting';
    await new Promise((ok) => setTimeout(ok, 2000));
    if (!sessionStorage.getItem(KEY)) return;
  }
}

function signIn() {
  $('login').hidden = true;
  $('board').hidden = false;
  $('logout').hidden = false;
  refresh();
  poller = setInterval(refresh, 2000);
  follow();
}

function signOut(why) {
  sessionStorage.removeItem(KEY);
  if (poller) clearInterval(poller);
  if (streamAbort) streamAbort.abort();
  $('board').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('cluster').textContent = 'not signed in';
  say(why || '', Boolean(why));
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (!t) return;
    sessionStorage.setItem(KEY, t);
    $('token').value = '';
    say('');
    signIn();
  });
  $('logout').addEventListener('click', () => signOut());
  $('resource-filter').addEventListener('input', () => refresh()); // the next poll would too, 2 s later
  $('checked-off').addEventListener('change', () => { $('confirm-ok').disabled = !$('checked-off').checked; });
  $('confirm-dialog').addEventListener('close', () => {
    const d = $('confirm-dialog');
    if (d.returnValue === 'ok' && $('checked-off').checked) {
      act('/api/nodes/' + encodeURIComponent(d.dataset.node) + '/fence-confirm', { checked_off: true }, 'fence confirm');
    }
  });
  if (sessionStorage.getItem(KEY)) signIn(); else $('login').hidden = false;
});
