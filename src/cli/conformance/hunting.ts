/**
 * The `hunting` conformance mode: runs every query of a hunting-queries file (JSON lines with a
 * `query` field; optional `dialect`, `parses_clean`, `tables`, `name`) against the seeded data set
 * through the real HuntingService, and counts which execute without error. Queries that use
 * `externaldata` or `invoke FileProfile` are reported separately; with `--dialect defender` and
 * `--clean-only` the run is restricted as the acceptance criterion describes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getTable } from '../../schema/registry.ts';
import { parseKql } from '../../kql/parse/parse.ts';
import { PalisadeError } from '../../domain/errors.ts';
import { systemCtx } from '../../domain/context.ts';
import { seedDataset, SEED_TENANT } from './seed-dataset.ts';

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
  /** `syntax`: Microsoft's parser reports a syntax error — not a clean query, counted apart. */
  status: 'pass' | 'fail' | 'excluded' | 'syntax';
  error?: string;
  rows?: number;
}

const EXCLUDED = /\bexternaldata\b|\binvoke\s+FileProfile\b/i;

/**
 * Advanced-hunting tables of Microsoft 365 Defender that Palisade does not have (e-mail, identity,
 * cloud apps, exposure graph, …). A query naming one is outside the data Palisade holds.
 */
const FOREIGN_TABLES = /\b(Email\w*|Identity\w+|CloudAppEvents|CloudAuditEvents|UrlClickEvents|AADSignInEventsBeta|AADSpnSignInEventsBeta|BehaviorEntities|BehaviorInfo|ExposureGraph\w+|DeviceTvm\w+|DeviceBaselineCompliance\w+|MessageEvents|MessagePostDeliveryEvents|MessageUrlInfo|OAuthAppInfo|SecurityAlert|SecurityEvent|SigninLogs|AuditLogs|CommonSecurityLog|DeviceAlertEvents|Syslog|OfficeActivity|ThreatIntelligenceIndicator)\b/;

function category(c: QueryCase): string {
  const tables = (c.tables ?? []).filter((t) => getTable(t));
  return tables.length ? tables.sort().join('+') : 'no-known-table';
}

/** Runs the mode; returns the process exit code. */
export async function runHuntingConformance(args: string[], opts: { out?: string }): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: conformance hunting FILE.jsonl [--dialect defender] [--clean-only] [--out results.json]');
  const dialectIdx = args.indexOf('--dialect');
  const dialect = dialectIdx >= 0 ? args[dialectIdx + 1] : undefined;
  const cleanOnly = args.includes('--clean-only');
  let cases = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as QueryCase);
  if (dialect) cases = cases.filter((c) => !c.dialect || c.dialect === dialect);
  if (cleanOnly) cases = cases.filter((c) => c.parses_clean !== false);
  // Only queries whose declared tables all exist in Palisade (when the file declares tables).
  const before = cases.length;
  cases = cases.filter((c) => (!c.tables?.length || c.tables.every((t) => getTable(t))) && !FOREIGN_TABLES.test(c.query));
  const foreign = before - cases.length;

  const streamingDir = resolve(import.meta.dirname, '../../../../shared/corpus/api-samples/streaming');
  const { stack, rows } = await seedDataset({ streamingDir });
  console.log(`seeded ${rows} rows; running ${cases.length} queries (${foreign} left out: they use tables Palisade does not have)`);
  const ctx = systemCtx(SEED_TENANT, ['AdvancedQuery.Read.All']);
  const outcomes: HuntingOutcome[] = [];
  try {
    for (const [index, c] of cases.entries()) {
      const name = c.name ?? c.path ?? `#${index}`;
      if (EXCLUDED.test(c.query)) {
        outcomes.push({ index, name, category: 'externaldata/FileProfile', status: 'excluded' });
        continue;
      }
      if (c.parses_clean === undefined) {
        try {
          parseKql(c.query);
        } catch (e) {
          outcomes.push({ index, name, category: 'does not parse cleanly', status: 'syntax', error: e instanceof Error ? e.message : String(e) });
          continue;
        }
      }
      try {
        const r = await stack.hunting.run({ ...ctx, authz: { checked: false } }, c.query);
        outcomes.push({ index, name, category: category(c), status: 'pass', rows: r.results.length });
      } catch (e) {
        const msg = e instanceof PalisadeError && e.expose ? e.message : `internal: ${e instanceof Error ? e.message : String(e)}`;
        outcomes.push({ index, name, category: category(c), status: 'fail', error: msg });
      }
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
  const syntax = outcomes.filter((o) => o.status === 'syntax').length;
  if (syntax) console.log(`not counted: ${syntax} queries that do not parse cleanly (syntax errors from Microsoft's parser)`);
  if (opts.out) writeFileSync(opts.out, JSON.stringify(outcomes, null, 2));
  const counted = outcomes.filter((o) => o.status === 'pass' || o.status === 'fail');
  const passed = counted.filter((o) => o.status === 'pass').length;
  console.log(`${passed} passed, ${counted.length - passed} failed`);
  return 0;
}
