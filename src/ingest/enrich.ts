/**
 * The enrich step: fills in what the server can derive the same way for every sensor. Hash columns
 * are lower-cased (MDE reports hex hashes in lower case, and indicator matching compares them
 * exactly), and LocalIPType/RemoteIPType are derived from LocalIP/RemoteIP when the sensor left them
 * empty.
 */
import type { EventRow } from '../domain/ports.ts';
import { ipType } from './ip-type.ts';
import { ok } from './step.ts';
import type { StepResult } from './step.ts';
import type { ValidLine } from './validate-line.ts';

const HASH_COLUMNS = ['SHA1', 'SHA256', 'MD5', 'InitiatingProcessSHA1', 'InitiatingProcessSHA256', 'InitiatingProcessMD5', 'SignerHash', 'IssuerHash'];
const IP_TYPE_COLUMNS: [ip: string, type: string][] = [['LocalIP', 'LocalIPType'], ['RemoteIP', 'RemoteIPType']];

function fillIpType(row: EventRow, ipCol: string, typeCol: string, tableHas: (c: string) => boolean): void {
  if (!tableHas(typeCol)) return;
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
  for (const c of HASH_COLUMNS) {
    const v = row[c];
    if (typeof v === 'string') row[c] = v.toLowerCase();
  }
  const has = (c: string) => line.table.columns.some((x) => x.name === c);
  for (const [ip, type] of IP_TYPE_COLUMNS) if (row[ip] !== undefined) fillIpType(row, ip, type, has);
  return ok(line);
}
