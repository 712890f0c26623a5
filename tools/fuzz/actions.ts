/**
 * Requests for the machine actions API and the sensor's action protocol: action POSTs on known,
 * unknown and hostile machine ids with mutated bodies (Comment, IsolationType, ScanType, Sha1,
 * Commands — wrong case, wrong types, hostile values, deep nesting), OData on /api/machineactions
 * and a machine's actions (id in (…), lastUpdateDateTimeUtc gt with 0–9 fractional digits, type in,
 * $orderby, garbled), gets and cancels by hostile ids, and the sensor's /work (hostile wait and
 * indicatorVersion; never a long hold) and progress reports (hostile bodies and ids).
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

/** One request of the kind; `sensor` ones authenticate as the fuzz device, the others with a bearer token. */
export interface ActionFuzzRequest {
  method: 'GET' | 'POST';
  url: string;
  payload?: unknown;
  sensor: boolean;
}

const KINDS = [
  'isolate', 'unisolate', 'restrictCodeExecution', 'unrestrictCodeExecution', 'runAntiVirusScan', 'collectInvestigationPackage',
  'StopAndQuarantineFile', 'stopandquarantinefile', 'offboard', 'runliveresponse', 'RUNLIVERESPONSE', 'startInvestigation',
];
const PROPS = ['id', 'type', 'status', 'machineId', 'requestor', 'creationDateTimeUtc', 'lastUpdateDateTimeUtc', 'scope', 'commands', 'errorHResult', '__proto__'];
const TIME = (rng: Rng) => `2026-12-0${1 + rng.int(9)}T0${rng.int(10)}:00:00${rng.chance(0.8) ? `.${'123456789'.slice(0, rng.int(10))}` : ''}Z`.replace('.Z', 'Z');

/** URL-encoded; a lone surrogate (not encodable) becomes U+FFFD first. */
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

function hostile(rng: Rng, good: readonly unknown[]): unknown {
  switch (rng.int(7)) {
    case 0: case 1: case 2: return rng.pick(good);
    case 3: return rng.pick(HOSTILE_STRINGS);
    case 4: return rng.pick([null, true, 0, -1, 1e308, [], {}, ['Full'], { a: 1 }]);
    case 5: return 'x'.repeat(rng.pick([1, 5000, 70_000]));
    default: return JSON.parse(`${'['.repeat(60)}1${']'.repeat(60)}`);
  }
}

function command(rng: Rng): unknown {
  if (rng.chance(0.1)) return hostile(rng, ['GetFile']);
  const type = hostile(rng, ['PutFile', 'RunScript', 'GetFile', 'getfile']);
  const param = (): unknown => (rng.chance(0.1) ? hostile(rng, [{}]) : {
    key: hostile(rng, ['FileName', 'ScriptName', 'Args', 'Path', 'path']),
    value: hostile(rng, ['/etc/hostname', 'collect.sh', '--all', 'C:\\\\Windows\\\\x.log']),
  });
  const params = rng.chance(0.15) ? hostile(rng, [[]]) : Array.from({ length: rng.int(4) }, param);
  return rng.chance(0.5) ? { type, params } : { Type: type, Params: params };
}

/** A body of an action POST. */
function actionBody(rng: Rng): unknown {
  if (rng.chance(0.05)) return hostile(rng, [{}]);
  const body: Record<string, unknown> = {};
  if (rng.chance(0.85)) body[rng.chance(0.9) ? 'Comment' : 'comment'] = hostile(rng, ['contain', 'fuzz', ' ']);
  if (rng.chance(0.5)) body.IsolationType = hostile(rng, ['Full', 'Selective', 'UnManagedDevice', 'full']);
  if (rng.chance(0.5)) body.ScanType = hostile(rng, ['Quick', 'Full', 'quick']);
  if (rng.chance(0.5)) body.Sha1 = hostile(rng, ['aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d', 'AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D', 'aaf4']);
  if (rng.chance(0.5)) body.Commands = rng.chance(0.1) ? hostile(rng, [[]]) : Array.from({ length: rng.pick([0, 1, 2, 3, 30]) }, () => command(rng));
  if (rng.chance(0.05)) Object.defineProperty(body, '__proto__', { value: { Comment: 'x' }, enumerable: true });
  return body;
}

function filter(rng: Rng, ids: readonly string[], depth = 0): string {
  const valid = [
    () => `id in (${Array.from({ length: 1 + rng.int(4) }, () => `'${rng.pick(ids)}'`).join(',')})`,
    () => `lastUpdateDateTimeUtc gt ${TIME(rng)}`, () => `creationDateTimeUtc ge ${TIME(rng)}`,
    () => "type in ('Unisolate','Isolate') and status eq 'Succeeded'", () => "status eq 'Pending'", () => `machineId eq '${'ab'.repeat(20)}'`,
    () => "requestor eq 'x'", () => "type eq 'LiveResponse'",
  ];
  if (rng.chance(0.45)) return rng.pick(valid)();
  if (depth < 3 && rng.chance(0.3)) return `(${filter(rng, ids, depth + 1)}) ${rng.pick(['and', 'or', 'AND', '+and+'])} (${filter(rng, ids, depth + 1)})`;
  const lit = rng.pick([`'${rng.pick(HOSTILE_STRINGS).replace(/'/g, "''")}'`, rng.pick(HOSTILE_NUMBERS), TIME(rng), 'null', "('a','b')"]);
  return `${rng.pick(PROPS)} ${rng.pick(['eq', 'ne', 'gt', 'in', 'has', 'le'])} ${lit}`;
}

