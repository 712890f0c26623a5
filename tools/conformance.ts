/**
 * `npm run conformance -- <mode> FILE [--out results.json]`: conformance suites run outside vitest.
 * Modes are entries of MODES; `kql-docs` runs KQL documentation cases (cases.jsonl format) and ends
 * with the line `N passed, M failed`. Further modes (e.g. `hunting`) are added to MODES.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runHuntingConformance } from './conformance/hunting.ts';
import { runDocsCases, type CaseOutcome, type DocsCase } from './conformance/docs-runner.ts';

/** A conformance mode: runs with the positional arguments and options; returns the exit code. */
type Mode = (args: string[], opts: { out?: string }) => Promise<number>;

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

const kqlDocs: Mode = async (args, opts) => {
  const file = args[0];
  if (!file) throw new Error('usage: conformance kql-docs FILE.jsonl [--out results.json]');
  const cases: DocsCase[] = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as DocsCase);
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
  return 0;
};

/** Conformance modes by name. */
export const MODES: Record<string, Mode> = {
  'kql-docs': kqlDocs,
  hunting: runHuntingConformance,
};

async function main(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  const opts: { out?: string } = {};
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--out') opts.out = rest[++i];
    else args.push(rest[i]);
  }
  const run = MODES[mode ?? ''];
  if (!run) {
    console.error(`usage: conformance <${Object.keys(MODES).join('|')}> FILE [--out results.json]`);
    return 2;
  }
  return run(args, opts);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
