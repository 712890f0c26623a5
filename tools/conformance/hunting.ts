/**
 * The `hunting` conformance mode: runs every query of a hunting-queries file (JSON lines with a
 * `query` field; optional `dialect`, `parses_clean`, `tables`, `name`) against the seeded data set
 * through the real HuntingService, and counts which execute without error. Queries that use
 * `externaldata` or `invoke FileProfile` are reported separately; with `--dialect defender` and
 * `--clean-only` the run is restricted as the acceptance criterion describes.
 *
 * "Parses cleanly": a case's `parses_clean` field decides when present. When absent (the client
 * query files), a query parses cleanly when Microsoft's parser reports no syntax error and
 * Microsoft's analyzer, given Palisade's schema, reports no error; other queries are reported as
 * `syntax` or `semantic` with Kusto's message and are not counted in `N passed, M failed`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getTable, TABLES } from '../../src/schema/registry.ts';
import { parseKql } from '../../src/kql/parse/parse.ts';
import { analyzeKql } from '../../src/kql/parse/semantic-check.ts';
import { PalisadeError } from '../../src/domain/errors.ts';
import { systemCtx } from '../../src/domain/context.ts';
import { seedDataset, SEED_TENANT } from './seed-dataset.ts';
import { allowListed, DEFAULT_ALLOW_LIST, loadAllowList } from './allow-list.ts';
import { tableReferences } from './table-references.ts';
import type { ModeResult } from './mode.ts';

interface QueryCase {
  query: string;
  name?: string;
  path?: string;
  dialect?: string;
  parses_clean?: boolean;
  tables?: string[];
}

/** Outcome of one query. */
export interface HuntingOutcome {
  index: number;
  name: string;
  category: string;
  /**
   * `syntax`: Microsoft's parser reports a syntax error; `semantic`: Microsoft's analyzer, given
   * Palisade's schema, reports an error (unknown name, wrong type, …). Either way the query does not
   * parse cleanly and is counted apart from pass/fail (only for cases without `parses_clean`, and
   * only when the query fails: one that runs is a pass). `allow-listed`: it fails and the project's
   * allow-list says it is wrong at its source (the reason is appended to the error).
   */
  status: 'pass' | 'fail' | 'excluded' | 'syntax' | 'semantic' | 'allow-listed';
  error?: string;
  rows?: number;
}

const EXCLUDED = /\bexternaldata\b|\binvoke\s+FileProfile\b/i;

/**
 * Advanced-hunting tables of Microsoft 365 Defender (and Sentinel) that Palisade does not have
 * (e-mail, identity, cloud apps, exposure graph, …), as patterns over one table name. A query that
 * reads one (its table references, from the syntax tree) is outside the data Palisade holds.
 */
const FOREIGN_TABLE = /^(Email\w*|Identity\w+|CloudAppEvents|CloudAuditEvents|UrlClickEvents|AADSignInEventsBeta|AADSpnSignInEventsBeta|BehaviorEntities|BehaviorInfo|ExposureGraph\w+|DeviceTvm\w+|DeviceBaselineCompliance\w+|MessageEvents|MessagePostDeliveryEvents|MessageUrlInfo|OAuthAppInfo|SecurityAlert|SecurityEvent|SigninLogs|AuditLogs|CommonSecurityLog|DeviceAlertEvents|Syslog|OfficeActivity|ThreatIntelligenceIndicator)$/;

/** Whether the query reads a table of FOREIGN_TABLE. */
function readsForeignTable(query: string): boolean {
  return tableReferences(query).some((t) => FOREIGN_TABLE.test(t));
}

const TABLE_NAME_RES = TABLES.map((t) => ({ name: t.name, re: new RegExp(`\\b${t.name}\\b`) }));

/** Wildcard table patterns (`Device*`) in `union` operands that match at least one registry table. */
function unionWildcards(query: string): string[] {
  const out = new Set<string>();
  for (const seg of query.match(/\bunion\b[^|;]*/g) ?? []) {
    for (const m of seg.matchAll(/\b([A-Za-z_]\w*)\*/g)) {
      if (TABLES.some((t) => t.name.startsWith(m[1]))) out.add(`${m[1]}*`);
    }
  }
  return [...out];
}

