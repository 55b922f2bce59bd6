// Test-support harness: lint Cypher statements with Neo4j's own Cypher front-end
// (parser + semantic analysis from @neo4j-cypher/language-support).
//
// stdin:  JSON array of {"query": str, "parameters": {name: sample_value}}
// stdout: JSON array of the same length; item i is the list of diagnostics for
//         query i, each {"message": str, "severity": "error"|"warning"|"information"|"hint",
//         "offset": int|null}. "offset" is a code-point index into the query
//         (i.e. a Python str index), or null when the front-end gave no position.
//
// All queries are linted in one process: the front-end (Neo4j's Java front-end
// compiled to JavaScript) is loaded once (~1-2 s), then each query takes roughly
// 15-80 ms. Large batches are split over worker threads, one per spare core
// (at most MAX_WORKERS; env CYPHER_LINT_WORKERS overrides the count).
//
// Known front-end bug worked around here: a character outside the BMP (e.g. an
// emoji in a string literal) makes the semantic analysis throw, and the package
// silently drops *all* its diagnostics. We lint a copy in which each such
// character is replaced by two private-use BMP characters (same UTF-16 length,
// so offsets are unchanged).
//
// Procedures and functions: when dbSchema declares no `procedures`/`functions`,
// the front-end checks neither their existence nor their YIELD columns / argument
// types. So we declare Neo4j's built-in ones, taken from the registry dump of a
// real Neo4j server that ships with the package (testData.mockSchema), with the
// plugin namespaces (APOC, GDS) removed. An unknown procedure or function (a typo,
// or an APOC call) is therefore reported as an error.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const CYPHER_VERSIONS = ['CYPHER 5', 'CYPHER 25'];
const PLUGIN_NAMESPACES = ['apoc.', 'gds.'];
// Built-ins that the project uses: fail loudly if a package upgrade drops them.
const REQUIRED_PROCEDURES = ['db.index.fulltext.queryNodes', 'dbms.components'];
const REQUIRED_FUNCTIONS = ['count', 'elementId', 'coalesce', 'toLower', 'size'];

const MAX_WORKERS = 8;
// Starting a worker costs about as much as linting this many queries.
const QUERIES_PER_WORKER = 60;
const SEVERITIES = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function isPlugin(name) {
  return PLUGIN_NAMESPACES.some((ns) => name.startsWith(ns));
}

function builtinRegistry(kind, required) {
  const source = testData?.mockSchema?.[kind];
  const registry = {};
  for (const version of CYPHER_VERSIONS) {
    const entries = source?.[version];
    if (!entries) {
      throw new Error(
        `@neo4j-cypher/language-support: testData.mockSchema.${kind}['${version}'] ` +
          'is missing; the built-in registry moved - update tests/cypher_lint/lint.mjs',
      );
    }
    registry[version] = Object.fromEntries(
      Object.entries(entries).filter(
        ([name, entry]) => !isPlugin(name) && (kind !== 'functions' || entry.isBuiltIn),
      ),
    );
    for (const name of required) {
      if (!registry[version][name]) {
        throw new Error(`built-in ${kind} registry for ${version} lacks ${name}`);
      }
    }
  }
  return registry;
}

const PROCEDURES = builtinRegistry('procedures', REQUIRED_PROCEDURES);
const FUNCTIONS = builtinRegistry('functions', REQUIRED_FUNCTIONS);

function codePointOffset(query, utf16Offset) {
  if (typeof utf16Offset !== 'number' || !Number.isFinite(utf16Offset) || utf16Offset < 0) {
    return null;
  }
  let count = 0;
  for (let i = 0; i < Math.min(utf16Offset, query.length); i++) {
    const c = query.charCodeAt(i);
    // Count a surrogate pair once: skip the low half.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = query.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) continue;
    }
    count++;
  }
  return count;
}

class InputError extends Error {}

function lintOne(item, index) {
  if (item === null || typeof item !== 'object' || typeof item.query !== 'string') {
    throw new InputError(`item ${index}: expected {"query": str, "parameters": {...}}`);
  }
  const query = item.query;
  const sanitized = query.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '\uE000\uE000');
  const parameters = {};
  for (const [name, value] of Object.entries(item.parameters ?? {})) {
    // The front-end only checks that a parameter is declared (value !== undefined).
    parameters[name] = value ?? [{}];
  }
  const dbSchema = {
    defaultLanguage: 'CYPHER 5',
    parameters,
    procedures: PROCEDURES,
    functions: FUNCTIONS,
    // labels / relationshipTypes / propertyKeys are deliberately not declared:
    // declaring them turns every label, type or key not listed into a warning.
  };
  const { diagnostics } = lintCypherQuery(sanitized, dbSchema, {
    consoleCommandsEnabled: false,
  });
  return diagnostics.map((d) => ({
    message: d.message,
    severity: SEVERITIES[d.severity] ?? `severity-${d.severity ?? 'unknown'}`,
    offset: codePointOffset(query, d.offsets?.start),
  }));
}

function lintItems(items, firstIndex) {
  return items.map((item, i) => {
    try {
      return lintOne(item, firstIndex + i);
    } catch (err) {
      if (err instanceof InputError) throw err;
      // A crash in the front-end on one query must not hide the others.
      return [{ message: `linter crashed: ${err?.stack ?? err}`, severity: 'error', offset: null }];
    }
  });
}

function workerCount(n) {
  const forced = Number.parseInt(process.env.CYPHER_LINT_WORKERS ?? '', 10);
  if (Number.isInteger(forced) && forced >= 1) return Math.min(forced, Math.max(n, 1));
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : 1;
  return Math.max(1, Math.min(cores, MAX_WORKERS, Math.floor(n / QUERIES_PER_WORKER)));
}

function runWorker(items, firstIndex) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { items, firstIndex } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`lint worker exited with code ${code}`));
    });
  });
}

async function main() {
  const items = JSON.parse(readFileSync(0, 'utf8'));
  if (!Array.isArray(items)) {
    throw new InputError('stdin must be a JSON array');
  }
  // Lint each distinct (query, declared parameter names) once: the value of a
  // parameter does not affect the diagnostics.
  const slotOf = new Map();
  const unique = [];
  const slots = items.map((item, index) => {
    if (item === null || typeof item !== 'object' || typeof item.query !== 'string') {
      throw new InputError(`item ${index}: expected {"query": str, "parameters": {...}}`);
    }
    const key = JSON.stringify([item.query, Object.keys(item.parameters ?? {}).sort()]);
    if (!slotOf.has(key)) {
      slotOf.set(key, unique.length);
      unique.push(item);
    }
    return slotOf.get(key);
  });
  const k = workerCount(unique.length);
  const size = Math.ceil(unique.length / k);
  const chunks = [];
  for (let start = 0; start < unique.length; start += size) {
    chunks.push([start, unique.slice(start, start + size)]);
  }
  // Chunk 0 runs on this thread (the front-end is already loaded here), the rest on workers.
  const pending = chunks.slice(1).map(([start, chunk]) => runWorker(chunk, start));
  const first = chunks.length > 0 ? lintItems(chunks[0][1], 0) : [];
  const results = first.concat(...(await Promise.all(pending)));
  process.stdout.write(JSON.stringify(slots.map((slot) => results[slot])));
}

if (isMainThread) {
  await main();
} else {
  parentPort.postMessage(lintItems(workerData.items, workerData.firstIndex));
}
