import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

// The house rules are written in these rules of eslint.config.js; the test
// runs that config with only them (no type information needed, so it is quick).
const HOUSE_RULES = ['no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals'];

/** Each house rule's message, by a phrase of it. */
const RULE = {
  http: 'one dispatcher per process',
  electron: "Only src-main/electron imports 'electron'",
  env: 'through the ConfigCache',
  renderer: 'The renderer talks only to VegaApi',
  shared: 'The contract runs on both sides',
} as const;
type Rule = keyof typeof RULE;

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: false, program: null } } },
    ruleFilter: ({ ruleId }) => HOUSE_RULES.includes(ruleId),
  });
});

function houseMessages(results: ESLint.LintResult[]) {
  return results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId !== null && HOUSE_RULES.includes(m.ruleId))
      .map((m) => ({ file: path.relative(root, r.filePath), line: m.line, message: m.message })),
  );
}

/** Which house rules a snippet breaks, as if it were the file at `file`. */
async function broken(file: string, code: string): Promise<Rule[]> {
  const messages = houseMessages(await eslint.lintText(code, { filePath: path.join(root, file) }));
  const rules = new Set(
    messages.map((m) => (Object.keys(RULE) as Rule[]).find((k) => m.message.includes(RULE[k])) ?? (`unknown: ${m.message}` as Rule)),
  );
  return [...rules].sort();
}

