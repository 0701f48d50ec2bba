/**
 * @module dashboard/page
 * The dashboard's files: the page at `/` and its script, render module and styles, hand-written
 * (no build step, no CDN: it works offline), read once at start. The page holds no data; its script
 * asks the API with the key the user pastes.
 */
import { readFileSync } from 'node:fs';

const read = (name: string) => readFileSync(new URL(`./client/${name}`, import.meta.url), 'utf8');

/** Served under `/dashboard/<name>`. */
export const DASHBOARD_ASSETS: Readonly<Record<string, { body: string; contentType: string }>> = {
  'app.js': { body: read('app.js'), contentType: 'text/javascript; charset=utf-8' },
  'render.js': { body: read('render.js'), contentType: 'text/javascript; charset=utf-8' },
  'style.css': { body: read('style.css'), contentType: 'text/css; charset=utf-8' },
};

/**
 * Scripts and styles from this origin only: no inline script, no inline style, no other origin. With
 * every data value escaped, this is the second line against injected markup.
 */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers of every dashboard file. */
export const DASHBOARD_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/style.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<header>
  <h1>Tributary <span>dashboard</span></h1>
  <form id="connect-form" autocomplete="off">
    <label for="token">API key or admin token</label>
    <input id="token" name="token" type="password" placeholder="trb_…" autocomplete="off" spellcheck="false">
    <button type="submit" id="connect">Open</button>
  </form>
  <div id="session" hidden>
    <span class="muted" id="principal"></span>
    <label>Workspace <select id="workspace"></select></label>
    <label>Period <select id="range">
      <option value="24h">last 24 hours</option>
      <option value="7d">last 7 days</option>
      <option value="14d" selected>last 14 days</option>
      <option value="30d">last 30 days</option>
      <option value="12w">last 12 weeks</option>
    </select></label>
    <label><input type="checkbox" id="auto" checked> auto-refresh</label>
    <button type="button" class="secondary" id="refresh">Refresh</button>
    <button type="button" class="secondary" id="forget">Forget key</button>
    <a href="/docs">API docs</a>
  </div>
</header>
<div class="status" id="status" role="status"></div>
<main>
  <div id="content" hidden>
    <div class="cards" id="summary"></div>
    <div class="grid">
      <section class="panel"><h2>Volume</h2><div id="volume" class="chart-box"></div></section>
      <section class="panel"><h2>Sentiment</h2><div id="sentiment" class="chart-box"></div></section>
    </div>
    <div class="grid">
      <section class="panel"><h2>Top topics</h2><div id="topics"></div></section>
      <section class="panel"><h2>Alerts</h2><div id="alerts"></div></section>
    </div>
    <section class="panel"><h2>Sources</h2><div id="sources"></div></section>
    <div class="grid split">
      <section class="panel"><h2>Pipeline</h2><div id="stages"></div></section>
      <section class="panel"><h2>Dead letters</h2><div id="dead-letters"></div></section>
    </div>
  </div>
  <noscript><p class="intro">The dashboard needs JavaScript.</p></noscript>
</main>
<footer>The key stays in this tab (session storage) and is sent only to this server. <a href="/docs">API</a> · <a href="/metrics">metrics</a></footer>
</body>
</html>
`;
