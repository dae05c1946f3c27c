// The detector's worker thread loads its own copy of every module it imports. The config
// schemas (zod) cost a worker importing the detector 10 MB of resident memory (35.0 → 24.7),
// so the worker's module graph must not reach them: it gets the parsed config from the main
// thread. Walked from the sources with TypeScript's parser: `import type` is erased at build,
// everything else is loaded.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** The module specifiers a source file loads at run time (static, re-exports and dynamic import()). */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every project file (relative to src/) and package an entry loads, transitively. */
function moduleGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string): void => {
    const rel = relative(SRC, file);
    if (files.has(rel)) return;
    files.add(rel);
    for (const spec of runtimeSpecifiers(file)) {
      if (spec.startsWith('.')) walk(join(dirname(file), spec).replace(/\.js$/, '.ts'));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  walk(join(SRC, entry));
  return { files, packages };
}

describe("the detector worker's module graph", () => {
  it('loads the detector and ONNX Runtime but neither zod nor the config schemas', () => {
    const g = moduleGraph('detect/worker.ts');
    expect(g.files).toContain('detect/detector.ts');
    expect(g.files).toContain('config/model-files.ts');
    expect(g.packages).toContain('onnxruntime-node');
    expect(g.packages).not.toContain('zod');
    expect([...g.files].filter((f) => f.startsWith('config/'))).toEqual(['config/model-files.ts']);
  });

  it('finds zod where it is loaded (the walk sees what it must keep out)', () => {
    const g = moduleGraph('config/load.ts');
    expect(g.packages).toContain('zod');
    expect(g.files).toContain('config/schema.ts');
    // `import type` only: erased at build.
    expect(moduleGraph('detect/worker-protocol.ts').files).not.toContain('config/load.ts');
  });
});
