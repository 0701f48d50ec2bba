// @ts-check
/**
 * The dashboard's rendering: pure functions from API answers to HTML and SVG strings, no DOM and no
 * I/O, so they run in the browser and in unit tests alike. Every value that comes from data (topic
 * names, texts, source names, error messages, ids) goes through `esc`, in text and in attributes:
 * topic names and texts are written by whoever posts feedback.
 */

const ENTITIES = /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' });

/** Escapes a value for HTML and SVG text and quoted attributes. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

/** A finite number or the fallback: numbers from answers are not trusted to be numbers either. */
const num = (value, fallback = 0) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/** `1234` → `1,234`; `1234567` → `1.2M`. */
export function fmtNumber(n) {
  const v = num(n);
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return Math.round(v).toLocaleString('en-US');
}

/** A share in [0, 1] as `42%`; `–` when unknown. */
export function fmtPercent(x) {
  return typeof x === 'number' && Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–';
}

/** A sentiment score in [-1, 1] as `+0.42`; `–` when unknown. */
export function fmtSentiment(s) {
  return typeof s === 'number' && Number.isFinite(s) ? `${s > 0 ? '+' : ''}${s.toFixed(2)}` : '–';
}

/** A duration: `850 ms`, `12 s`, `4 min`, `3 h`, `2 d`. */
export function fmtDuration(ms) {
  const v = num(ms, NaN);
  if (!Number.isFinite(v)) return '–';
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${Math.round(v / 1000)} s`;
  if (v < 3_600_000) return `${Math.round(v / 60_000)} min`;
  if (v < 86_400_000) return `${Math.round(v / 3_600_000)} h`;
  return `${Math.round(v / 86_400_000)} d`;
}

/** `12 s ago`, or `–`. */
export function fmtAgo(iso, now) {
  const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? `${fmtDuration(Math.max(0, num(now, Date.now()) - t))} ago` : '–';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The label of a bucket (UTC): `14:00` for hours, `Mar 3` for days and weeks, `Mar 2026` for months. */
export function bucketLabel(iso, bucket) {
  const d = new Date(typeof iso === 'string' ? iso : NaN);
  if (Number.isNaN(d.getTime())) return '';
  if (bucket === 'hour') return `${String(d.getUTCHours()).padStart(2, '0')}:00`;
  if (bucket === 'month') return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The start (UTC) of the bucket holding `ms`; weeks start on Monday, as the server's buckets do. */
export function bucketStart(ms, bucket) {
  if (bucket === 'hour') return Math.floor(ms / HOUR) * HOUR;
  const day = Math.floor(ms / DAY) * DAY;
  if (bucket === 'day') return day;
  if (bucket === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextBucket(ms, bucket) {
  if (bucket === 'hour') return ms + HOUR;
  if (bucket === 'day') return ms + DAY;
  if (bucket === 'week') return ms + 7 * DAY;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * The insights' series with every bucket of [from, to) present: the API lists only buckets that have
 * records, a chart needs the empty ones too.
 * @returns {{ bucket: string, count: number, average: number | null, positive: number, negative: number, neutral: number }[]}
 */
export function fillBuckets(insights) {
  const from = Date.parse(insights?.from);
  const to = Date.parse(insights?.to);
  const bucket = insights?.bucket;
  const rows = Array.isArray(insights?.sentiment) ? insights.sentiment : [];
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return [];
  const byStart = new Map();
  for (const r of rows) {
    const t = Date.parse(r?.bucket);
    if (Number.isFinite(t)) byStart.set(bucketStart(t, bucket), r);
  }
  const out = [];
  for (let t = bucketStart(from, bucket); t < to && out.length < 2000; t = nextBucket(t, bucket)) {
    const r = byStart.get(t);
    out.push({
      bucket: new Date(t).toISOString(),
      count: num(r?.count),
      average: typeof r?.average === 'number' && Number.isFinite(r.average) ? r.average : null,
      positive: num(r?.positive),
      negative: num(r?.negative),
      neutral: num(r?.neutral),
    });
  }
  return out;
}

/** Round tick values from at or below `min` to at or above `max` (the chart's scale is the ticks' span). */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks = [];
  for (let i = first; i <= last; i++) ticks.push(Math.round(i * step * 1e6) / 1e6);
  return ticks;
}

const W = 720;
const H = 260;
const M = { top: 30, right: 16, bottom: 40, left: 64 };
const fmt = (n) => String(Math.round(n * 100) / 100);

/** Which x labels to show: at most about ten. */
const labelEvery = (n) => Math.max(1, Math.ceil(n / 10));

function frame(title, body) {
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${body}</svg>`;
}

