/**
 * `npm run conformance -- <mode> FILE… [--out results.json] [--min-pass RATIO]`: conformance suites
 * run outside vitest, over the shared corpus. Modes are entries of MODES: `kql-docs` runs KQL
 * documentation cases (cases.jsonl format), `hunting` runs hunting-query files on a seeded data set,
 * `tenant-scope` checks the tenant and device-group predicates of every compiled query of
 * hunting-query files, `api-samples` checks Palisade's API objects and ingest against real MDE
 * samples. Each ends with the line `N passed, M failed`. With `--min-pass RATIO` the mode is a gate:
 * the process exits 1 when passed / (passed + failed) is below RATIO, or when the mode reports a
 * problem outside that ratio (e.g. an allow-list entry that no longer matters).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runApiSamplesConformance } from './conformance/api-samples.ts';
import { runDocsCases, type CaseOutcome, type DocsCase } from './conformance/docs-runner.ts';
import { runHuntingConformance } from './conformance/hunting.ts';
import { usesOnlyListed } from './conformance/listed.ts';
import type { ModeResult } from './conformance/mode.ts';
import { runTenantScopeConformance } from './conformance/tenant-scope.ts';

/** A conformance mode: runs with the positional arguments and options; returns its score. */
type Mode = (args: string[], opts: { out?: string }) => Promise<ModeResult>;

function tally(outcomes: CaseOutcome[], key: (o: CaseOutcome) => string): Map<string, { pass: number; total: number }> {
  const m = new Map<string, { pass: number; total: number }>();
  for (const o of outcomes) {
    const k = key(o);
    const t = m.get(k) ?? { pass: 0, total: 0 };
    t.total++;
    if (o.status === 'pass') t.pass++;
    m.set(k, t);
  }
  return m;
}

/** `kql-docs FILE [--listed-only]`: with --listed-only, only the cases that use nothing but listed operators and functions. */
const kqlDocs: Mode = async (args, opts) => {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: conformance kql-docs FILE.jsonl [--listed-only] [--out results.json] [--min-pass RATIO]');
  let cases: DocsCase[] = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as DocsCase);
  if (args.includes('--listed-only')) cases = cases.filter((c) => usesOnlyListed(c.operators ?? {}, c.functions ?? {}));
  const outcomes = await runDocsCases(cases);
  console.log('by category:');
  for (const [k, t] of [...tally(outcomes, (o) => o.category)].sort()) console.log(`  ${k.padEnd(24)} ${t.pass}/${t.total}`);
  const listed = outcomes.filter((o) => o.listedOnly);
  const listedPass = listed.filter((o) => o.status === 'pass').length;
  console.log(`using only listed operators/functions: ${listedPass}/${listed.length}`);
  const info = outcomes.filter((o) => o.informational);
  console.log(`informational (random/approximate): ${info.filter((o) => o.status === 'pass').length}/${info.length} match`);
  if (opts.out) writeFileSync(opts.out, JSON.stringify(outcomes, null, 2));
  const passed = outcomes.filter((o) => o.status === 'pass').length;
  console.log(`${passed} passed, ${outcomes.length - passed} failed`);
  return { passed, failed: outcomes.length - passed, problems: [] };
};

/** Conformance modes by name. */
export const MODES: Record<string, Mode> = {
  'kql-docs': kqlDocs,
  hunting: runHuntingConformance,
  'tenant-scope': runTenantScopeConformance,
  'api-samples': runApiSamplesConformance,
};

/** Parses `--min-pass RATIO` (a number in [0, 1]). */
function ratio(text: string | undefined): number {
  const r = Number(text);
  if (text === undefined || !Number.isFinite(r) || r < 0 || r > 1) throw new Error(`--min-pass takes a ratio between 0 and 1, got ${text ?? 'nothing'}`);
  return r;
}

async function main(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  const opts: { out?: string } = {};
  let minPass: number | undefined;
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--out') opts.out = rest[++i];
    else if (rest[i] === '--min-pass') minPass = ratio(rest[++i]);
    else args.push(rest[i]);
  }
  const run = MODES[mode ?? ''];
  if (!run) {
    console.error(`usage: conformance <${Object.keys(MODES).join('|')}> FILE… [--out results.json] [--min-pass RATIO]`);
    return 2;
  }
  const { passed, failed, problems } = await run(args, opts);
  if (minPass === undefined) return 0;
  const total = passed + failed;
  const got = total ? passed / total : 0;
  for (const p of problems) console.log(`problem: ${p}`);
  const ok = total > 0 && got >= minPass && problems.length === 0;
  console.log(`gate ${mode}: ${passed}/${total} = ${got.toFixed(4)} (min-pass ${minPass})${problems.length ? `, ${problems.length} problem(s)` : ''}: ${ok ? 'ok' : 'FAILED'}`);
  return ok ? 0 : 1;
}

// exit explicitly: a mode's in-process server may leave idle handles behind once it is closed
main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
