/**
 * Builds what Lambda and serverless-offline run, with esbuild:
 *   dist/layer/nodejs/node_modules/credit-score-model/   the layer: lib/, the shared function
 *                                                        runtime and every runtime dependency
 *   dist/functions/<name>.mjs                            each handler alone (the layer external)
 *   dist/server/serve.mjs, retrain-job.mjs                the node:http adapter and the retrain job,
 *                                                        self-contained, for the container image
 *   training-, batch-, monitoring-worker.mjs             the worker threads' scripts, built beside
 *                                                        each bundle that starts them (the layer,
 *                                                        dist/server, dist/offline/runtime) and in
 *                                                        dist/workers (npm start)
 *   the operator console (console/)                       bundled once, carried inside the layer
 *                                                        and the server as a string constant
 *   dist/offline/<name>.mjs + dist/offline/runtime/      the same split for serverless-offline,
 *                                                        which ignores layers: handlers import
 *                                                        the runtime by relative path
 * and prints the sizes. `npm run build`
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { build, type Metafile, type Plugin } from 'esbuild';
import { lambdaFunctionFiles } from '../functions/routes.ts';
import { buildConsoleAssets } from '../lib/console/console-assets.ts';

export const HANDLERS = lambdaFunctionFiles();
const LAYER_PACKAGE = 'credit-score-model';
/** Worker scripts, by the name the code that starts them looks for. */
const WORKERS: [string, string][] = [
  ['training-worker', 'lib/training/training-worker.ts'],
  ['batch-worker', 'lib/trees/batch-worker.ts'],
  ['monitoring-worker', 'lib/monitoring/monitoring-worker.ts'],
];
const LAYER_DIR = `dist/layer/nodejs/node_modules/${LAYER_PACKAGE}`;

// ESM bundles of CommonJS dependencies (pino, prom-client) still call require() for built-ins.
const banner = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};
// The operator console's files travel inside the bundles (lib/console/console-assets.ts).
const consoleFiles = Object.fromEntries(await buildConsoleAssets());
const common = {
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: 'node20',
  sourcemap: 'linked' as const,
  banner,
  metafile: true,
  legalComments: 'none' as const,
  logLevel: 'warning' as const,
  define: { __CONSOLE_ASSETS__: JSON.stringify(consoleFiles) },
  // Only code run from the sources bundles the console itself.
  external: ['esbuild'],
};

/**
 * Lambda mounts layers at /opt; the handlers' one shared import becomes an absolute import of
 * the layer's module there (ES modules do not search NODE_PATH, so no bare specifier).
 */
export const LAYER_IMPORT = `/opt/nodejs/node_modules/${LAYER_PACKAGE}/index.mjs`;
const OFFLINE_RUNTIME_IMPORT = './runtime/layer.mjs';
const layerExternal = (target: string): Plugin => ({
  name: 'layer-external',
  setup(b) {
    b.onResolve({ filter: /\/runtime\/layer(\.ts)?$/ }, () => ({ path: target, external: true }));
  },
});

function size(file: string): string {
  return `${(statSync(file).size / 1024).toFixed(1)} KiB`;
}

function checkOnlyHandler(name: string, meta: Metafile): void {
  // esbuild lists a define as an input of every bundle; it lands only where it is used (the layer).
  const inputs = Object.keys(meta.inputs).filter(
    (i) => !i.startsWith(`functions/${name}.ts`) && !i.startsWith('<define:'),
  );
  if (inputs.length)
    throw new Error(
      `functions/${name}.ts pulls ${inputs.join(', ')} into its bundle: import it through ./runtime/layer.ts`,
    );
}

rmSync('dist', { recursive: true, force: true });
mkdirSync(LAYER_DIR, { recursive: true });
await build({ ...common, entryPoints: ['functions/runtime/layer.ts'], outfile: `${LAYER_DIR}/index.mjs` });
await build({
  ...common,
  entryPoints: ['functions/runtime/layer.ts'],
  outfile: `dist/offline/${OFFLINE_RUNTIME_IMPORT}`,
});
writeFileSync(
  `${LAYER_DIR}/package.json`,
  JSON.stringify(
    { name: LAYER_PACKAGE, version: '1.0.0', type: 'module', main: 'index.mjs', exports: './index.mjs' },
    null,
    2,
  ),
);
const sizes: string[] = [`layer ${LAYER_DIR}/index.mjs: ${size(`${LAYER_DIR}/index.mjs`)}`];
for (const name of HANDLERS) {
  const result = await build({
    ...common,
    entryPoints: [`functions/${name}.ts`],
    outfile: `dist/functions/${name}.mjs`,
    plugins: [layerExternal(LAYER_IMPORT)],
    sourcemap: false,
  });
  checkOnlyHandler(name, result.metafile!);
  await build({
    ...common,
    entryPoints: [`functions/${name}.ts`],
    outfile: `dist/offline/${name}.mjs`,
    plugins: [layerExternal(OFFLINE_RUNTIME_IMPORT)],
    sourcemap: false,
  });
  sizes.push(`function ${name}: ${size(`dist/functions/${name}.mjs`)}`);
}
for (const entry of ['serve', 'retrain-job', 'run-schedule', 'bootstrap']) {
  await build({ ...common, entryPoints: [`scripts/${entry}.ts`], outfile: `dist/server/${entry}.mjs` });
  sizes.push(`server ${entry}: ${size(`dist/server/${entry}.mjs`)}`);
}
// Workers run built JavaScript wherever the code is bundled (lib/parallel/worker-url.ts).
for (const [name, source] of WORKERS) {
  for (const dir of [LAYER_DIR, 'dist/server', 'dist/workers', 'dist/offline/runtime'])
    await build({ ...common, entryPoints: [source], outfile: `${dir}/${name}.mjs`, sourcemap: false });
  sizes.push(`worker ${name}: ${size(`dist/workers/${name}.mjs`)}`);
}
process.stdout.write(sizes.join('\n') + '\n');