function query(rng: Rng, ids: readonly string[]): string {
  const parts: string[] = [];
  if (rng.chance(0.8)) {
    let f = filter(rng, ids);
    if (rng.chance(0.15)) f = f.slice(0, rng.int(f.length + 1)) + rng.pick(["'", '(', ')', '\u0000', '%']) + f.slice(rng.int(f.length + 1));
    parts.push(`$filter=${enc(f)}`);
  }
  if (rng.chance(0.3)) parts.push(`$orderby=${enc(`${rng.pick(PROPS)} ${rng.pick(['asc', 'desc', 'sideways'])}`)}`);
  if (rng.chance(0.4)) parts.push(`$top=${enc(rng.pick(['1', '1000', '10000', '10001', ...HOSTILE_NUMBERS]))}`);
  if (rng.chance(0.2)) parts.push(`$skip=${enc(rng.pick(HOSTILE_NUMBERS))}`);
  if (rng.chance(0.1)) parts.push(`$select=${enc(rng.pick(['id,status', 'nope', 'commands']))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function actionId(rng: Rng, ids: readonly string[]): string {
  return rng.chance(0.6) ? rng.pick(ids) : enc(String(hostile(rng, ['556b3952acb0bff29816d267822305781cc183ec', '00000000-0000-0000-0000-000000000000', ids[0].toUpperCase()])));
}

/** A progress report body, valid or not. */
function progressBody(rng: Rng): unknown {
  if (rng.chance(0.05)) return hostile(rng, [{}]);
  const body: Record<string, unknown> = { status: hostile(rng, ['InProgress', 'Succeeded', 'Failed', 'Cancelled', 'inprogress']) };
  if (rng.chance(0.3)) body.message = hostile(rng, ['working', 'x'.repeat(4097)]);
  if (rng.chance(0.3)) body.commandIndex = hostile(rng, [0, 1, 24, 25, -1, 1.5]);
  if (rng.chance(0.3)) body.commandStatus = hostile(rng, ['Completed', 'Failed', 'Created']);
  if (rng.chance(0.2)) body.errors = hostile(rng, [['e'], Array.from({ length: 40 }, () => 'e'), ['x'.repeat(2000)]]);
  if (rng.chance(0.2)) body.fileInfo = hostile(rng, [{ sha1: 'a'.repeat(40) }, { path: '/tmp/x', sha256: 'b'.repeat(64) }, { sha1: 'nope' }]);
  if (rng.chance(0.05)) body.extra = 1;
  return body;
}

/** One request of the machine actions kind; `machines` are known machine ids, `actions` known action ids (some the fuzz device's). */
export function actionRequest(rng: Rng, machines: readonly string[], actions: readonly string[]): ActionFuzzRequest {
  const machine = () => (rng.chance(0.8) ? rng.pick(machines) : enc(String(hostile(rng, ['f'.repeat(40), 'fuzz-host-1.corp', 'FUZZ-HOST-2.CORP']))));
  switch (rng.int(9)) {
    case 0: case 1: case 2:
      return { method: 'POST', url: `/api/machines/${machine()}/${rng.pick(KINDS)}`, payload: actionBody(rng), sensor: false };
    case 3:
      return { method: 'GET', url: `/api/machineactions${query(rng, actions)}`, sensor: false };
    case 4:
      return rng.chance(0.5)
        ? { method: 'GET', url: `/api/machineactions/${actionId(rng, actions)}`, sensor: false }
        : { method: 'POST', url: `/api/machineactions/${actionId(rng, actions)}/cancel`, payload: rng.chance(0.8) ? { Comment: hostile(rng, ['stop']) } : hostile(rng, [{}]), sensor: false };
    case 5:
      return { method: 'GET', url: `/api/machines/${machine()}/${rng.pick(['machineactions', 'availableMachineActions'])}${query(rng, actions)}`, sensor: false };
    case 6: {
      // never a long hold: the fuzz bounds each input's time
      const wait = rng.pick(['0', '0', '-1', '56', '99', 'abc', '1e3', '', '00', ...HOSTILE_NUMBERS.filter((n) => n !== '1')]);
      const version = rng.pick(['0', '1', '999999999999999', '-1', 'x', ...HOSTILE_NUMBERS]);
      return { method: 'GET', url: `/sensor/v1/work?wait=${enc(wait)}&indicatorVersion=${enc(version)}`, sensor: true };
    }
    default:
      return { method: 'POST', url: `/sensor/v1/actions/${actionId(rng, actions)}/progress`, payload: progressBody(rng), sensor: true };
  }
}