describe('house rules, as lint rules', () => {
  it.each<[string, string, Rule[]]>([
    // One dispatcher per process: outbound HTTP only in src-main/engine.
    ['src-main/providers/probe-x.ts', "export const r = fetch('http://127.0.0.1:1/');", ['http']],
    ['src-main/chat/probe-x.ts', "export const r = globalThis.fetch('http://127.0.0.1:1/');", ['http']],
    ['src-main/integrations/probe-x.ts', "import { request } from 'undici';\nexport { request };", ['http']],
    ['src-main/integrations/probe-x.ts', "import { Agent } from 'undici';\nexport const a = new Agent();", ['http']],
    [
      'src-main/integrations/probe-x.ts',
      "import * as undici from 'undici';\nexport const p = new undici.Pool('http://127.0.0.1:1');",
      ['http'],
    ],
    ['src-main/web/probe-x.ts', "import http from 'node:http';\nhttp.get('http://127.0.0.1:1/');", ['http']],
    ['src-main/app/probe-x.ts', "import { request } from 'node:https';\nexport { request };", ['http']],
    ['src-main/app/probe-x.ts', "import { setGlobalDispatcher } from 'undici';\nsetGlobalDispatcher(undefined as never);", ['http']],
    ['src-renderer/app/probe-x.ts', 'export const x = new XMLHttpRequest();', ['http']],
    ['src-renderer/app/probe-x.ts', "export const e = new EventSource('/events');", ['http']],
    ['src-shared/probe-x.ts', "export const r = fetch('/x');", ['http']],
    [
      'src-main/engine/probe-x.ts',
      "import { Agent, request } from 'undici';\nexport const a = new Agent();\nexport const r = fetch('http://127.0.0.1:1/');\nexport { request };",
      [],
    ],
    ['src-main/providers/probe-x.ts', "import type { Dispatcher } from 'undici';\nexport type D = Dispatcher;", []],
    [
      'src-main/chat/probe-x.ts',
      'export const f = (cache: { fetch(k: string): number }) => cache.fetch("k") + prefetch();\ndeclare function prefetch(): number;',
      [],
    ],
    [
      'src-main/mcp/probe-x.ts',
      "import { Client } from '@modelcontextprotocol/sdk/client/index.js';\nexport const c = new Client({ name: 'vega', version: '1' });",
      [],
    ],
    // Only src-main/electron imports 'electron', even for types.
    ['src-main/app/probe-x.ts', "import { app } from 'electron';\nexport { app };", ['electron']],
    ['src-main/web/probe-x.ts', "import type { App } from 'electron';\nexport type A = App;", ['electron']],
    ['src-main/engine/probe-x.ts', "export const e = require('electron') as unknown;", ['electron']],
    ['src-main/chat/probe-x.ts', "export const e = import('electron');", ['electron']],
    ['src-renderer/app/probe-x.ts', "import { ipcRenderer } from 'electron/renderer';\nexport { ipcRenderer };", ['electron']],
    ['src-main/electron/probe-x.ts', "import { app } from 'electron';\nexport { app };", []],
    // Settings come from the ConfigCache: process.env only in the engine and the two entry points.
    ['src-main/chat/probe-x.ts', 'export const h = process.env.HOME;', ['env']],
    ['src-main/providers/probe-x.ts', "export const h = process['env'];", ['env']],
    ['src-main/web/host-x.ts', 'const { env } = process;\nexport { env };', ['env']],
    ['src-main/app/probe-x.ts', "import { env } from 'node:process';\nexport { env };", ['env']],
    ['src-main/app/probe-x.ts', 'export const p = process.platform;', []],
    ['src-main/engine/probe-x.ts', 'export const h = process.env.HOME;', []],
    ['src-main/web/serve.ts', 'export const b = process.env.BROWSER;', []],
    ['src-main/electron/probe-x.ts', 'export const d = process.env.DISPLAY;', []],
    // The renderer: src-renderer, src-shared and browser packages only.
    ['src-renderer/chat/probe-x.ts', "import { readFileSync } from 'node:fs';\nexport { readFileSync };", ['renderer']],
    ['src-renderer/chat/probe-x.ts', "import path from 'path';\nexport { path };", ['renderer']],
    ['src-renderer/chat/probe-x.ts', "import type { Logger } from 'pino';\nexport type L = Logger;", ['renderer']],
    ['src-renderer/chat/probe-x.ts', "import { APP_VERSION } from '../../src-main/app/version.js';\nexport { APP_VERSION };", ['renderer']],
    [
      'src-renderer/chat/probe-x.tsx',
      "import { useState } from 'react';\nimport { z } from 'zod';\nimport { CHANNELS } from '../../src-shared/channels.js';\nexport { useState, z, CHANNELS };",
      [],
    ],
    // The contract: no Node, no DOM-only globals, no main or renderer code.
    ['src-shared/probe-x.ts', "import { createHash } from 'node:crypto';\nexport { createHash };", ['shared']],
    ['src-shared/probe-x.ts', 'export const t = document.title;', ['shared']],
    ['src-shared/probe-x.ts', 'export const p = process.platform;', ['shared']],
    ['src-shared/probe-x.ts', "import { useState } from 'react';\nexport { useState };", ['shared']],
    ['src-shared/probe-x.ts', "import type { Dispatcher } from 'undici';\nexport type D = Dispatcher;", ['shared']],
    ['src-shared/probe-x.ts', "import { Toasts } from '../src-renderer/app/Toasts.js';\nexport { Toasts };", ['shared']],
    [
      'src-shared/probe-x.ts',
      "import { z } from 'zod';\nexport const s = z.string();\nexport const id = globalThis.crypto.randomUUID();",
      [],
    ],
    // Tests, bench and scripts talk to stand-ins: none of this applies there.
    ['tests/web/probe-x.test.ts', "export const r = fetch('http://127.0.0.1:1/');\nexport const h = process.env.HOME;", []],
    ['bench/probe-x.ts', "import { Agent } from 'undici';\nexport const a = new Agent();", []],
  ])('%s: %j breaks %j', async (file, code, expected) => {
    expect(await broken(file, code)).toEqual(expected);
  });

  it('the real tree keeps every house rule', async () => {
    expect(houseMessages(await eslint.lintFiles(['src-main', 'src-renderer', 'src-shared']))).toEqual([]);
  });
});
