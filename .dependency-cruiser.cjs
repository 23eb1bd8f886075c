/**
 * The import graph's rules, checked by dependency-cruiser in `npm run lint` (and by
 * test/import-layers.test.ts on fixture files). Type-only imports count: a circle of types is
 * still a design circle. docs/layout.md says how to read a failure.
 *
 * 1. No circle, between files anywhere in our code.
 * 2. lib/ is a library: it never imports the programs above it (functions/, scripts/, bench/,
 *    console/, test/).
 * 3. Domain code does not know the transport. Transport here is the inbound API's protocol:
 *    lib/http/ (middlewares, HTTP errors, query parsing, route docs), the handlers (functions/),
 *    the Lambda event types (aws-lambda), middy, and node's http servers (node:http, https,
 *    http2). Every lib folder is domain except lib/http itself, lib/kubernetes (its client speaks
 *    HTTP to the Kubernetes API, an outbound connection) and lib/storage (the S3 client, and the
 *    embedded S3 server, which serves the S3 protocol, not our API).
 * 4. Layers: LAYERS below, lowest first. A lib folder imports only folders in lower layers
 *    (not its siblings in the same layer); the few imports that break the order today are
 *    KNOWN_EXCEPTIONS, each a file-to-file import with its reason. A new import that breaks the
 *    order fails; so does an exception that is no longer in the code (test/import-layers.test.ts),
 *    so the list only shrinks.
 */

/** lib's folders, lowest first; folders of one layer are independent of each other. */
const LAYERS = [
  ['util'],
  ['parallel', 'observability'],
  ['storage'],
  ['state'],
  ['auth'],
  ['config'],
  ['secrets', 'kubernetes'],
  ['data'],
  ['evaluation', 'sampling'],
  ['trees'],
  ['scorecard', 'explain'],
  ['artifact'],
  ['training'],
  ['tuning'],
  ['pipeline'],
  ['registry'],
  ['serving'],
  ['monitoring'],
  ['drift'],
  ['governance'],
  ['release'],
  ['retrain'],
  ['console'],
  ['http'],
];

/** Imports that break LAYERS or the transport rule today: each is allowed, no other. Cut them; never add one. */
const KNOWN_EXCEPTIONS = [
  {
    from: 'lib/state/schemas.ts',
    to: 'lib/retrain/retrain-request.ts',
    why: "a stored retrain job embeds retrain's request schema, which reads training's and tuning's names and defaults",
  },
  {
    from: 'lib/governance/approval-flow.ts',
    to: 'lib/release/promotion-gate.ts',
    why: "the approval flow (a workflow over releases) runs release's promotion gate",
  },
  {
    from: 'lib/governance/approval-traffic.ts',
    to: 'lib/release/promotion-gate.ts',
    why: "approvals of a traffic change read release's gated aliases",
  },
];

const TRANSPORT_MODULES =
  '^(lib/http/|functions/|(node_modules/@types/)?aws-lambda($|/)|(node_modules/)?@middy/|node:(http|https|http2)$|(http|https|http2)$)';
const NOT_DOMAIN = '^lib/(http|kubernetes|storage)/';

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (paths) => `^(${paths.map(escapeRegExp).join('|')})$`;

/** The rules a folder's files answer to: one rule for the folder, one per file that has exceptions. */
function layerRules() {
  const exceptionsOf = new Map();
  for (const { from, to } of KNOWN_EXCEPTIONS) exceptionsOf.set(from, [...(exceptionsOf.get(from) ?? []), to]);
  const rules = [];
  LAYERS.forEach((layer, index) => {
    for (const folder of layer) {
      const above = [...LAYERS.slice(index + 1).flat(), ...layer.filter((sibling) => sibling !== folder)];
      if (!above.length) continue;
      const forbidden = `^lib/(${above.join('|')})/`;
      const excepted = [...exceptionsOf.keys()].filter((file) => file.startsWith(`lib/${folder}/`));
      const comment = `lib/${folder} is in layer ${index} of LAYERS (.dependency-cruiser.cjs): it may import only lower layers`;
      rules.push({
        name: `layer-order`,
        severity: 'error',
        comment,
        from: { path: `^lib/${folder}/`, ...(excepted.length ? { pathNot: anyOf(excepted) } : {}) },
        to: { path: forbidden },
      });
      for (const file of excepted)
        rules.push({
          name: `layer-order`,
          severity: 'error',
          comment,
          from: { path: anyOf([file]) },
          to: { path: forbidden, pathNot: anyOf(exceptionsOf.get(file)) },
        });
    }
  });
  return { rules, exceptionsOf };
}

function transportRules(exceptionsOf) {
  const comment =
    'domain code in lib must not import transport code (see rule 3 in .dependency-cruiser.cjs): throw a domain error, map it in lib/http';
  const excepted = [...exceptionsOf.keys()].filter(
    (file) => file.startsWith('lib/') && !new RegExp(NOT_DOMAIN).test(file),
  );
  return [
    {
      name: 'domain-not-transport',
      severity: 'error',
      comment,
      from: { path: '^lib/', pathNot: [NOT_DOMAIN, ...(excepted.length ? [anyOf(excepted)] : [])] },
      to: { path: TRANSPORT_MODULES },
    },
    ...excepted.map((file) => ({
      name: 'domain-not-transport',
      severity: 'error',
      comment,
      from: { path: anyOf([file]) },
      to: { path: TRANSPORT_MODULES, pathNot: anyOf(exceptionsOf.get(file)) },
    })),
  ];
}

const { rules: layers, exceptionsOf } = layerRules();

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import circle: break it by moving the shared type or function to the lower module that owns it',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-into-programs',
      severity: 'error',
      comment:
        'lib is a library: the programs (functions, scripts, bench, console, test) import it, never the other way',
      from: { path: '^lib/' },
      to: { path: '^(functions|scripts|bench|console|test)/' },
    },
    ...transportRules(exceptionsOf),
    ...layers,
  ],
  options: {
    // Type-only imports are edges too: a circle of types is a design circle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.serverless|\\.esbuild)/' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
// For test/import-layers.test.ts; not enumerable, so dependency-cruiser's config schema does not see them.
Object.defineProperties(module.exports, { LAYERS: { value: LAYERS }, KNOWN_EXCEPTIONS: { value: KNOWN_EXCEPTIONS } });