function emptyChart(title, message) {
  return frame(title, `<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#6b7785" font-size="14">${esc(message)}</text>`);
}

function yAxis(ticks, y, label, format) {
  const lines = ticks
    .map((t) => `<g class="tick"><line x1="${M.left}" x2="${W - M.right}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#e3e8ee" stroke-width="1"/><text x="${M.left - 8}" y="${fmt(y(t) + 4)}" text-anchor="end" fill="#5b6670" font-size="11">${esc(format(t))}</text></g>`)
    .join('');
  const title = `<text class="axis-title" transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#5b6670" font-size="11">${esc(label)}</text>`;
  return `<g class="y-axis">${lines}${title}</g>`;
}

function xAxis(labels, x, axisTitle) {
  const every = labelEvery(labels.length);
  const base = H - M.bottom;
  const ticks = labels
    .map((l, i) => (i % every === 0 ? `<text x="${fmt(x(i))}" y="${base + 16}" text-anchor="middle" fill="#5b6670" font-size="11">${esc(l)}</text>` : ''))
    .join('');
  return `<g class="x-axis"><line x1="${M.left}" x2="${W - M.right}" y1="${base}" y2="${base}" stroke="#9aa5b1" stroke-width="1"/>${ticks}<text class="axis-title" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" fill="#5b6670" font-size="11">${esc(axisTitle)}</text></g>`;
}

/**
 * Stacked bars, one per point.
 * @param {{ title: string, yLabel: string, xLabel: string, labels: string[], series: { key: string, label: string, color: string }[], values: Record<string, number>[] }} spec
 */
export function barChart(spec) {
  const n = spec.labels.length;
  const totals = spec.values.map((v) => spec.series.reduce((s, ser) => s + num(v?.[ser.key]), 0));
  if (n === 0 || totals.every((t) => t === 0)) return emptyChart(spec.title, 'No records in this period yet');
  const ticks = niceTicks(0, Math.max(...totals), 4);
  const top = Math.max(ticks[ticks.length - 1] ?? 1, 1);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / n;
  const barW = Math.max(1, slot * 0.7);
  const x = (i) => M.left + slot * i + slot / 2;
  const y = (v) => M.top + plotH - (v / top) * plotH;
  let bars = '';
  spec.values.forEach((v, i) => {
    let acc = 0;
    for (const ser of spec.series) {
      const value = num(v?.[ser.key]);
      if (value <= 0) continue;
      const y0 = y(acc);
      const y1 = y(acc + value);
      acc += value;
      bars += `<rect class="bar" data-series="${esc(ser.key)}" data-value="${esc(value)}" x="${fmt(x(i) - barW / 2)}" y="${fmt(y1)}" width="${fmt(barW)}" height="${fmt(Math.max(0.5, y0 - y1))}" fill="${esc(ser.color)}"><title>${esc(`${spec.labels[i]}: ${value} ${ser.label}`)}</title></rect>`;
    }
  });
  const legend = spec.series
    .map((s, i) => `<g transform="translate(${M.left + i * 110} 6)"><rect width="10" height="10" fill="${esc(s.color)}"/><text x="14" y="9" fill="#3b4650" font-size="11">${esc(s.label)}</text></g>`)
    .join('');
  return frame(spec.title, `${yAxis(ticks, y, spec.yLabel, (t) => fmtNumber(t))}${xAxis(spec.labels, x, spec.xLabel)}<g class="bars">${bars}</g><g class="legend">${legend}</g>`);
}

/**
 * A line with its points; null values leave a gap.
 * @param {{ title: string, yLabel: string, xLabel: string, labels: string[], values: (number | null)[], min: number, max: number, color: string, zero?: boolean, format?: (v: number) => string }} spec
 */
