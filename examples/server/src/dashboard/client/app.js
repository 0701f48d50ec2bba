// @ts-check
/**
 * The dashboard's behaviour: the key (kept in this tab's session storage only), the workspace and
 * period pickers, loading the API's answers, and the replay and sync buttons. Rendering is in
 * `render.js`; everything shown from data goes through its escaping.
 */
import * as R from './render.js';

const TOKEN_KEY = 'tributary.dashboard.token';
const WORKSPACE_KEY = 'tributary.dashboard.workspace';
const RANGE_KEY = 'tributary.dashboard.range';
const REFRESH_MS = 5000;

/** Periods: how far back, and the bucket of the charts. */
const RANGES = {
  '24h': { ms: 86_400_000, bucket: 'hour' },
  '7d': { ms: 7 * 86_400_000, bucket: 'day' },
  '14d': { ms: 14 * 86_400_000, bucket: 'day' },
  '30d': { ms: 30 * 86_400_000, bucket: 'day' },
  '12w': { ms: 84 * 86_400_000, bucket: 'week' },
};

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const state = { token: '', workspaceId: '', range: '14d', timer: /** @type {number | undefined} */ (undefined), loading: false };

/** Moves a key given in the URL fragment (`#key=…`, as the demo prints it) into session storage. */
function takeKeyFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const key = params.get('key');
  if (key) {
    sessionStorage.setItem(TOKEN_KEY, key);
    history.replaceState(null, '', location.pathname + location.search);
  }
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { authorization: `Bearer ${state.token}`, accept: 'application/json', ...(init.headers || {}) } });
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function setStatus(message, isError = false) {
  const el = $('status');
  el.textContent = message;
  el.className = isError ? 'status error' : 'status';
}

function showConnected(connected) {
  $('connect-form').hidden = connected;
  $('session').hidden = !connected;
  $('content').hidden = !connected;
}

async function connect() {
  state.token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  if (!state.token) {
    showConnected(false);
    return;
  }
  setStatus('Connecting…');
  try {
    const me = await api('/v1/me');
    const workspaces = Array.isArray(me?.workspaces) ? me.workspaces : [];
    if (workspaces.length === 0) {
      showConnected(false);
      setStatus(me?.principal === 'admin' ? 'No workspace yet: create one with POST /v1/workspaces.' : 'This key opens no workspace.', true);
      return;
    }
    const stored = sessionStorage.getItem(WORKSPACE_KEY);
    state.workspaceId = workspaces.some((w) => w.id === stored) ? /** @type {string} */ (stored) : workspaces[0].id;
    $('workspace').innerHTML = R.renderWorkspaceOptions(workspaces, state.workspaceId);
    $('principal').textContent = me.principal === 'admin' ? 'admin token' : 'workspace key';
    showConnected(true);
    await refresh();
  } catch (error) {
    showConnected(false);
    if (error instanceof ApiError && error.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    setStatus(`Could not connect: ${error instanceof Error ? error.message : String(error)}`, true);
  }
}

/** Loads one section; a failure shows in the section, not across the page. */
async function section(id, load, render) {
  try {
    const html = render(await load());
    $(id).innerHTML = html;
    return true;
  } catch (error) {
    $(id).innerHTML = `<p class="error">${R.esc(error instanceof Error ? error.message : String(error))}</p>`;
    return false;
  }
}

async function refresh() {
  if (state.loading || !state.workspaceId) return;
  state.loading = true;
  const ws = encodeURIComponent(state.workspaceId);
  const range = RANGES[state.range] ?? RANGES['14d'];
  const now = Date.now();
  const to = new Date(now).toISOString();
  // Periods start on a bucket boundary, so the first bucket is whole.
  const from = new Date(R.bucketStart(now - range.ms + (range.bucket === 'hour' ? 3_600_000 : 86_400_000), range.bucket)).toISOString();
  const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=${range.bucket}`;
  try {
    const [insights, health] = await Promise.all([api(`/v1/workspaces/${ws}/insights?${q}`), api(`/v1/workspaces/${ws}/health`)]);
    $('summary').innerHTML = R.renderSummary(insights, health);
    $('volume').innerHTML = R.volumeChart(insights);
    $('sentiment').innerHTML = R.sentimentChart(insights);
    $('sources').innerHTML = R.renderSources(health, now);
    $('stages').innerHTML = R.renderStages(health);
    $('topics').innerHTML = R.renderTopics(insights?.report);
    const stages = (Array.isArray(health?.stages) ? health.stages : []).filter((s) => s.deadLetters > 0).map((s) => s.stage);
    await Promise.all([
      section('alerts', () => api(`/v1/workspaces/${ws}/alerts?${q}`), (answer) => R.renderAlerts(answer?.items, now)),
      section(
        'dead-letters',
        async () => (await Promise.all((stages.length ? stages : ['deliver']).map((stage) => api(`/v1/workspaces/${ws}/dead-letters?stage=${stage}&limit=50`)))).flatMap((a) => a?.items ?? []),
        (items) => R.renderDeadLetters(items, now),
      ),
    ]);
    setStatus(`Updated ${new Date().toLocaleTimeString()}`);
    document.body.dataset.state = 'ready';
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showConnected(false);
    }
    setStatus(`Could not load: ${error instanceof Error ? error.message : String(error)}`, true);
  } finally {
    state.loading = false;
  }
}

function schedule() {
  if (state.timer !== undefined) clearInterval(state.timer);
  state.timer = undefined;
  if (/** @type {HTMLInputElement} */ ($('auto')).checked) state.timer = window.setInterval(() => void refresh(), REFRESH_MS);
}

async function act(button) {
  const ws = encodeURIComponent(state.workspaceId);
  const id = encodeURIComponent(button.dataset.id ?? '');
  button.disabled = true;
  try {
    if (button.dataset.action === 'replay') {
      await api(`/v1/workspaces/${ws}/dead-letters/${id}/replay?stage=${encodeURIComponent(button.dataset.stage ?? 'deliver')}`, { method: 'POST' });
      setStatus('Replayed: the message is queued again.');
    } else if (button.dataset.action === 'sync') {
      await api(`/v1/workspaces/${ws}/sources/${id}/sync`, { method: 'POST' });
      setStatus('Pull queued.');
    }
  } catch (error) {
    setStatus(`Failed: ${error instanceof Error ? error.message : String(error)}`, true);
  } finally {
    button.disabled = false;
  }
  await refresh();
}

function init() {
  takeKeyFromFragment();
  state.range = sessionStorage.getItem(RANGE_KEY) ?? '14d';
  /** @type {HTMLSelectElement} */ ($('range')).value = state.range in RANGES ? state.range : '14d';

  $('connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ ($('token'));
    const value = input.value.trim();
    input.value = '';
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    void connect();
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(WORKSPACE_KEY);
    state.token = '';
    state.workspaceId = '';
    document.body.dataset.state = '';
    showConnected(false);
    setStatus('Key forgotten.');
  });
  $('workspace').addEventListener('change', (event) => {
    state.workspaceId = /** @type {HTMLSelectElement} */ (event.target).value;
    sessionStorage.setItem(WORKSPACE_KEY, state.workspaceId);
    void refresh();
  });
  $('range').addEventListener('change', (event) => {
    state.range = /** @type {HTMLSelectElement} */ (event.target).value;
    sessionStorage.setItem(RANGE_KEY, state.range);
    void refresh();
  });
  $('auto').addEventListener('change', schedule);
  $('refresh').addEventListener('click', () => void refresh());
  $('content').addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button[data-action]');
    if (button) void act(button);
  });
  schedule();
  void connect();
}

init();
