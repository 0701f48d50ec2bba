#!/usr/bin/env node
// Writes docs/http-api.md from the reference server's OpenAPI document: it builds the server of
// examples/server on in-memory engines (nothing listens, nothing connects), asks its app for
// `GET /openapi.json`, and renders every operation as markdown. The OpenAPI document is generated
// from the same zod schemas that validate requests, so the page cannot describe a route the server
// does not have.
//
//   node scripts/http-api-doc.mjs            rewrites docs/http-api.md
//   node scripts/http-api-doc.mjs --check    exits 1 when docs/http-api.md is stale (test/http-api-doc.test.ts)
//   node scripts/http-api-doc.mjs --stdout   prints the page instead of writing it
//   --file <path>                            writes or checks another file than docs/http-api.md
//
// It runs the server's TypeScript sources as they are: tsx compiles them, and a resolve hook adds the
// `@tributary/source` export condition so the workspace packages resolve to their sources.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------------
// Reading the document from the server.

const SOURCE_CONDITION_HOOK = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('@tributary/source') ? context.conditions : ['@tributary/source', ...context.conditions];
  return next(specifier, { ...context, conditions });
}`;

/** The server's OpenAPI document, from `GET /openapi.json` of an app on in-memory engines. */
async function readOpenApi() {
  register(`data:text/javascript,${encodeURIComponent(SOURCE_CONDITION_HOOK)}`);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  const load = (file) => import(pathToFileURL(join(root, 'examples/server/src', file)).href);
  const [{ loadConfig }, { createLogger }, { createServer }] = await Promise.all([load('config.ts'), load('logger.ts'), load('server.ts')]);
  // A fixed configuration: the page must not depend on the environment it is generated in.
  const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: join(root, 'data-unused'), LOG_LEVEL: 'silent' });
  const server = await createServer({
    config,
    logger: createLogger({ level: 'silent' }),
    // Throwaway values, never written anywhere: given here so nothing is generated into a data directory.
    secrets: { adminToken: randomBytes(24).toString('base64url'), secretKey: randomBytes(32).toString('hex') },
  });
  try {
    const response = await server.app.fetch(new Request('http://127.0.0.1:8787/openapi.json'));
    if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
    return await response.json();
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// Rendering.

/** Text safe inside a markdown table cell. */
const cell = (text) => String(text ?? '').replace(/\r?\n+/g, ' ').replace(/\|/g, '\\|').trim();
const code = (text) => `\`${String(text).replace(/`/g, "'")}\``;
const literal = (value) => code(JSON.stringify(value));
/** A sentence ends with a full stop. */
const end = (text) => (/[.!?:]$/.test(String(text).trim()) ? String(text).trim() : `${String(text).trim()}.`);

/** GitHub's heading anchor. */
const slug = (heading) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

const isNull = (s) => s && (s.type === 'null' || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null'));

/** The non-null variants of a schema (`anyOf` flattened), and whether null is allowed. */
function variants(schema) {
  if (!schema || typeof schema !== 'object') return { list: [schema ?? {}], nullable: false };
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const list = [];
    let nullable = false;
    for (const member of schema.anyOf ?? schema.oneOf) {
      if (isNull(member)) {
        nullable = true;
        continue;
      }
      const inner = variants(member);
      list.push(...inner.list);
      nullable ||= inner.nullable;
    }
    return { list, nullable };
  }
  if (Array.isArray(schema.type) && schema.type.includes('null') && schema.type.length > 1) {
    const rest = schema.type.filter((t) => t !== 'null');
    return { list: [{ ...schema, type: rest.length === 1 ? rest[0] : rest }], nullable: true };
  }
  return { list: [schema], nullable: false };
}

const isObject = (s) => s && (s.type === 'object' || (s.type === undefined && s.properties));

/** A short type: `string`, `integer`, `"asc" \| "desc"`, `object[]`, `date-time or date`, … */
function typeOf(schema) {
  const { list, nullable } = variants(schema);
  const names = [...new Set(list.map(typeOfOne))];
  const text = names.length === 0 ? 'null' : names.join(' or ');
  return nullable ? `${text} or null` : text;
}

