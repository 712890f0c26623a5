/**
 * The enrich step: fills in what the server can derive the same way for every sensor. Hash columns
 * are lower-cased (MDE reports hex hashes in lower case, and indicator matching compares them
 * exactly), and LocalIPType/RemoteIPType are derived from LocalIP/RemoteIP when the sensor left them
 * empty.
 */
import type { EventRow } from '../domain/ports.ts';
import type { TableDecl } from '../schema/types.ts';
import { ipType } from './ip-type.ts';
import { ok } from './step.ts';
import type { StepResult } from './step.ts';
import type { ValidLine } from './validate-line.ts';

const HASH_COLUMNS = ['SHA1', 'SHA256', 'MD5', 'InitiatingProcessSHA1', 'InitiatingProcessSHA256', 'InitiatingProcessMD5', 'SignerHash', 'IssuerHash'];
const IP_TYPE_COLUMNS: [ip: string, type: string][] = [['LocalIP', 'LocalIPType'], ['RemoteIP', 'RemoteIPType']];

/** The enrichable columns a table has, worked out once per table. */
interface TablePlan {
  hashes: string[];
  ipTypes: [ip: string, type: string][];
}

const plans = new WeakMap<TableDecl, TablePlan>();

function planOf(t: TableDecl): TablePlan {
  let p = plans.get(t);
  if (!p) {
    const has = new Set(t.columns.map((c) => c.name));
    p = { hashes: HASH_COLUMNS.filter((c) => has.has(c)), ipTypes: IP_TYPE_COLUMNS.filter(([ip, type]) => has.has(ip) && has.has(type)) };
    plans.set(t, p);
  }
  return p;
}

function fillIpType(row: EventRow, ipCol: string, typeCol: string): void {
  const current = row[typeCol];
  const ip = row[ipCol];
  if ((current === undefined || current === null || current === '') && typeof ip === 'string' && ip !== '') {
    const t = ipType(ip);
    if (t) row[typeCol] = t;
  }
}

/** Lower-cases hashes and derives IP types in place. */
export function enrichLine(line: ValidLine): StepResult<ValidLine> {
  const row = line.row;
  const plan = planOf(line.table);
  for (const c of plan.hashes) {
    const v = row[c];
    if (typeof v === 'string') {
      const lower = v.toLowerCase();
      if (lower !== v) row[c] = lower;
    }
  }
  for (const [ip, type] of plan.ipTypes) if (row[ip] !== undefined) fillIpType(row, ip, type);
  return ok(line);
}
