// Lint: typescript-eslint with type information, React hooks, accessibility,
// and the house rules (layers, one dispatcher per process, one config
// reader) as lint rules, each with the places it allows.
// tests/rules/house-rules.test.ts proves each house rule catches a breach.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * A house rule: the imports and the syntax it forbids. Several rules apply to
 * one folder, and ESLint keeps only the last options of a rule per file, so
 * `forbid` merges them into one set of options per folder.
 */
const outboundHttp = {
  why: 'Outbound HTTP goes through the engine (one dispatcher per process): src-main/engine only.',
  imports: [
    {
      name: 'undici',
      importNames: [
        'request',
        'fetch',
        'stream',
        'pipeline',
        'connect',
        'upgrade',
        'setGlobalDispatcher',
        'Agent',
        'Pool',
        'Client',
        'BalancedPool',
        'ProxyAgent',
        'EnvHttpProxyAgent',
        'RetryAgent',
      ],
    },
    ...['http', 'https', 'node:http', 'node:https'].map((name) => ({ name, importNames: ['request', 'get', 'Agent'] })),
  ],
  // undici's classes are caught at their import (a namespace import of undici
  // counts too), so another library's `new Client()` is not mistaken for one.
  syntax: [
    "CallExpression[callee.name='fetch']",
    "CallExpression[callee.property.name='fetch'][callee.object.name=/^(globalThis|window|self)$/]",
    'NewExpression[callee.name=/^(XMLHttpRequest|EventSource)$/]',
    'CallExpression[callee.object.name=/^https?$/][callee.property.name=/^(request|get)$/]',
    "CallExpression[callee.name='setGlobalDispatcher']",
  ],
};

const electronImport = {
  why: "Only src-main/electron imports 'electron' (elsewhere it would try to download the binary under plain Node).",
  imports: [{ name: 'electron' }],
  patterns: [{ regex: '^electron/' }],
  syntax: ["CallExpression[callee.name='require'][arguments.0.value='electron']", "ImportExpression[source.value='electron']"],
};

const processEnv = {
  why: 'Settings are read through the ConfigCache: only the engine, the web entry point and the Electron glue read process.env.',
  imports: ['process', 'node:process'].map((name) => ({ name, importNames: ['env'] })),
  syntax: [
    "MemberExpression[object.name='process'][property.name='env']",
    "MemberExpression[object.name='process'][property.value='env']",
    "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
  ],
};

const nodeModules = [...builtinModules, 'undici', 'pino', 'ws', 'dotenv'];

const rendererLayer = {
  why: 'The renderer talks only to VegaApi: it imports src-renderer, src-shared and browser packages, never Node, Electron or src-main.',
  imports: nodeModules.map((name) => ({ name })),
  patterns: [{ regex: '^node:' }, { regex: '^pino' }, { regex: '(^|/)src-main/' }],
  syntax: [],
};

const sharedLayer = {
  why: 'The contract runs on both sides: src-shared imports no Node, no DOM-only code, nothing of src-main or src-renderer.',
  imports: [...nodeModules, 'react', 'react-dom'].map((name) => ({ name })),
  patterns: [{ regex: '^node:' }, { regex: '^pino' }, { regex: '(^|/)src-(main|renderer)/' }],
  syntax: [],
  globals: [
    'window',
    'document',
    'navigator',
    'localStorage',
    'sessionStorage',
    'location',
    'process',
    'Buffer',
    'global',
    '__dirname',
    '__filename',
    'require',
  ],
};

/** The lint rules that enforce the given house rules in one folder. */
function forbid(...forbidden) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: forbidden.flatMap((r) => r.imports.map((i) => ({ ...i, message: r.why }))),
        patterns: forbidden.flatMap((r) => (r.patterns ?? []).map((p) => ({ ...p, message: r.why }))),
      },
    ],
    'no-restricted-syntax': ['error', ...forbidden.flatMap((r) => r.syntax.map((selector) => ({ selector, message: r.why })))],
    'no-restricted-globals': ['error', ...forbidden.flatMap((r) => (r.globals ?? []).map((name) => ({ name, message: r.why })))],
  };
}

/** The house rules per folder; where globs overlap, the later entry wins. */
const houseRules = [
  { files: ['src-main/**/*.ts'], rules: forbid(outboundHttp, electronImport, processEnv) },
  { files: ['src-main/engine/**/*.ts'], rules: forbid(electronImport) },
  { files: ['src-main/electron/**/*.ts'], rules: forbid(outboundHttp) },
  { files: ['src-main/web/serve.ts'], rules: forbid(outboundHttp, electronImport) },
  { files: ['src-renderer/**/*.{ts,tsx}'], rules: forbid(outboundHttp, electronImport, processEnv, rendererLayer) },
  { files: ['src-shared/**/*.ts'], rules: forbid(outboundHttp, electronImport, processEnv, sharedLayer) },
];

export default defineConfig(
  {
    ignores: ['out/', 'dist/', 'test-results/', 'playwright-report/', 'bench/results/', 'node_modules/', '.vega-data/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-named and rest-sibling bindings are how a property is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Off: an async function without await still turns a throw into a rejection, which Promise-returning interfaces rely on.
      '@typescript-eslint/require-await': 'off',
      // React ignores what an event handler returns; Node callbacks (arguments) stay checked.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Plain JavaScript (scripts, this file) is in no tsconfig: no type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['{src-main,scripts,bench,tests}/**/*.{ts,tsx,js,mjs,mts}', '*.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['tests/**', 'bench/**'],
    rules: {
      // Off in tests and bench: they read untyped JSON bodies (any) and check them with expect, the check that matters there.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Off in tests and bench: `expect(spy.method)` passes a method without calling it.
      '@typescript-eslint/unbound-method': 'off',
      // Off in tests and bench: they stringify loose values on purpose (ws frames arrive as Buffers, fuzz inputs are anything).
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    extends: [reactHooks.configs.flat.recommended, jsxA11y.flatConfigs.recommended],
    rules: {
      'react-hooks/exhaustive-deps': 'error',
      // A region that scrolls must take focus to scroll by keyboard (axe's scrollable-region-focusable, run by the e2e scans).
      'jsx-a11y/no-noninteractive-tabindex': ['error', { tags: ['pre'], roles: ['tabpanel', 'region'] }],
    },
  },
  ...houseRules,
  {
    rules: {
      // Long lines that Prettier cannot break (comments) must be wrapped by hand.
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
);
