import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src-shared/config-keys.js';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('documents every configuration key with its default', () => {
    for (const k of CONFIG_KEYS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${k.key}\` |`));
      expect(row, k.key).toBeDefined();
      if (k.default) expect(row, k.key).toContain(`\`${k.default}\``);
    }
  });

  it('shows the set-up commands', () => {
    for (const c of ['npm install', 'npm start', 'npm test']) expect(readme).toContain(c);
  });
});
