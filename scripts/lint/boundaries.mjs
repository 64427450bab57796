/**
 * ESLint rule `agora/boundaries`: who may import whom (README "Layout").
 * - a subgraph imports only itself, @agora/kit and @agora/contracts — never another
 *   subgraph, the gateway or an app;
 * - the libraries under packages/ import no application code (subgraphs, gateway, apps, web);
 * - the gateway imports no subgraph and no app;
 * - production code never imports the kit's testing entry (tests, test helpers and bench may).
 * Relative imports count too: a path that leaves its own package is judged by where it lands.
 */
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** The unit a file belongs to: { kind, name } from its path under the repository. */
function unitOf(path) {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] === 'subgraphs' && parts[1]) return { kind: 'subgraph', name: parts[1] };
  if (parts[0] === 'packages' && parts[1]) return { kind: 'library', name: parts[1] };
  if (parts[0] === 'apps' && parts[1]) return { kind: 'app', name: parts[1] };
  if (parts[0] === 'gateway') return { kind: 'gateway', name: 'gateway' };
  if (parts[0] === 'web') return { kind: 'web', name: 'web' };
  return { kind: 'tooling', name: parts[0] };
}

const APPS = new Set(['embedded', 'distributed']);
const LIBRARIES = new Set(['kit', 'contracts']);

/** The unit a module specifier points at, or undefined for a third-party package. */
function targetOf(source, file) {
  if (source.startsWith('.')) {
    const path = resolve(dirname(file), source);
    return { ...unitOf(path), testing: /(^|\/)packages\/kit\/src\/testing(\/|$)/.test(relative(ROOT, path)) };
  }
  const match = /^@agora\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (!match) return undefined;
  const [, name, rest = ''] = match;
  const testing = name === 'kit' && /^testing(\/|$)/.test(rest);
  if (LIBRARIES.has(name)) return { kind: 'library', name, testing };
  if (APPS.has(name)) return { kind: 'app', name };
  if (name === 'gateway') return { kind: 'gateway', name };
  if (name === 'web') return { kind: 'web', name };
  return { kind: 'subgraph', name };
}

const isTestCode = (file) => {
  const path = relative(ROOT, file);
  return (
    /(^|\/)(test|e2e)\//.test(path) ||
    /\.test\.tsx?$/.test(path) ||
    path.startsWith('bench/') ||
    /(^|\/)packages\/kit\/src\/testing\//.test(path)
  );
};

function verdict(from, to, file) {
  if (to.testing && !isTestCode(file)) return "production code must not import the kit's testing entry";
  if (from.kind === to.kind && from.name === to.name) return undefined;
  switch (from.kind) {
    case 'subgraph':
      if (to.kind !== 'library')
        return `a subgraph imports only @agora/kit and @agora/contracts, not ${to.kind} "${to.name}"`;
      return undefined;
    case 'library':
      if (to.kind !== 'library')
        return `a library under packages/ must not import application code (${to.kind} "${to.name}")`;
      return undefined;
    case 'gateway':
      if (to.kind === 'subgraph' || to.kind === 'app') return `the gateway must not import ${to.kind} "${to.name}"`;
      return undefined;
    default:
      return undefined;
  }
}

const rule = {
  meta: { type: 'problem', schema: [], docs: { description: 'Agora import boundaries' } },
  create(context) {
    const file = context.filename;
    const from = unitOf(file);
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const to = targetOf(source, file);
      if (!to) return;
      const message = verdict(from, to, file);
      if (message) context.report({ node, message: `${message} (import '${source}')` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const boundaries = { rules: { boundaries: rule } };
