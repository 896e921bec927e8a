import { basename, dirname, join } from 'node:path';
import { build } from 'vite';

/**
 * Bundles a TypeScript entry (and the workspace libraries it imports, resolved to their source)
 * into one plain ESM file that `node` runs directly. Tests use it for child processes: libraries
 * resolve to TypeScript only inside Vitest, and a bundled child starts in tens of milliseconds.
 * Packages from node_modules stay external, so native modules and large clients load as usual.
 */
export async function bundleForChild(entry: string, outDir: string, options: { external?: (id: string) => boolean } = {}): Promise<string> {
  const conditions = ['@agentopera/source', 'node', 'import', 'default'];
  const fileName = `${basename(entry).replace(/\.ts$/, '')}.mjs`;
  await build({
    configFile: false,
    logLevel: 'silent',
    root: dirname(entry),
    resolve: { conditions },
    ssr: {
      noExternal: options.external === undefined ? true : undefined,
      resolve: { conditions, externalConditions: conditions },
    },
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: false,
      minify: false,
      target: 'node20',
      rollupOptions: { external: options.external, output: { format: 'esm', entryFileNames: fileName } },
    },
  });
  return join(outDir, fileName);
}
