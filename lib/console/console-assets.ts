/**
 * The operator console's files (console/: Preact + htm, bundled by esbuild). Built code carries
 * them inside (scripts/build.ts defines __CONSOLE_ASSETS__, so Lambda, the container and npm
 * start serve them with nothing beside the bundle); code run from the TypeScript sources (tests,
 * a checkout) bundles them on first use.
 */
export interface ConsoleAsset {
  body: string;
  contentType: string;
}

declare const __CONSOLE_ASSETS__: Record<string, ConsoleAsset> | undefined;

/** The console's entry and its output names: one script and one stylesheet. */
export const CONSOLE_ENTRY = 'console/src/main.ts';

let assets: Promise<Map<string, ConsoleAsset>> | null = null;

export function consoleAssets(): Promise<Map<string, ConsoleAsset>> {
  assets ??=
    typeof __CONSOLE_ASSETS__ !== 'undefined'
      ? Promise.resolve(new Map(Object.entries(__CONSOLE_ASSETS__)))
      : buildConsoleAssets();
  return assets;
}

/** Bundles the console with esbuild (a build-time tool: only loaded where the sources are). */
export async function buildConsoleAssets(): Promise<Map<string, ConsoleAsset>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    outdir: 'console-out',
    entryNames: 'app',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const files = new Map<string, ConsoleAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    files.set(name, {
      body: file.text,
      contentType: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
    });
  }
  return files;
}