export function lineChart(spec) {
  const n = spec.labels.length;
  const format = spec.format ?? ((v) => String(v));
  if (n === 0 || spec.values.every((v) => v === null || v === undefined)) return emptyChart(spec.title, 'No scored records in this period yet');
  const ticks = niceTicks(spec.min, spec.max, 4);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / n;
  const x = (i) => M.left + slot * i + slot / 2;
  const y = (v) => M.top + plotH - ((Math.min(spec.max, Math.max(spec.min, v)) - spec.min) / (spec.max - spec.min)) * plotH;
  let d = '';
  let pen = false;
  let points = '';
  spec.values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${fmt(x(i))} ${fmt(y(v))}`;
    pen = true;
    points += `<circle class="pt" data-value="${esc(v)}" cx="${fmt(x(i))}" cy="${fmt(y(v))}" r="3.5" fill="${esc(spec.color)}"><title>${esc(`${spec.labels[i]}: ${format(v)}`)}</title></circle>`;
  });
  const zero = spec.zero && spec.min < 0 && spec.max > 0 ? `<line class="zero" x1="${M.left}" x2="${W - M.right}" y1="${fmt(y(0))}" y2="${fmt(y(0))}" stroke="#9aa5b1" stroke-dasharray="4 3"/>` : '';
  return frame(spec.title, `${yAxis(ticks, y, spec.yLabel, format)}${xAxis(spec.labels, x, spec.xLabel)}${zero}<path class="line" d="${d}" fill="none" stroke="${esc(spec.color)}" stroke-width="2"/><g class="points">${points}</g>`);
}

const BUCKET_NOUN = { hour: 'hour', day: 'day', week: 'week (from Monday)', month: 'month' };

/** The volume chart: records per bucket, split by sentiment. */
export function volumeChart(insights) {
  const rows = fillBuckets(insights);
  const labels = rows.map((r) => bucketLabel(r.bucket, insights?.bucket));
  return barChart({
    title: 'Feedback volume by sentiment',
    yLabel: 'records',
    xLabel: `${BUCKET_NOUN[insights?.bucket] ?? 'bucket'} (UTC)`,
    labels,
    series: [
      { key: 'positive', label: 'positive', color: '#2f9e6e' },
      { key: 'neutral', label: 'neutral', color: '#9aa5b1' },
      { key: 'negative', label: 'negative', color: '#d9534f' },
      { key: 'unscored', label: 'not scored', color: '#c9d3dd' },
    ],
    values: rows.map((r) => ({ positive: r.positive, neutral: r.neutral, negative: r.negative, unscored: Math.max(0, r.count - r.positive - r.neutral - r.negative) })),
  });
}

/** The sentiment chart: the mean score per bucket, -1 to 1. */
export function sentimentChart(insights) {
  const rows = fillBuckets(insights);
  return lineChart({
    title: 'Average sentiment',
    yLabel: 'mean score (−1 to 1)',
    xLabel: `${BUCKET_NOUN[insights?.bucket] ?? 'bucket'} (UTC)`,
    labels: rows.map((r) => bucketLabel(r.bucket, insights?.bucket)),
    values: rows.map((r) => r.average),
    min: -1,
    max: 1,
    zero: true,
    color: '#1d5fa8',
    format: (v) => fmtSentiment(v),
  });
}

/** `1 attempt`, `2 attempts`. */
const plural = (n, noun) => `${fmtNumber(n)} ${noun}${n === 1 ? '' : 's'}`;

const sentimentClass = (s) => (typeof s !== 'number' ? 'muted' : s >= 0.05 ? 'pos' : s <= -0.05 ? 'neg' : 'neu');

/** The summary cards. */
export function renderSummary(insights, health) {
  const t = insights?.totals ?? {};
  const scored = num(t.positive) + num(t.negative) + num(t.neutral);
  const sources = Array.isArray(health?.sources) ? health.sources : [];
  const troubled = sources.filter((s) => s?.status === 'failing' || s?.status === 'stale').length;
  const card = (label, value, extra = '', cls = '') => `<div class="card ${esc(cls)}"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div><div class="card-extra">${esc(extra)}</div></div>`;
  return [
    card('Records', fmtNumber(t.count), 'in this period'),
    card('Average sentiment', fmtSentiment(t.average), `${fmtNumber(scored)} scored`, sentimentClass(t.average)),
    card('Negative', scored > 0 ? fmtPercent(num(t.negative) / scored) : '–', `${fmtNumber(t.negative)} records`, 'neg'),
    card('Sources', `${sources.length - troubled}/${sources.length}`, troubled > 0 ? `${troubled} need attention` : 'all healthy', troubled > 0 ? 'neg' : 'pos'),
    card('Dead letters', fmtNumber(health?.deadLetters), num(health?.deadLetters) > 0 ? 'waiting for a replay' : 'none', num(health?.deadLetters) > 0 ? 'neg' : ''),
  ].join('');
}

/** A horizontal bar for a share, as SVG (no inline styles: the page's CSP forbids them). */
function shareBar(share, cls) {
  const w = Math.round(Math.max(0, Math.min(1, num(share))) * 100);
  return `<svg class="share" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect width="100" height="8" fill="#eef2f6"/><rect class="${esc(cls)}" width="${w}" height="8" fill="#1d5fa8"/></svg>`;
}

/** Top topics of the insight report, with their share, sentiment, change and an example. */
export function renderTopics(report) {
  const topics = Array.isArray(report?.topTopics) ? report.topTopics : [];
  if (topics.length === 0) return '<p class="empty">No topics yet: topics come from English feedback text.</p>';
  const rows = topics
    .map((t) => {
      const change = t?.isNew ? '<span class="badge info">new</span>' : typeof t?.change?.relative === 'number' ? `<span class="${t.change.relative >= 0 ? 'up' : 'down'}">${t.change.relative >= 0 ? '▲' : '▼'} ${esc(fmtPercent(Math.abs(t.change.relative)))}</span>` : '–';
      const example = Array.isArray(t?.examples) && t.examples[0] ? t.examples[0] : null;
      const text = String(example?.text ?? '');
      const quote = example ? `<blockquote title="${esc(text)}">${esc(text.slice(0, 90))}${text.length > 90 ? '…' : ''}</blockquote>` : '';
      return `<tr><td class="topic"><span class="topic-name">${esc(t?.topic)}</span>${quote}</td><td class="num">${esc(fmtNumber(t?.count))}</td><td class="bar-cell">${shareBar(t?.share, 'share-fill')}<span class="muted">${esc(fmtPercent(t?.share))}</span></td><td class="num ${sentimentClass(t?.meanSentiment)}">${esc(fmtSentiment(t?.meanSentiment))}</td><td class="num">${change}</td></tr>`;
    })
    .join('');
  return `<table class="topics"><thead><tr><th>Topic</th><th class="num">Records</th><th>Share</th><th class="num">Sentiment</th><th class="num">vs. previous</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const STATUS_CLASS = { healthy: 'ok', running: 'info', idle: 'muted', stale: 'warn', failing: 'bad', disabled: 'muted' };

function scheduleText(schedule) {
  if (!schedule) return 'on demand';
  if (typeof schedule.everyMs === 'number') return `every ${fmtDuration(schedule.everyMs)}`;
  if (typeof schedule.cron === 'string') return `cron ${schedule.cron}`;
  return '–';
}

/** Sources with their health: status, last run, errors, lag. */
export function renderSources(health, now) {
  const sources = Array.isArray(health?.sources) ? health.sources : [];
  if (sources.length === 0) return '<p class="empty">No sources yet.</p>';
  const rows = sources
    .map((s) => {
      const run = s?.lastRun;
      const runText = run ? `<span class="badge ${run.status === 'succeeded' ? 'ok' : run.status === 'failed' ? 'bad' : 'info'}">${esc(run.status)}</span> ${esc(fmtAgo(run.finishedAt ?? run.startedAt ?? run.requestedAt, now))}<div class="muted">${esc(plural(num(run.items), 'item'))}, ${esc(plural(num(run.pages), 'page'))} · ${esc(run.trigger)}</div>` : '<span class="muted">no pull</span>';
      const errors = Array.isArray(s?.recentErrors) ? s.recentErrors : [];
      const lastError = run?.error ?? errors[0]?.message ?? null;
      const errorText = num(s?.failedRuns) > 0 || errors.length > 0 ? `<span class="bad-text">${esc(plural(num(s?.failedRuns), 'failed run'))}, ${esc(plural(errors.length, 'recent error'))}</span>${lastError ? `<div class="error-msg" title="${esc(lastError)}">${esc(String(lastError).slice(0, 160))}</div>` : ''}` : '<span class="muted">none</span>';
      const lag = s?.lagMs === null || s?.lagMs === undefined ? '–' : `${esc(fmtDuration(s.lagMs))}<div class="muted">${s.lagBasis === 'last_success' ? 'since last pull' : 'since last record'}</div>`;
      const sync = s?.mode !== 'push' && s?.enabled ? `<button type="button" class="small" data-action="sync" data-id="${esc(s.id)}">Sync now</button>` : '';
      return `<tr data-source="${esc(s?.id)}"><td><div class="source-name">${esc(s?.name)}</div><div class="muted">${esc(s?.connector)} · ${esc(s?.mode)} · ${esc(scheduleText(s?.schedule))}</div></td><td><span class="badge ${esc(STATUS_CLASS[s?.status] ?? 'muted')}">${esc(s?.status)}</span><div class="muted">${esc(s?.reason)}</div></td><td>${runText}</td><td class="num">${esc(fmtNumber(s?.records24h))}<div class="muted">last ${esc(fmtAgo(s?.lastRecordAt, now))}</div></td><td>${errorText}</td><td class="num">${lag}</td><td>${sync}</td></tr>`;
    })
    .join('');
  return `<table class="sources"><thead><tr><th>Source</th><th>Health</th><th>Last run</th><th class="num">Records 24 h</th><th>Errors</th><th class="num">Lag</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The pipeline's stages: the workspace's dead letters, and for the admin the shared queue's depth and age. */
export function renderStages(health) {
  const stages = Array.isArray(health?.stages) ? health.stages : [];
  if (stages.length === 0) return '';
  const admin = stages.some((s) => s?.queue);
  const head = `<tr><th>Stage</th>${admin ? '<th class="num">Queued</th><th class="num">In flight</th><th class="num">Oldest</th>' : ''}<th class="num">Dead letters</th></tr>`;
  const rows = stages
    .map((s) => {
      const q = s?.queue;
      const queue = admin ? `<td class="num">${esc(fmtNumber(q?.depth))}</td><td class="num">${esc(fmtNumber(q?.inFlight))}</td><td class="num">${q?.oldestAgeMs === null || q?.oldestAgeMs === undefined ? '–' : esc(fmtDuration(q.oldestAgeMs))}</td>` : '';
      return `<tr><td>${esc(s?.stage)}</td>${queue}<td class="num${num(s?.deadLetters) > 0 ? ' neg' : ''}">${esc(fmtNumber(s?.deadLetters))}</td></tr>`;
    })
    .join('');
  const note = admin ? '' : '<p class="muted">Queue depth and age are shared by every workspace: the admin token shows them.</p>';
  return `<table class="stages"><thead>${head}</thead><tbody>${rows}</tbody></table>${note}`;
}

const SEVERITY_ICON = { critical: '●', warning: '▲', info: '◆' };

/** Alerts, most severe first. */
export function renderAlerts(alerts, now) {
  const list = Array.isArray(alerts) ? alerts : [];
  if (list.length === 0) return '<p class="empty">Nothing needs attention.</p>';
  const items = list
    .slice(0, 30)
    .map((a) => {
      const sev = a?.severity === 'critical' || a?.severity === 'warning' ? a.severity : 'info';
      return `<li class="alert ${sev}" data-kind="${esc(a?.kind)}"><span class="sev" aria-label="${esc(sev)}">${SEVERITY_ICON[sev]}</span><div><div class="alert-title">${esc(a?.title)}</div><div class="muted">${esc(a?.detail)} · ${esc(fmtAgo(a?.at, now))}</div></div></li>`;
    })
    .join('');
  const more = list.length > 30 ? `<p class="muted">and ${esc(list.length - 30)} more</p>` : '';
  return `<ul class="alerts">${items}</ul>${more}`;
}

/** What a dead letter carried, in a few words. */
function letterSummary(letter) {
  const p = letter?.payload ?? {};
  const message = p.message ?? {};
  const record = message.payload?.record ?? message.payload ?? {};
  const what = typeof message.type === 'string' ? message.type : typeof p.sourceId === 'string' ? `source ${p.sourceId}` : letter?.stage;
  const text = record?.content?.title ?? record?.content?.text ?? (typeof record?.reference === 'string' ? `${record.reference} ${record.value ?? ''} ${record.unit ?? ''}` : '');
  return { what: String(what ?? ''), text: String(text ?? '').slice(0, 120), destination: typeof p.destinationId === 'string' ? p.destinationId : '' };
}

/** Dead letters with a replay button each. */
export function renderDeadLetters(letters, now) {
  const list = Array.isArray(letters) ? letters : [];
  if (list.length === 0) return '<p class="empty">No dead letters.</p>';
  const rows = list
    .map((l) => {
      const s = letterSummary(l);
      return `<tr data-letter="${esc(l?.id)}"><td>${esc(fmtAgo(l?.failedAt, now))}<div class="muted">${esc(l?.stage)} · ${esc(plural(num(l?.attempts), 'attempt'))}</div></td><td>${esc(s.what)}${s.destination ? `<div class="muted">to ${esc(s.destination)}</div>` : ''}${s.text ? `<div class="muted clip">${esc(s.text)}</div>` : ''}</td><td class="error-msg" title="${esc(l?.reason)}">${esc(String(l?.reason ?? '').slice(0, 200))}</td><td><button type="button" class="small" data-action="replay" data-id="${esc(l?.id)}" data-stage="${esc(l?.stage)}">Replay</button></td></tr>`;
    })
    .join('');
  return `<table class="dead-letters"><thead><tr><th>Failed</th><th>Message</th><th>Reason</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The workspace picker's options. */
export function renderWorkspaceOptions(workspaces, current) {
  const list = Array.isArray(workspaces) ? workspaces : [];
  return list.map((w) => `<option value="${esc(w?.id)}"${w?.id === current ? ' selected' : ''}>${esc(w?.name)} (${esc(w?.id)})</option>`).join('');
}