function typeOfOne(s) {
  if (!s || typeof s !== 'object' || Object.keys(s).filter((k) => k !== 'description' && k !== 'default').length === 0) return 'any';
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => literal(v)).join(', ');
  if (s.type === 'array') {
    const item = s.items ? typeOf(s.items) : 'any';
    return item.includes(' ') ? `array of (${item})` : `${item}[]`;
  }
  if (isObject(s)) return s.title ?? 'object';
  if (Array.isArray(s.type)) return s.type.join(' or ');
  if (s.type === 'string' && s.format) return s.format;
  return s.type ?? 'any';
}

/** Constraints and defaults worth telling a client. */
function constraints(schema) {
  const { list } = variants(schema);
  const notes = [];
  const add = (note) => {
    if (note && !notes.includes(note)) notes.push(note);
  };
  if (schema && schema.default !== undefined) add(`default ${literal(schema.default)}`);
  for (const s of list) {
    if (!s || typeof s !== 'object') continue;
    if (s.default !== undefined) add(`default ${literal(s.default)}`);
    const range = (min, max, unit) => {
      if (min !== undefined && max !== undefined) return `${min}–${max}${unit}`;
      if (min !== undefined) return `at least ${min}${unit}`;
      if (max !== undefined) return `at most ${max}${unit}`;
      return undefined;
    };
    if (s.type === 'string') {
      if (!(s.minLength === 1 && s.maxLength === undefined)) add(range(s.minLength, s.maxLength, ' characters'));
      if (s.pattern && s.pattern.length <= 40) add(`pattern ${code(s.pattern)}`);
    }
    if (s.type === 'number' || s.type === 'integer') {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : undefined);
      if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) add(min === undefined ? `at most ${s.maximum}` : typeof min === 'string' ? `${min}, at most ${s.maximum}` : `${min}–${s.maximum}`);
      else if (typeof min === 'string') add(min);
      else if (min !== undefined) add(`at least ${min}`);
    }
    if (s.type === 'array') add(range(s.minItems, s.maxItems, ' items'));
    if (isObject(s) && !s.properties && s.additionalProperties !== false) add('any keys');
  }
  return notes;
}

const descriptionOf = (schema) => {
  if (!schema || typeof schema !== 'object') return '';
  if (schema.description) return schema.description;
  const { list } = variants(schema);
  return list.find((s) => s && s.description)?.description ?? '';
};

