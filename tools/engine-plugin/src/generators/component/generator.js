'use strict';
const { joinPathFragments, logger, names } = require('@nx/devkit');
const { kinds } = require('./kinds.js');

// The line of eslint.config.mjs the new library's dependency constraint is inserted before.
const CONSTRAINT_ANCHOR = "  { sourceTag: 'type:app'";

/**
 * @param {import('@nx/devkit').Tree} tree
 * @param {{ name: string, kind: string }} options
 */
async function componentGenerator(tree, options) {
  const kind = kinds[options.kind];
  if (kind === undefined) {
    throw new Error(`Unknown kind ${JSON.stringify(options.kind)}; expected one of ${Object.keys(kinds).join(', ')}`);
  }
  const { fileName, className } = names(options.name);
  const root = joinPathFragments('libs', fileName);
  if (tree.exists(root)) throw new Error(`${root} already exists`);

  const rootPackage = readJson(tree, 'package.json');
  const dependencies = {};
  for (const lib of kind.dependsOn) {
    dependencies[`@agentopera/${lib}`] = readJson(tree, `libs/${lib}/package.json`).version;
  }

  writeJson(tree, `${root}/package.json`, {
    name: `@agentopera/${fileName}`,
    version: '0.1.0',
    description: `A ${kind.interfaceName} implementation for AgentOpera engines.`,
    license: 'MIT',
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: {
      '.': { '@agentopera/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    engines: rootPackage.engines,
    sideEffects: false,
    dependencies,
  });
  writeJson(tree, `${root}/project.json`, {
    name: fileName,
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    sourceRoot: `${root}/src`,
    projectType: 'library',
    tags: [`scope:${fileName}`, `kind:${options.kind}`],
    targets: { build: {}, test: {}, lint: {}, typecheck: {} },
  });
  writeJson(tree, `${root}/tsconfig.json`, { extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] });
  writeJson(tree, `${root}/tsconfig.lib.json`, {
    extends: './tsconfig.json',
    compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [] },
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.spec.ts'],
  });
  tree.write(
    `${root}/vitest.config.ts`,
    `import { libTestConfig } from '../../tools/vitest/lib-config.ts';\n\nexport default libTestConfig('${fileName}');\n`,
  );
  tree.write(`${root}/README.md`, readme(fileName, className, options.kind, kind));
  for (const [file, content] of Object.entries(kind.files({ fileName, className }))) {
    tree.write(`${root}/src/${file}`, content);
  }
  addDepConstraint(tree, fileName, kind.allowedTags);

  return () => {
    logger.info(`Run \`npm install\` to link @agentopera/${fileName} into node_modules (and update package-lock.json).`);
  };
}

/** Lets lint enforce what the new library may import, beside the constraints of the other scopes. */
function addDepConstraint(tree, fileName, allowedTags) {
  const path = 'eslint.config.mjs';
  const config = tree.exists(path) ? tree.read(path, 'utf-8') : null;
  if (config === null || !config.includes(CONSTRAINT_ANCHOR)) {
    logger.warn(`Could not find the depConstraints of ${path}; add one for scope:${fileName} by hand.`);
    return;
  }
  const tags = allowedTags.map((tag) => `'${tag}'`).join(', ');
  const line = `  { sourceTag: 'scope:${fileName}', onlyDependOnLibsWithTags: [${tags}] },\n`;
  tree.write(path, config.replace(CONSTRAINT_ANCHOR, line + CONSTRAINT_ANCHOR));
}

function readme(fileName, className, kindName, kind) {
  return `# @agentopera/${fileName}

\`${className}\`: a \`${kind.interfaceName}\` (${kindName}) for AgentOpera engines.

TODO: say what it does differently from the built-in implementation, and when to pick it.

| what | command |
|---|---|
| test (runs the ${kind.interfaceName} conformance kit) | \`npx nx test ${fileName}\` |
| build to \`dist/\` | \`npx nx build ${fileName}\` |

Depends on ${kind.dependsOn.map((lib) => `\`@agentopera/${lib}\``).join(', ')}.
`;
}

function readJson(tree, path) {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} not found`);
  return JSON.parse(text);
}

function writeJson(tree, path, value) {
  tree.write(path, JSON.stringify(value, null, 2) + '\n');
}

module.exports = componentGenerator;
module.exports.default = componentGenerator;
