/**
 * `npm run lint` (after eslint): the import boundaries of DESIGN.md §2. dependency-cruiser reads the
 * import graph of src/ and tools/ and checks the rules of .dependency-cruiser.cjs (no runtime cycle,
 * kql/ imports no store/, the domain and the use cases import no framework or driver, …); then the
 * graph is collapsed to the folders of src/ (src/<folder>/…) and any cycle between folders is
 * reported. Exits 1 when anything is found. tools/check-boundaries.test.ts shows each rule firing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

/** The repository root. */
const REPO_ROOT = resolve(import.meta.dirname, '..');

/** The project's rules and options (.dependency-cruiser.cjs at the repository root). */
export function projectRules(): IConfiguration {
  return createRequire(import.meta.url)(resolve(REPO_ROOT, '.dependency-cruiser.cjs')) as IConfiguration;
}

/** The top-level folder of src/ a module path lies in (`src/kql/bind/x.ts` → `kql`), or null. */
function srcFolder(path: string): string | null {
  return /^src\/([^/]+)\//.exec(path)?.[1] ?? null;
}

/**
 * Cycles between the folders of src/, one line per strongly connected set of folders, each edge
 * named by one import that makes it (`kql → store (src/kql/a.ts imports src/store/b.ts)`).
 */
export function folderCycles(result: ICruiseResult): string[] {
  const edges = new Map<string, Map<string, string>>();
  for (const m of result.modules) {
    const from = srcFolder(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = srcFolder(d.resolved);
      if (!to || to === from) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `${m.source} imports ${d.resolved}`);
      edges.set(from, out);
    }
  }
  // Tarjan's strongly connected components over the folder graph
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sets: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const set: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        set.push(w);
      } while (w !== v);
      if (set.length > 1) sets.push(set.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return sets.map((set) => {
    const inside = set.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => set.includes(b)).map(([b, why]) => `${a} → ${b} (${why})`));
    return `folders ${set.join(', ')} import each other: ${inside.join('; ')}`;
  });
}

/**
 * Every boundary violation of the tree under `root` (its src/ and tools/ folders), as readable
 * lines: the rules' violations, then the folder cycles. Empty when the tree keeps its boundaries.
 */
export async function checkBoundaries(root: string = REPO_ROOT, rules: IConfiguration = projectRules()): Promise<string[]> {
  const { forbidden, options } = rules;
  // paths relative to baseDir, as the rules name them
  const roots = ['src', 'tools'].filter((d) => existsSync(resolve(root, d)));
  const reported = await cruise(roots, { ...options, baseDir: root, ruleSet: { forbidden }, validate: true }, {}, {});
  const result = reported.output as ICruiseResult;
  const lines = result.summary.violations.map((v) => {
    const cycle = v.cycle?.length ? ` (cycle: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')})` : '';
    return `${v.rule.name}: ${v.from} → ${v.to}${cycle}`;
  });
  return [...lines, ...folderCycles(result).map((c) => `no-folder-cycle: ${c}`)];
}

// `node --import tsx tools/check-boundaries.ts [ROOT]`: ROOT defaults to this repository
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const found = await checkBoundaries(process.argv[2] ? resolve(process.argv[2]) : REPO_ROOT);
  for (const line of found) console.error(line);
  if (found.length) {
    console.error(`${found.length} import boundary violation(s) (see .dependency-cruiser.cjs and docs/architecture.md)`);
    process.exitCode = 1;
  } else console.log('import boundaries: ok');
}