/** Rows `{ path, type, required, notes }` for an object's fields, nested objects and arrays of objects included. */
function fieldRows(schema, prefix = '', depth = 0, maxDepth = 3) {
  const rows = [];
  const objects = variants(schema).list.filter(isObject);
  if (objects.length !== 1) return rows;
  const object = objects[0];
  const required = new Set(object.required ?? []);
  for (const [name, field] of Object.entries(object.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push({ path, type: typeOf(field), required: required.has(name), notes: [descriptionOf(field).replace(/\.$/, ''), ...constraints(field)].filter(Boolean).join('; ') });
    if (depth + 1 >= maxDepth) continue;
    const inner = variants(field).list;
    if (inner.length !== 1) continue;
    const only = inner[0];
    if (isObject(only)) rows.push(...fieldRows(only, `${path}.`, depth + 1, maxDepth));
    else if (only && only.type === 'array' && only.items) {
      const items = variants(only.items).list;
      if (items.length === 1 && isObject(items[0])) rows.push(...fieldRows(items[0], `${path}[].`, depth + 1, maxDepth));
    }
  }
  return rows;
}

function fieldTable(rows) {
  return ['| field | type | required | notes |', '|---|---|---|---|', ...rows.map((r) => `| ${code(r.path)} | ${cell(r.type)} | ${r.required ? 'yes' : ''} | ${cell(r.notes)} |`)].join('\n');
}

/** A body schema as tables: one per shape when it is one of several. */
function bodySection(schema, what) {
  if (!schema || typeof schema !== 'object') return [];
  const { list, nullable } = variants(schema);
  const objects = list.filter(isObject);
  const out = [];
  const intro = descriptionOf(schema);
  if (objects.length === 0) {
    out.push(`${what}: ${end(typeOf(schema))}${intro ? ` ${end(intro)}` : ''}`, '');
    return out;
  }
  if (list.length === 1) {
    const rows = fieldRows(objects[0]);
    if (rows.length === 0) {
      const notes = constraints(schema);
      out.push(`${what}: ${typeOf(schema)}${notes.length ? ` (${notes.join('; ')})` : ''}.${intro ? ` ${end(intro)}` : ''}`, '');
      return out;
    }
    if (intro) out.push(`${what}: ${end(intro)}`, '');
    out.push(fieldTable(rows), '');
    return out;
  }
  out.push(`${what}: one of ${list.length} shapes${nullable ? ', or null' : ''}.`, '');
  list.forEach((variant, index) => {
    const rows = isObject(variant) ? fieldRows(variant) : [];
    const title = variant.title ? `: ${variant.title}` : '';
    out.push(`Shape ${index + 1}${title}${variant.description ? `. ${end(variant.description)}` : ''}`, '');
    out.push(rows.length > 0 ? fieldTable(rows) : `${typeOf(variant)}`, '');
  });
  return out;
}

function parameterTable(parameters) {
  return [
    '| parameter | in | required | type | notes |',
    '|---|---|---|---|---|',
    ...parameters.map((p) => `| ${code(p.name)} | ${p.in} | ${p.required ? 'yes' : ''} | ${cell(typeOf(p.schema))} | ${cell([(p.description ?? '').replace(/\.$/, ''), ...constraints(p.schema)].filter(Boolean).join('; '))} |`),
  ].join('\n');
}

const isErrorBody = (response) => response?.content?.['application/json']?.schema?.title === 'Error';

/** Who may call an operation: `[short, long]`. */
function authOf(operation) {
  const schemes = (operation.security ?? []).flatMap((s) => Object.keys(s));
  if (schemes.includes('workspaceKey')) return ['workspace key, admin', 'workspace API key (or the admin token)'];
  if (schemes.includes('adminToken')) return ['admin', 'admin token'];
  if (operation.tags?.includes('Webhooks')) return ['signature', "none: the source's signature scheme verifies the request"];
  if (operation.responses?.['401']) return ['any token', 'any bearer token (checked by the route)'];
  return ['none', 'none'];
}

function renderOperation(method, path, operation) {
  const heading = `${method.toUpperCase()} ${path}`;
  const out = [`### ${heading}`, '', `**${end(operation.summary)}**${operation.description ? ` ${end(operation.description)}` : ''}`, '', `Auth: ${authOf(operation)[1]}. Operation id: ${code(operation.operationId)}.`, ''];
  if (operation.parameters?.length) out.push(parameterTable(operation.parameters), '');
  const body = operation.requestBody?.content;
  if (body) {
    const [type, media] = Object.entries(body)[0];
    out.push(...bodySection(media.schema, `Request body (${code(type)})`));
  }
  const responses = Object.entries(operation.responses ?? {});
  const success = responses.filter(([status, r]) => !isErrorBody(r) && Number(status) < 400);
  for (const [status, response] of success) {
    const headers = Object.entries(response.headers ?? {}).map(([name, h]) => `${code(name)}: ${h.description}`);
    const content = Object.entries(response.content ?? {});
    out.push(`**${status}** ${end(`${response.description.replace(/\.$/, '')}${headers.length ? ` (headers: ${headers.join('; ')})` : ''}${content.length === 0 ? ', no body' : ''}`)}`, '');
    for (const [type, media] of content) {
      const bare = !media.schema || (media.schema.type === 'string' && Object.keys(media.schema).length === 1);
      if (type === 'application/json' && !bare) out.push(...bodySection(media.schema, 'Body'));
      else out.push(`Body: ${code(type)}.`, '');
    }
  }
  const errors = responses.filter(([status, r]) => isErrorBody(r) || Number(status) >= 400);
  if (errors.length > 0) {
    out.push('| error status | when |', '|---|---|');
    for (const [status, response] of errors) {
      const headers = Object.keys(response.headers ?? {});
      out.push(`| ${status} | ${cell(end(`${response.description.replace(/\.$/, '')}${headers.length ? ` (${headers.map(code).join(', ')})` : ''}`))} |`);
    }
    out.push('');
  }
  return { heading, lines: out };
}

const AUTH_LABEL = { workspaceKey: 'workspace key', adminToken: 'admin' };

/** The page. */
export function renderHttpApi(doc) {
  const tags = (doc.tags ?? []).map((t) => t.name);
  const byTag = new Map(tags.map((t) => [t, []]));
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, operation });
    }
  }
  const schemes = doc.components?.securitySchemes ?? {};
  const lines = [
    '# HTTP API',
    '',
    '<!-- Generated by scripts/http-api-doc.mjs from the reference server\'s OpenAPI document. Do not edit:',
    '     change the route declarations in examples/server/src, then run `node scripts/http-api-doc.mjs`.',
    '     test/http-api-doc.test.ts fails when this page is stale. -->',
    '',
    `The HTTP API of the reference server (\`examples/server\`): ${doc.info?.title ?? 'Tributary API'} ${doc.info?.version ?? ''}, as its`,
    `OpenAPI ${doc.openapi} document describes it. A running server serves the same document at \`/openapi.json\``,
    'and a browsable version at `/docs`. Every request body and query is validated by the zod schema the',
    'document is generated from. To run the server, see [deployment.md](deployment.md). For what a record',
    'holds, see [concepts.md](concepts.md).',
    '',
    '## Conventions',
    '',
    '- **Base URL.** `http://127.0.0.1:8787` by default (`HOST`, `PORT`). Webhook URLs handed out use',
    '  `TRIBUTARY_PUBLIC_URL` when it is set.',
    '- **Authentication.** `Authorization: Bearer <token>`. Workspace routes take the workspace\'s API key (shown',
    '  once, when the workspace is created; stored hashed) or the admin token. A key opens its own workspace only:',
    '  another workspace\'s routes answer 403. Admin routes take the admin token only.',
    ...Object.entries(schemes).map(([name, s]) => `  - \`${name}\` (${AUTH_LABEL[name] ?? name}): ${s.description ?? `${s.type} ${s.scheme ?? ''}`}`),
    '- **Errors.** Every error is JSON: `{"error": {"code", "message", "issues"?}}`. `code` is stable',
    '  (`validation`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `payload_too_large`, `rate_limited`,',
    '  `signature`, `unavailable`, `internal`, …); `issues` name the fields at fault as dotted paths',
    '  (`records.3.value`). A 500 never carries internals: the server log has them under the request id.',
    '- **Request ids.** Every answer carries `x-request-id` (the client\'s own when it sent a valid one).',
    '- **Limits.** Bodies over `TRIBUTARY_MAX_BODY_BYTES` (1 MiB by default) get 413. Each workspace may send',
    '  `TRIBUTARY_RATE_LIMIT` requests per second (100 by default, burst `TRIBUTARY_RATE_BURST`, API and',
    '  webhooks counted apart); past it the answer is 429 with `Retry-After`.',
    '- **Pagination.** List routes take `limit` and `cursor` and answer `{items, nextCursor}`; `nextCursor` is',
    '  null on the last page.',
    '- **Times** are ISO 8601; a date alone (`2024-03-01`) means midnight UTC. **Decimal values** (seed 003',
    '  `value`, aggregate `total`) are strings, exact to the last digit.',
    '',
    '## Operations',
    '',
    '| method | path | summary | auth |',
    '|---|---|---|---|',
  ];
  const sections = [];
  for (const [tag, operations] of byTag) {
    if (operations.length === 0) continue;
    sections.push(`## ${tag}`, '');
    for (const { path, method, operation } of operations) {
      const { heading, lines: body } = renderOperation(method, path, operation);
      lines.push(`| ${method.toUpperCase()} | [${code(path)}](#${slug(heading)}) | ${cell(operation.summary)} | ${authOf(operation)[0]} |`);
      sections.push(...body);
    }
  }
  lines.push('', ...sections);
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const fileAt = args.indexOf('--file');
  const output = resolve(root, fileAt >= 0 && args[fileAt + 1] ? args[fileAt + 1] : 'docs/http-api.md');
  const shown = relative(root, output).split(sep).join('/');
  const page = renderHttpApi(await readOpenApi());
  if (args.includes('--stdout')) {
    process.stdout.write(page);
    return 0;
  }
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(output, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current === page) return 0;
    const a = current.split('\n');
    const b = page.split('\n');
    let line = 0;
    while (line < a.length && line < b.length && a[line] === b[line]) line++;
    console.error(`${shown} is stale (first difference at line ${line + 1}): run \`node scripts/http-api-doc.mjs\``);
    console.error(`  in the file:      ${a[line] ?? '(end of file)'}`);
    console.error(`  from the server:  ${b[line] ?? '(end of page)'}`);
    return 1;
  }
  writeFileSync(output, page);
  console.log(`${shown} written (${page.split('\n').length} lines)`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (exitCode) => process.exit(exitCode),
    (error) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(2);
    },
  );
}
