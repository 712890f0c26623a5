import { describe, expect, it } from 'vitest';
import type { TableDecl } from '../../schema/types.ts';
import { PalisadeError } from '../../domain/errors.ts';
import type { Query, Rel } from '../ir/ir.ts';
import { parseKql } from '../parse/parse.ts';
import { Binder } from './binder.ts';

/** A small fixture table, independent of the registry. */
const EVENTS: TableDecl = {
  name: 'Events', description: 'fixture',
  columns: [
    { name: 'Timestamp', type: 'datetime', description: '' },
    { name: 'DeviceId', type: 'string', description: '' },
    { name: 'FileName', type: 'string', description: '' },
    { name: 'Size', type: 'long', description: '' },
    { name: 'Extra', type: 'dynamic', description: '' },
  ],
};
const HOSTS: TableDecl = {
  name: 'Hosts', description: 'fixture',
  columns: [{ name: 'DeviceId', type: 'string', description: '' }, { name: 'Os', type: 'string', description: '' }],
};

function bind(text: string): Query {
  const parsed = parseKql(text);
  return new Binder(parsed, {
    tables: [EVENTS, HOSTS], tenantId: 't', deviceScope: 'all', now: new Date('2024-05-01T00:00:00Z'), lookbackDays: 30, allowExternalData: false,
  }).bindQuery(parsed.root);
}

const cols = (r: Rel) => r.columns.filter((c) => !c.hidden).map((c) => `${c.name}:${c.type}`);
const fail = (text: string): PalisadeError => {
  try {
    bind(text);
  } catch (e) {
    if (e instanceof PalisadeError) return e;
    throw e;
  }
  throw new Error('expected a bind error');
};

describe('binder: output columns follow KQL naming', () => {
  it('names aggregates count_, dcount_X, sum_X, set_X, list_X and keeps by-columns first', () => {
    const q = bind('Events | summarize count(), dcount(DeviceId), sum(Size), make_set(FileName), make_list(Size), avg(Size) by bin(Timestamp, 1h), FileName');
    expect(cols(q.rel)).toEqual([
      'Timestamp:datetime', 'FileName:string', 'count_:long', 'dcount_DeviceId:long', 'sum_Size:long', 'set_FileName:dynamic',
      'list_Size:dynamic', 'avg_Size:real',
    ]);
  });

  it('expands arg_max(x, *) into the by-columns, x, then the other columns', () => {
    const q = bind('Events | summarize arg_max(Timestamp, *) by DeviceId');
    expect(cols(q.rel)).toEqual(['DeviceId:string', 'Timestamp:datetime', 'FileName:string', 'Size:long', 'Extra:dynamic']);
  });

  it('makes duplicate names unique with a numeric suffix', () => {
    expect(cols(bind('Events | summarize count(), count()').rel)).toEqual(['count_:long', 'count_1:long']);
    expect(cols(bind('Events | join (Hosts) on DeviceId').rel)).toEqual([
      'Timestamp:datetime', 'DeviceId:string', 'FileName:string', 'Size:long', 'Extra:dynamic', 'DeviceId1:string', 'Os:string',
    ]);
  });

  it('names unnamed print items print_N and unnamed extend items Column1…, or by the function rule', () => {
    expect(cols(bind('print 1, x = "a", strlen("b")').rel)).toEqual(['print_0:long', 'x:string', 'print_2:long']);
    expect(cols(bind('Events | project Size * 2, tolong(FileName), strlen(FileName)').rel)).toEqual(['Column1:long', 'FileName:long', 'strlen_FileName:long']);
  });

  it('names conflicting union columns name_type', () => {
    expect(cols(bind('union (print x = 1), (print x = "a")').rel)).toEqual(['x_long:long', 'x_string:string']);
  });

  it('lets extend items see earlier ones and replaces existing columns in place', () => {
    expect(cols(bind('Events | extend Size = tostring(Size), Twice = strcat(Size, Size)').rel)).toEqual([
      'Timestamp:datetime', 'DeviceId:string', 'FileName:string', 'Size:string', 'Extra:dynamic', 'Twice:string',
    ]);
  });
});

describe('binder: types', () => {
  it('types datetime and timespan arithmetic', () => {
    expect(cols(bind('Events | project a = Timestamp - ago(1d), b = Timestamp + 1h, c = 1h / 30m, d = 2 * 1h').rel))
      .toEqual(['a:timespan', 'b:datetime', 'c:real', 'd:timespan']);
  });

  it('types dynamic access as dynamic and conversions by their target', () => {
    expect(cols(bind('Events | project a = Extra.x, b = Extra["y"][0], c = toint(Extra.n), d = tostring(Extra.s)').rel))
      .toEqual(['a:dynamic', 'b:dynamic', 'c:int', 'd:string']);
  });

  it('folds ago() and now() into datetime literals at compile time', () => {
    const q = bind('Events | where Timestamp > ago(1d)');
    const r = q.rel.k === 'filter' ? q.rel.cond : null;
    expect(r?.k === 'call' && r.args[1]).toEqual({ k: 'lit', value: '2024-04-30T00:00:00.0000000Z', type: 'datetime' });
  });
});

describe('binder: lets, functions and errors', () => {
  it('binds scalar, tabular and function lets', () => {
    const q = bind('let n = 5; let big = Events | where Size > n; let f = (t:(Size:long), k:long) { t | where Size < k }; big | invoke f(10) | count');
    expect(cols(q.rel)).toEqual(['Count:long']);
  });

  it('injects the tenant scope into every scan', () => {
    const q = bind('Events | join (Hosts) on DeviceId');
    const scans: Rel[] = [];
    const visit = (r: Rel) => { if (r.k === 'scan') scans.push(r); if (r.k === 'kjoin') { visit(r.left); visit(r.right); } };
    visit(q.rel);
    expect(scans.map((s) => s.k === 'scan' && s.scope.tenantId)).toEqual(['t', 't']);
    expect(scans.map((s) => s.k === 'scan' && s.scope.since !== null)).toEqual([true, false]);
  });

  it('refuses unknown names, unsupported operators and functions by name, with a position', () => {
    expect(fail('Events | where Nope == 1').message).toBe("Failed to resolve scalar expression named 'Nope'");
    const op = fail('Events\n| sample-distinct 5 of FileName');
    expect(op.message).toBe("The operator 'sample-distinct' is not supported");
    expect(op.details).toEqual({ line: 2, column: 3 });
    expect(fail('print series_outliers(dynamic([1, 2, 30]))').message).toBe("The function 'series_outliers' is not supported");
    expect(fail('print geo_info_from_ip_address("20.53.203.50")').message).toMatch(/geo_info_from_ip_address' is not supported: this server has no GeoIP database/);
    expect(fail('Events | project count()').message).toMatch(/can only be used in summarize/);
    expect(fail('externaldata(x:string)["https://x"]').message).toMatch(/^The operator 'externaldata' is not supported: this server does not fetch/);
    const parsed = parseKql('externaldata(x:string)["https://x"]');
    const allowed = new Binder(parsed, { tables: [], tenantId: 't', deviceScope: 'all', now: new Date(), lookbackDays: 30, allowExternalData: true });
    // allowed: binding asks for the URL's text first (the compiler fetches it, see compileDiscovering)
    expect(() => allowed.bindQuery(parsed.root)).toThrow(/externaldata must fetch https:\/\/x first/);
  });
});