/**
 * The known tables a case uses, joined with `+`: its `tables` field when present, otherwise the
 * registry's table names that occur as whole words in the query text, plus `union` wildcards such
 * as `Device*` that match registry tables.
 */
function category(c: QueryCase): string {
  const tables = c.tables
    ? c.tables.filter((t) => getTable(t))
    : [...TABLE_NAME_RES.filter((t) => t.re.test(c.query)).map((t) => t.name), ...unionWildcards(c.query)];
  return tables.length ? [...tables].sort().join('+') : 'no-known-table';
}

function position(e: unknown): string {
  const d = e instanceof PalisadeError ? e.details : undefined;
  return d && typeof d.line === 'number' && typeof d.column === 'number' ? ` [at line ${d.line}, column ${d.column}]` : '';
}

/** Why a case without `parses_clean` does not parse cleanly, or null when it does. */
function notClean(query: string): { status: 'syntax' | 'semantic'; error: string } | null {
  try {
    parseKql(query);
  } catch (e) {
    return { status: 'syntax', error: `${e instanceof Error ? e.message : String(e)}${position(e)}` };
  }
  const { errors } = analyzeKql(query);
  if (!errors.length) return null;
  // one line per distinct message (first occurrence), at most three
  const distinct = errors.filter((x, i) => errors.findIndex((y) => y.message === x.message) === i);
  const shown = distinct.slice(0, 3).map((x) => `${x.message} [${x.code} at line ${x.line}, column ${x.column}]`);
  const more = errors.length > shown.length ? ` (+${errors.length - shown.length} more)` : '';
  return { status: 'semantic', error: shown.join('; ') + more };
}

/**
 * Runs the mode; returns its score. With `--allow-list-all-used`, an allow-list entry that matches no
 * failing query of the file is a problem (the entry no longer matters and should go).
 */
