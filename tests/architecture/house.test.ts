// The house rules of ../shared/DESIGN.md, read off the source itself: layers point one way, the
// core knows no host, and files and functions stay small enough to read in one sitting.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAst } from 'vitest/node';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 80;

interface SourceFile {
  file: string;
  text: string;
  imports: { target: string; typeOnly: boolean }[];
  ast: AstNode;
}
interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function listSources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return listSources(rel);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function* walk(node: unknown): Generator<AstNode> {
  if (Array.isArray(node)) for (const child of node) yield* walk(child);
  else if (node && typeof node === 'object') {
    if (typeof (node as AstNode).type === 'string') yield node as AstNode;
    for (const value of Object.values(node)) if (value && typeof value === 'object') yield* walk(value);
  }
}

/** A relative specifier as the project path it names (`../store/client.js` → `src/core/store/client`). */
function resolveSpecifier(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.(js|ts|tsx)$/, '');
}

function readSource(file: string): SourceFile {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const ast = parseAst(text, { lang: file.endsWith('.tsx') ? 'tsx' : 'ts' }) as unknown as AstNode;
  const imports: SourceFile['imports'] = [];
  for (const node of walk(ast)) {
    const source = (node.source as { value?: unknown } | undefined)?.value;
    if (typeof source !== 'string') continue;
    if (node.type === 'ImportDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ImportExpression') {
      const specifiers = (node.specifiers as { importKind?: string; exportKind?: string }[] | undefined) ?? [];
      const typeOnly =
        node.importKind === 'type' || node.exportKind === 'type' ||
        (specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
      imports.push({ target: resolveSpecifier(file, source), typeOnly });
    }
  }
  return { file, text, imports, ast };
}

const sources = [...listSources('src'), ...listSources('checks')].map(readSource);
const within = (file: string, ...folders: string[]) => folders.some((f) => file === f || file.startsWith(`${f}/`));

/** Every import from a file in `from` into one of `into` (type-only imports too unless `runtimeOnly`). */
function crossings(from: string[], into: string[], options: { runtimeOnly?: boolean; except?: string[] } = {}): string[] {
  return sources.flatMap((s) =>
    within(s.file, ...from) && !within(s.file, ...(options.except ?? []))
      ? s.imports.filter((i) => within(i.target, ...into) && !(options.runtimeOnly && i.typeOnly)).map((i) => `${s.file} → ${i.target}`)
      : [],
  );
}

describe('layers point one way (DESIGN.md: hosts → http → services → monitor/drills/scenarios/outbox → store → domain)', () => {
  it('the domain imports nothing of the project but the domain', () => {
    expect(sources.filter((s) => within(s.file, 'src/core/domain')).flatMap((s) =>
      s.imports.filter((i) => i.target.startsWith('src/') && !within(i.target, 'src/core/domain')).map((i) => `${s.file} → ${i.target}`),
    )).toEqual([]);
  });

  it('the store imports only the store and the domain', () => {
    expect(crossings(['src/core/store'], ['src/core/monitor', 'src/core/drills', 'src/core/scenarios', 'src/core/outbox', 'src/core/services', 'src/http', 'src/hosts'])).toEqual([]);
  });

  it('monitor, drills, scenarios and outbox do not reach up into services, http or hosts', () => {
    expect(crossings(['src/core/monitor', 'src/core/drills', 'src/core/scenarios', 'src/core/outbox'], ['src/core/services', 'src/http', 'src/hosts'])).toEqual([]);
  });

  it('nothing in the core or in http imports a host', () => {
    expect(crossings(['src/core', 'src/http', 'checks'], ['src/hosts'])).toEqual([]);
    expect(crossings(['src/core'], ['src/http'])).toEqual([]);
  });

  it('api and pages do not import each other, and pages leave the store to the read models', () => {
    expect(crossings(['src/http/api'], ['src/http/pages'])).toEqual([]);
    expect(crossings(['src/http/pages'], ['src/http/api'])).toEqual([]);
    expect(crossings(['src/http/pages'], ['src/core/store'], { runtimeOnly: true })).toEqual([]);
  });

  it('no Node-only or Workers-only module outside src/hosts', () => {
    const hostOnly = /^(node:|cloudflare:|better-sqlite3$|undici$|@hono\/node-server|prom-client$)/;
    expect(sources.filter((s) => !within(s.file, 'src/hosts')).flatMap((s) =>
      s.imports.filter((i) => hostOnly.test(i.target)).map((i) => `${s.file} → ${i.target}`),
    )).toEqual([]);
  });
});

describe("the README's Layout section", () => {
  it('names every folder of src/ and checks/ on a line of its own, and no folder that is not there', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const listed = block.split('\n').map((line) => /^(\S+)\//.exec(line)?.[1]).filter((f): f is string => !!f);
    const folders = (dir: string): string[] => [
      dir,
      ...fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => folders(`${dir}/${e.name}`)),
    ];
    expect(listed.filter((f) => f.startsWith('src') || f === 'checks').sort()).toEqual([...folders('src'), ...folders('checks')].sort());
  });
});

describe('files that do one job', () => {
  it(`no file in src/ or checks/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = sources.map((s) => ({ file: s.file, lines: s.text.split('\n').length })).filter((f) => f.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`no function is over ${MAX_FUNCTION_LINES} lines`, () => {
    const functionTypes = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
    const long = sources.flatMap((s) =>
      [...walk(s.ast)].filter((n) => functionTypes.has(n.type)).flatMap((n) => {
        const lines = s.text.slice(n.start, n.end).split('\n').length;
        const line = s.text.slice(0, n.start).split('\n').length;
        return lines > MAX_FUNCTION_LINES ? [`${s.file}:${line} (${lines} lines)`] : [];
      }),
    );
    expect(long).toEqual([]);
  });
});
