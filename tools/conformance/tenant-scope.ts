/**
 * The `tenant-scope` conformance mode, and the check it applies: tenancy is injected by the binder,
 * never written by the user, so every table scan of every compiled query carries the caller's tenant,
 * device groups and look-back in the IR, and the printed SQL puts the tenant predicate, as a
 * parameter, right after every table read. `npm run conformance -- tenant-scope FILE…` applies it to
 * every query of hunting-query files (JSON lines with a `query`) that compiles; test/kql/tenant-scope
 * applies it to the golden queries and a sample of the corpus.
 */
import { readFileSync } from 'node:fs';
import { TABLES } from '../../src/schema/registry.ts';
import { walkRels, type Scan } from '../../src/kql/ir/ir.ts';
import { compileKql, planKql } from '../../src/kql/index.ts';
import type { ModeResult } from './mode.ts';

/** The caller every query is compiled for. */
export const SCOPE_TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
const NOW = new Date('2024-05-01T12:00:00Z');
const SINCE = new Date(NOW.getTime() - 30 * 86_400_000);
const GROUPS = [4, 7];

/** What a compiled query's scans and SQL show of the caller's scope. */
export interface ScopeCheck {
  /** Table scans in the IR. */
  scans: number;
  /** Departures from the rule (empty when the query is scoped as it must be). */
  problems: string[];
}

/**
 * Checks one query planned for SCOPE_TENANT with device groups 4 and 7 (IR) and compiled for all
 * groups (SQL); null when the query does not compile.
 */
export function checkTenantScope(query: string): ScopeCheck | null {
  let plan;
  try {
    plan = planKql(query, { tenantId: SCOPE_TENANT, deviceScope: GROUPS, now: NOW }, TABLES);
  } catch {
    return null;
  }
  const problems: string[] = [];
  let scans = 0;
  walkRels(plan, (r) => {
    if (r.k !== 'scan') return;
    scans++;
    const s = r as Scan;
    if (s.scope.tenantId !== SCOPE_TENANT) problems.push(`scan of ${s.table}: tenant ${s.scope.tenantId}`);
    if (JSON.stringify(s.scope.rbacGroupIds) !== JSON.stringify(GROUPS)) problems.push(`scan of ${s.table}: device groups ${JSON.stringify(s.scope.rbacGroupIds)}`);
    // from the table's declaration: a scan may read only some columns (unread ones are pruned)
    const hasTimestamp = TABLES.find((t) => t.name === s.table)!.columns.some((c) => c.name === 'Timestamp');
    const since = s.scope.since?.toISOString() ?? null;
    if (since !== (hasTimestamp ? SINCE.toISOString() : null)) problems.push(`scan of ${s.table}: look-back from ${since}`);
    const shown = s.columns.filter((c) => c.name.startsWith('__') && !c.hidden);
    if (shown.length) problems.push(`scan of ${s.table}: visible hidden columns ${shown.map((c) => c.name).join(', ')}`);
  });
  let c;
  try {
    c = compileKql(query, { tenantId: SCOPE_TENANT, deviceScope: 'all', now: NOW });
  } catch {
    return null; // refused while printing SQL (a construct refused by name)
  }
  const tables = TABLES.map((t) => t.name).join('|');
  const reads = [...c.sql.matchAll(new RegExp(`FROM "(${tables})"`, 'g'))].length;
  const guarded = [...c.sql.matchAll(new RegExp(`FROM "(?:${tables})" WHERE "__TenantId" = CAST\\(\\$(\\d+) AS VARCHAR\\)`, 'g'))];
  if (guarded.length !== reads) problems.push(`SQL: ${reads} table reads, ${guarded.length} followed by the tenant predicate`);
  for (const m of guarded) if (c.params[Number(m[1]) - 1] !== SCOPE_TENANT) problems.push(`SQL: tenant parameter $${m[1]} is ${String(c.params[Number(m[1]) - 1])}`);
  if (c.sql.includes(SCOPE_TENANT)) problems.push('SQL: the tenant id is spliced into the text');
  const hidden = c.columns.filter((col) => col.name.startsWith('__'));
  if (hidden.length) problems.push(`result columns ${hidden.map((col) => col.name).join(', ')} are hidden ones`);
  return { scans, problems };
}

/** Runs the mode over hunting-query files; a query that does not compile is not counted. */
export async function runTenantScopeConformance(args: string[]): Promise<ModeResult> {
  const files = args.filter((a) => !a.startsWith('--'));
  if (!files.length) throw new Error('usage: conformance tenant-scope FILE.jsonl… [--min-pass RATIO]');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let scans = 0;
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const q = JSON.parse(line) as { query: string; name?: string };
      const r = checkTenantScope(q.query);
      if (!r) {
        skipped++;
        continue;
      }
      scans += r.scans;
      if (!r.problems.length) passed++;
      else {
        failed++;
        console.log(`  ${q.name ?? '(unnamed)'}: ${r.problems.join('; ')}`);
      }
    }
  }
  console.log(`${passed + failed} queries compile (${skipped} do not, not counted), ${scans} table scans`);
  console.log(`${passed} passed, ${failed} failed`);
  return { passed, failed, problems: [] };
}
