import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/**
 * The compiler's verdict on probe files added to a project: its real options
 * and its real files (a global leaking in from any of them would count), plus
 * the probes, which exist only in memory.
 */
function compileProbes(project: string, probes: Record<string, string>): Record<string, string[]> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(root, project),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${project}`);
  // A check only: no build info, no declarations.
  const options = { ...parsed.options, composite: false, declaration: false, emitDeclarationOnly: false, incremental: false, noEmit: true };
  const virtual = new Map(Object.entries(probes).map(([file, code]) => [path.join(root, file), code]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const code = virtual.get(f);
    return code === undefined ? getSourceFile(f, lang, ...rest) : ts.createSourceFile(f, code, lang);
  };
  const program = ts.createProgram({ rootNames: [...parsed.fileNames, ...virtual.keys()], options, host });
  return Object.fromEntries(
    [...virtual.keys()].map((f) => [
      path.relative(root, f),
      ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
    ]),
  );
}

const usesProcess = 'export const home = process.env.HOME;\n';
const usesDocument = 'export const title = document.title;\n';

describe('tsconfig projects: each side compiles only with the globals it has', () => {
  it('tsconfig.web.json: the renderer and the contract have the DOM, and no Node', () => {
    expect(
      compileProbes('tsconfig.web.json', {
        'src-renderer/probe-process.ts': usesProcess,
        'src-shared/probe-process.ts': usesProcess,
        'src-renderer/probe-document.ts': usesDocument,
      }),
    ).toEqual({
      'src-renderer/probe-process.ts': [expect.stringContaining("Cannot find name 'process'")],
      'src-shared/probe-process.ts': [expect.stringContaining("Cannot find name 'process'")],
      'src-renderer/probe-document.ts': [],
    });
  });

  it('tsconfig.node.json: the main process, the contract and node-side tests have Node, and no DOM', () => {
    expect(
      compileProbes('tsconfig.node.json', {
        'src-main/probe-document.ts': usesDocument,
        'src-shared/probe-document.ts': usesDocument,
        'tests/probe-document.ts': usesDocument,
        'src-main/probe-process.ts': usesProcess,
      }),
    ).toEqual({
      'src-main/probe-document.ts': [expect.stringContaining("Cannot find name 'document'")],
      'src-shared/probe-document.ts': [expect.stringContaining("Cannot find name 'document'")],
      'tests/probe-document.ts': [expect.stringContaining("Cannot find name 'document'")],
      'src-main/probe-process.ts': [],
    });
  });
});
