/* global document, window, sessionStorage, fetch */
// The home page: DAGs with their latest runs, and import errors. Talks only to the REST API.

const TOKEN_KEY = 'sluice.apiToken';
const REFRESH_MS = 5000;

const $ = (id) => document.getElementById(id);

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1${path}`, { ...options, headers });
  if (res.status === 401) throw new Unauthorized();
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}

/** Builds an element; children are strings (as text, never HTML) or nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

function dagRow(dag) {
  const run = dag.latestDagRun;
  return el(
    'tr',
    {},
    el('td', {}, el('strong', { class: 'mono' }, dag.dagId), dag.description ? el('div', { class: 'muted small' }, dag.description) : null),
    el(
      'td',
      {},
      dag.schedule ? el('code', {}, dag.schedule) : el('span', { class: 'muted' }, 'manual only'),
      dag.scheduleDescription ? el('div', { class: 'muted small' }, dag.scheduleDescription) : null,
    ),
    el(
      'td',
      {},
      run
        ? [el('span', { class: `badge state-${run.state}` }, run.state), ' ', el('span', { class: 'small' }, when(run.logicalDate)), el('div', { class: 'muted small' }, run.runType)]
        : el('span', { class: 'muted' }, 'no runs yet'),
    ),
    el('td', { class: 'small' }, dag.nextDagRunDataIntervalStart ? `${when(dag.nextDagRunDataIntervalStart)} → ${when(dag.nextDagRunDataIntervalEnd)}` : '—'),
    el('td', {}, (dag.tags ?? []).map((t) => el('span', { class: 'tag' }, t))),
    el(
      'td',
      {},
      el(
        'button',
        {
          type: 'button',
          title: dag.isPaused ? 'Unpause: scheduled runs resume' : 'Pause: no new scheduled runs',
          onclick: () => togglePause(dag),
        },
        dag.isPaused ? 'Paused' : 'Active',
      ),
    ),
  );
}

function importErrorBlock(e) {
  return el('div', { class: 'import-error' }, el('strong', { class: 'mono' }, e.filename), el('pre', {}, e.message));
}

function showMessage(text) {
  const node = $('message');
  node.textContent = text ?? '';
  node.hidden = !text;
}

function askForToken(error) {
  $('dags-section').hidden = true;
  $('errors-section').hidden = true;
  $('token-form').hidden = false;
  $('token-error').textContent = error ?? '';
  $('token-input').focus();
}

async function togglePause(dag) {
  try {
    await api(`/dags/${encodeURIComponent(dag.dagId)}`, { method: 'PATCH', body: JSON.stringify({ isPaused: !dag.isPaused }) });
    await load();
  } catch (error) {
    handle(error);
  }
}

function handle(error) {
  if (error instanceof Unauthorized) {
    const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(hadToken ? 'That token was not accepted.' : '');
  } else {
    showMessage(`Could not reach the API: ${error.message}`);
  }
}

async function load() {
  try {
    const [dags, errors] = await Promise.all([api('/dags?limit=1000'), api('/importErrors?limit=1000')]);
    showMessage(null);
    $('token-form').hidden = true;
    $('forget-token').hidden = sessionStorage.getItem(TOKEN_KEY) === null;

    $('dags').replaceChildren(...dags.dags.map(dagRow));
    $('dag-count').textContent = `(${dags.totalEntries})`;
    $('no-dags').hidden = dags.dags.length > 0;
    $('dags-section').hidden = false;

    $('import-errors').replaceChildren(...errors.importErrors.map(importErrorBlock));
    $('error-count').textContent = `(${errors.totalEntries})`;
    $('errors-section').hidden = errors.totalEntries === 0;

    const health = await api('/health');
    const badge = $('health');
    badge.textContent = health.status;
    badge.className = `badge ${health.status}`;
    badge.title = `metadatabase: ${health.metadatabase.status}, redis: ${health.redis.status}, scheduler: ${health.scheduler.status ?? '?'} (latest heartbeat ${when(health.scheduler.latestHeartbeat)})`;
  } catch (error) {
    handle(error);
  }
}

function start() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    load();
  });
  $('refresh').addEventListener('click', () => load());
  $('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('forget-token').hidden = true;
    askForToken('');
  });
  load();
  window.setInterval(() => {
    if ($('token-form').hidden && !document.hidden) load();
  }, REFRESH_MS);
}

start();
