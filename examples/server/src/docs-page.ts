/**
 * @module docs-page
 * `/docs`: a self-contained page (no CDN, no build) that renders `/openapi.json` — operations by tag,
 * parameters, request and response schemas — and can send requests with a bearer token kept in the
 * tab's session storage.
 */

const STYLE = `
:root{--fg:#1d232a;--muted:#5b6670;--line:#dde3e8;--bg:#f7f9fb;--card:#fff;--get:#1f7a4d;--post:#1d5fa8;--put:#8a5a00;--patch:#7b3fa0;--delete:#b3261e}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#14202b;color:#fff;padding:16px 24px;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
header h1{font-size:20px;margin:0}header p{margin:4px 0 0;color:#b8c4cf;max-width:70ch}
header label{display:flex;gap:8px;align-items:center;font-size:13px}header input{width:340px;padding:6px 8px;border-radius:4px;border:1px solid #44525f;background:#0d161e;color:#fff}
main{max-width:1100px;margin:0 auto;padding:16px 24px 64px}
h2{font-size:16px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
details.op{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:8px 0}
details.op>summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center;list-style:none}
details.op>summary::-webkit-details-marker{display:none}
.m{font:600 12px/1 ui-monospace,monospace;text-transform:uppercase;color:#fff;border-radius:3px;padding:5px 0;width:60px;text-align:center;flex:none}
.m.get{background:var(--get)}.m.post{background:var(--post)}.m.put{background:var(--put)}.m.patch{background:var(--patch)}.m.delete{background:var(--delete)}
.path{font:13px ui-monospace,monospace}.sum{color:var(--muted)}.lock{margin-left:auto;color:var(--muted);font-size:12px}
.body{padding:4px 16px 16px;border-top:1px solid var(--line)}
h3{font-size:13px;margin:16px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600;font-size:12px;color:var(--muted)}
code,.t{font:12px ui-monospace,monospace}.t{color:#7b3fa0}.req{color:var(--delete);font-size:11px;margin-left:4px}
ul.schema{list-style:none;margin:0;padding-left:16px;border-left:1px dotted var(--line)}ul.schema li{margin:2px 0}
.d{color:var(--muted)}.status{font:600 12px ui-monospace,monospace;margin-right:8px}
textarea,.try input{width:100%;font:12px ui-monospace,monospace;padding:6px;border:1px solid var(--line);border-radius:4px}
button{background:var(--post);color:#fff;border:0;border-radius:4px;padding:6px 14px;cursor:pointer;margin-top:8px}
pre{background:#0d161e;color:#d7e2ec;padding:10px;border-radius:4px;overflow:auto;max-height:400px;font-size:12px}
.err{color:var(--delete)}
`;

