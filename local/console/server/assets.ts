/**
 * The page itself: index.html and console.css as written, and the page's TypeScript
 * (local/console/client/) bundled by esbuild, in memory, on the first request for it. Nothing is
 * written to disk and nothing of it is in any synthesized template or bundle: the console exists
 * only in a running `npm start`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const CLIENT = join(__dirname, '..', 'client');

export interface Asset {
  readonly type: string;
  readonly body: string;
}

let bundle: Promise<string> | undefined;

/** The page's script, built once per run. */
async function buildScript(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(CLIENT, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** The asset at a path under the console, or undefined when there is none. */
export async function assetAt(path: string): Promise<Asset | undefined> {
  switch (path) {
    case '/':
      return { type: 'text/html; charset=utf-8', body: await readFile(join(CLIENT, 'index.html'), 'utf8') };
    case '/console.css':
      return { type: 'text/css; charset=utf-8', body: await readFile(join(CLIENT, 'console.css'), 'utf8') };
    case '/app.js':
      bundle ??= buildScript().catch((error: unknown) => {
        bundle = undefined;
        throw error;
      });
      return { type: 'text/javascript; charset=utf-8', body: await bundle };
    default:
      return undefined;
  }
}