export async function runHuntingConformance(args: string[], opts: { out?: string }): Promise<ModeResult> {
  const file = args.find((a, i) => !a.startsWith('--') && !['--dialect', '--allow-list', '--out'].includes(args[i - 1]));
  if (!file) throw new Error('usage: conformance hunting FILE.jsonl [--dialect defender] [--clean-only] [--allow-list FILE] [--allow-list-all-used] [--out results.json] [--min-pass RATIO]');
  const dialectIdx = args.indexOf('--dialect');
  const dialect = dialectIdx >= 0 ? args[dialectIdx + 1] : undefined;
  const cleanOnly = args.includes('--clean-only');
  const allowIdx = args.indexOf('--allow-list');
  const allowList = loadAllowList(allowIdx >= 0 ? args[allowIdx + 1] : DEFAULT_ALLOW_LIST);
  let cases = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as QueryCase);
  const total = cases.length;
  const leftOut: string[] = [];
  if (dialect) {
    const n = cases.length;
    cases = cases.filter((c) => !c.dialect || c.dialect === dialect);
    if (n > cases.length) leftOut.push(`${n - cases.length} of another dialect than ${dialect}`);
  }
  if (cleanOnly) {
    const n = cases.length;
    cases = cases.filter((c) => c.parses_clean !== false);
    if (n > cases.length) leftOut.push(`${n - cases.length} marked parses_clean: false`);
  }
  // Only queries whose declared tables all exist in Palisade (when the file declares tables).
  const before = cases.length;
  cases = cases.filter((c) => (!c.tables?.length || c.tables.every((t) => getTable(t))) && !readsForeignTable(c.query));
  const foreign = before - cases.length;
  if (foreign) leftOut.push(`${foreign} use tables Palisade does not have`);

  const streamingDir = resolve(import.meta.dirname, '../../../shared/corpus/api-samples/streaming');
  const { stack, rows } = await seedDataset({ streamingDir });
  console.log(`seeded ${rows} rows; ${total} queries in the file, running ${cases.length}` +
    (leftOut.length ? ` (left out: ${leftOut.join('; ')})` : ''));
  const ctx = systemCtx(SEED_TENANT, ['AdvancedQuery.Read.All']);
  const outcomes: HuntingOutcome[] = [];
  try {
    for (const [index, c] of cases.entries()) {
      const name = c.name ?? c.path ?? `#${index}`;
      if (EXCLUDED.test(c.query)) {
        outcomes.push({ index, name, category: 'externaldata/FileProfile', status: 'excluded' });
        continue;
      }
      let error: string;
      try {
        const r = await stack.hunting.run({ ...ctx, authz: { checked: false } }, c.query);
        outcomes.push({ index, name, category: category(c), status: 'pass', rows: r.stats.rowsReturned });
        continue;
      } catch (e) {
        error = e instanceof PalisadeError && e.expose ? e.message : `internal: ${e instanceof Error ? e.message : String(e)}`;
      }
      // A query that fails is not counted against Palisade when Microsoft's parser or analyzer rejects
      // it too (files without parses_clean), or when the allow-list says it is wrong at its source.
      const reject = c.parses_clean === undefined ? notClean(c.query) : null;
      const listed = allowListed(allowList, c.name, c.query);
      if (reject) outcomes.push({ index, name, category: 'does not parse cleanly', ...reject });
      else if (listed) outcomes.push({ index, name, category: 'wrong at source', status: 'allow-listed', error: `${error} — ${listed.reason}` });
      else outcomes.push({ index, name, category: category(c), status: 'fail', error });
    }
  } finally {
    await stack.close();
  }
  const by = new Map<string, { pass: number; total: number }>();
  for (const o of outcomes.filter((x) => x.status === 'pass' || x.status === 'fail')) {
    const t = by.get(o.category) ?? { pass: 0, total: 0 };
    t.total++;
    if (o.status === 'pass') t.pass++;
    by.set(o.category, t);
  }
  console.log('by tables:');
  for (const [k, t] of [...by].sort((a, b) => b[1].total - a[1].total)) console.log(`  ${k.padEnd(48)} ${t.pass}/${t.total}`);
  const reasons = new Map<string, number>();
  for (const o of outcomes.filter((x) => x.status === 'fail')) {
    const key = (o.error ?? '').replace(/'[^']*'/g, "'…'").slice(0, 90);
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  if (reasons.size) {
    console.log('most common errors:');
    for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(n).padStart(4)}  ${k}`);
  }
  const excluded = outcomes.filter((o) => o.status === 'excluded').length;
  console.log(`excluded (externaldata / invoke FileProfile): ${excluded}`);
  const unclean = outcomes.filter((o) => o.status === 'syntax' || o.status === 'semantic');
  if (unclean.length) {
    const syntax = unclean.filter((o) => o.status === 'syntax').length;
    console.log(`not counted: ${unclean.length} queries that do not parse cleanly: ${syntax} with syntax errors ` +
      `(Microsoft's parser), ${unclean.length - syntax} with semantic errors (Microsoft's analyzer, Palisade's schema)`);
    for (const o of unclean) console.log(`  ${o.status.padEnd(8)} #${o.index} ${o.name}: ${o.error ?? ''}`);
  }
  const wrong = outcomes.filter((o) => o.status === 'allow-listed');
  if (wrong.length) {
    console.log(`not counted: ${wrong.length} queries that fail because they are wrong at their source (conformance/corpus-allow-list.json):`);
    for (const o of wrong) console.log(`  #${o.index} ${o.name}: ${o.error ?? ''}`);
  }
  if (opts.out) writeFileSync(opts.out, JSON.stringify(outcomes, null, 2));
  const counted = outcomes.filter((o) => o.status === 'pass' || o.status === 'fail');
  const passed = counted.filter((o) => o.status === 'pass').length;
  console.log(`${passed} passed, ${counted.length - passed} failed`);
  const unused = args.includes('--allow-list-all-used') ? allowList.filter((e) => !wrong.some((o) => o.name === e.name)) : [];
  return { passed, failed: counted.length - passed, problems: unused.map((e) => `allow-list entry ${e.name} (${e.querySha256}) matches no failing query`) };
}