const SCRIPT = `
'use strict';
const h = (tag, attrs, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};
// \`X | null\` is shown as X, nullable, rather than as two options.
const unwrapNull = (s) => {
  const alts = s && (s.anyOf || s.oneOf);
  if (!alts || alts.length !== 2) return s;
  const rest = alts.filter((a) => a.type !== 'null');
  return rest.length === 1 ? Object.assign({}, rest[0], { nullable: true, description: s.description || rest[0].description }) : s;
};
const typeOf = (s) => {
  s = unwrapNull(s);
  if (!s || typeof s !== 'object') return 'any';
  if (s.nullable) return typeOf(Object.assign({}, s, { nullable: false })) + ' | null';
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf || s.oneOf) return 'one of';
  if (s.type === 'array') return 'array of ' + typeOf(s.items);
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return (s.type || 'any') + (s.format ? ' (' + s.format + ')' : '');
};
const schemaTree = (s, depth) => {
  if (!s || typeof s !== 'object' || depth > 7) return null;
  const ul = h('ul', { class: 'schema' });
  if (s.properties) {
    const required = new Set(s.required || []);
    for (const [name, p] of Object.entries(s.properties)) {
      ul.append(h('li', {}, h('code', {}, name), ' ', h('span', { class: 't' }, typeOf(p)), required.has(name) ? h('span', { class: 'req' }, 'required') : null,
        p.description ? h('span', { class: 'd' }, ' — ' + p.description) : null, childTree(p, depth + 1)));
    }
  } else { const c = childTree(s, depth + 1); if (c) return c; }
  return ul.childNodes.length ? ul : null;
};
const childTree = (p, depth) => {
  p = unwrapNull(p);
  if (p.properties) return schemaTree(p, depth);
  if (p.type === 'array' && p.items && (p.items.properties || p.items.anyOf)) return schemaTree(p.items, depth);
  const alts = p.anyOf || p.oneOf;
  if (alts) return h('ul', { class: 'schema' }, alts.map((a, i) => h('li', {}, h('span', { class: 't' }, (a.title || 'option ' + (i + 1)) + ': ' + typeOf(a)), schemaTree(a, depth + 1))));
  if (p.additionalProperties && typeof p.additionalProperties === 'object') return h('ul', { class: 'schema' }, h('li', {}, h('code', {}, '[key]'), ' ', h('span', { class: 't' }, typeOf(p.additionalProperties))));
  return null;
};
const example = (s, depth) => {
  if (!s || depth > 5) return null;
  if (s.default !== undefined) return s.default;
  if (s.examples) return s.examples[0];
  if (s.enum) return s.enum[0];
  if (s.anyOf || s.oneOf) return example((s.anyOf || s.oneOf)[0], depth + 1);
  if (s.properties) { const o = {}; for (const [k, p] of Object.entries(s.properties)) if ((s.required || []).includes(k)) o[k] = example(p, depth + 1); return o; }
  if (s.type === 'array') return [];
  if (s.type === 'string') return s.format === 'date-time' ? new Date().toISOString() : '';
  if (s.type === 'number' || s.type === 'integer') return 0;
  if (s.type === 'boolean') return false;
  return null;
};
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem('tributary-token') || '';
tokenInput.addEventListener('input', () => sessionStorage.setItem('tributary-token', tokenInput.value));
const tryIt = (path, method, op) => {
  const fields = {};
  const form = h('div', { class: 'try' });
  for (const p of op.parameters || []) {
    const input = h('input', { placeholder: p.name + (p.required ? ' (required)' : '') });
    fields[p.name] = { p, input };
    form.append(h('label', {}, h('code', {}, p.in + ' ' + p.name), input));
  }
  const schema = op.requestBody && op.requestBody.content['application/json'] && op.requestBody.content['application/json'].schema;
  const body = schema ? h('textarea', { rows: 8 }, JSON.stringify(example(schema, 0), null, 2)) : null;
  if (body) form.append(h('label', {}, h('code', {}, 'body'), body));
  const out = h('div');
  const send = async () => {
    let url = path; const qs = new URLSearchParams();
    for (const { p, input } of Object.values(fields)) {
      if (!input.value) continue;
      if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(input.value)); else qs.append(p.name, input.value);
    }
    const headers = {};
    if (tokenInput.value) headers.authorization = 'Bearer ' + tokenInput.value;
    if (body) headers['content-type'] = 'application/json';
    out.replaceChildren(h('p', { class: 'd' }, 'sending…'));
    try {
      const res = await fetch(url + (qs.toString() ? '?' + qs : ''), { method: method.toUpperCase(), headers, body: body ? body.value : undefined });
      const text = await res.text();
      let shown = text; try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
      out.replaceChildren(h('p', {}, h('span', { class: 'status' }, res.status + ' ' + res.statusText), h('span', { class: 'd' }, res.headers.get('x-request-id') ? 'request id ' + res.headers.get('x-request-id') : '')), h('pre', {}, shown));
    } catch (e) { out.replaceChildren(h('p', { class: 'err' }, String(e))); }
  };
  form.append(h('button', { onclick: send }, 'Send'), out);
  return form;
};
const render = (doc) => {
  document.title = doc.info.title + ' — docs';
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description || '';
  const main = document.querySelector('main');
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const tag = (op.tags && op.tags[0]) || 'Other';
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push({ path, method, op });
  }
  for (const [tag, ops] of byTag) {
    main.append(h('h2', { id: 'tag-' + tag }, tag));
    for (const { path, method, op } of ops) {
      const secured = op.security && op.security.length > 0;
      const params = op.parameters || [];
      const body = h('div', { class: 'body' },
        op.description ? h('p', {}, op.description) : null,
        params.length ? [h('h3', {}, 'Parameters'), h('table', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'in'), h('th', {}, 'type'), h('th', {}, 'description')),
          params.map((p) => h('tr', {}, h('td', {}, h('code', {}, p.name), p.required ? h('span', { class: 'req' }, 'required') : null), h('td', {}, p.in), h('td', {}, h('span', { class: 't' }, typeOf(p.schema))), h('td', { class: 'd' }, p.description || (p.schema && p.schema.description) || ''))))] : null,
        op.requestBody ? [h('h3', {}, 'Request body'), schemaTree(op.requestBody.content['application/json'].schema, 0) || h('p', { class: 'd' }, typeOf(op.requestBody.content['application/json'].schema))] : null,
        h('h3', {}, 'Responses'),
        Object.entries(op.responses).map(([status, r]) => {
          const media = r.content && Object.values(r.content)[0];
          return h('div', {}, h('p', {}, h('span', { class: 'status' }, status), r.description), media && media.schema ? schemaTree(media.schema, 0) : null);
        }),
        h('h3', {}, 'Try it'), tryIt(path, method, op));
      main.append(h('details', { class: 'op', id: op.operationId }, h('summary', {}, h('span', { class: 'm ' + method }, method), h('span', { class: 'path' }, path), h('span', { class: 'sum' }, op.summary || ''), secured ? h('span', { class: 'lock' }, 'bearer') : null), body));
    }
  }
  // A link to #operationId opens that operation.
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) { target.open = true; target.scrollIntoView(); }
};
fetch('openapi.json').then((r) => { if (!r.ok) throw new Error('openapi.json: HTTP ' + r.status); return r.json(); }).then(render)
  .catch((e) => document.querySelector('main').append(h('p', { class: 'err' }, 'Could not load the API description: ' + e.message)));
`;

/** The page, served as is. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary API — docs</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div><h1 id="title">Tributary API</h1><p id="desc"></p></div>
  <label>Bearer token <input id="token" type="password" autocomplete="off" placeholder="admin token or workspace API key"></label>
</header>
<main></main>
<script>${SCRIPT}</script>
</body>
</html>
`;
