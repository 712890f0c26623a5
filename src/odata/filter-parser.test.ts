import { describe, expect, it } from 'vitest';
import { MACHINE } from '../entities/machine.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { EntitySetSpec, FilterExpr } from '../domain/list-query.ts';
import { parseFilter } from './filter-parser.ts';

/** An alert-like set to exercise enums and datetimes the way /api/alerts uses them. */
const ALERTS: EntitySetSpec = {
  name: 'Alerts',
  maxTop: 10_000,
  defaultTop: 10_000,
  fields: [
    { name: 'id', type: 'string' },
    { name: 'alertCreationTime', type: 'datetime' },
    { name: 'lastUpdateTime', type: 'datetime' },
    { name: 'incidentId', type: 'number' },
    { name: 'status', type: 'string', enumValues: ['Unknown', 'New', 'InProgress', 'Resolved'] },
    { name: 'severity', type: 'string', enumValues: ['UnSpecified', 'Informational', 'Low', 'Medium', 'High'] },
    { name: 'assignedTo', type: 'string' },
  ],
};

const ACTIONS: EntitySetSpec = {
  name: 'MachineActions',
  maxTop: 10_000,
  defaultTop: 10_000,
  fields: [
    { name: 'id', type: 'string' },
    { name: 'type', type: 'string', enumValues: ['Isolate', 'Unisolate', 'RunAntiVirusScan'] },
    { name: 'status', type: 'string', enumValues: ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'] },
    { name: 'machineId', type: 'string' },
  ],
};

const m = (text: string): FilterExpr => parseFilter(text, MACHINE.set);

function errorOf(fn: () => unknown): PalisadeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PalisadeError);
    return e as PalisadeError;
  }
  throw new Error('expected an error');
}

describe('parseFilter: comparisons and literals', () => {
  it('parses every comparison operator', () => {
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const) {
      expect(m(`osBuild ${op} 19045`)).toEqual({ kind: 'cmp', op, field: 'osBuild', value: 19045 });
    }
  });

  it('decodes single-quoted strings with doubled quotes', () => {
    expect(m("computerDnsName eq 'o''brien-pc'")).toEqual({ kind: 'cmp', op: 'eq', field: 'computerDnsName', value: "o'brien-pc" });
    expect(m("computerDnsName eq ''")).toEqual({ kind: 'cmp', op: 'eq', field: 'computerDnsName', value: '' });
  });

  it('matches property names case-insensitively and returns the canonical name', () => {
    expect(m("ComputerDnsName eq 'x'")).toEqual({ kind: 'cmp', op: 'eq', field: 'computerDnsName', value: 'x' });
    expect(m("HEALTHSTATUS eq 'Active'")).toMatchObject({ field: 'healthStatus' });
  });

  it('accepts a literal on the left and mirrors the operator', () => {
    expect(m('19045 lt osBuild')).toEqual({ kind: 'cmp', op: 'gt', field: 'osBuild', value: 19045 });
    expect(m("'x' eq computerDnsName")).toEqual({ kind: 'cmp', op: 'eq', field: 'computerDnsName', value: 'x' });
    expect(m('2024-01-01Z ge lastSeen')).toEqual({ kind: 'cmp', op: 'le', field: 'lastSeen', value: { datetime: '2024-01-01T00:00:00.000Z' } });
  });

  it('parses integers, decimals, negatives and exponents', () => {
    expect(m('rbacGroupId eq -3')).toMatchObject({ value: -3 });
    expect(m('rbacGroupId eq 2.5')).toMatchObject({ value: 2.5 });
    expect(m('rbacGroupId lt 1e3')).toMatchObject({ value: 1000 });
  });

  it('parses booleans and a bare boolean property', () => {
    expect(m('isAadJoined eq true')).toEqual({ kind: 'cmp', op: 'eq', field: 'isAadJoined', value: true });
    expect(m('isAadJoined ne FALSE')).toEqual({ kind: 'cmp', op: 'ne', field: 'isAadJoined', value: false });
    expect(m('isAadJoined')).toEqual({ kind: 'cmp', op: 'eq', field: 'isAadJoined', value: true });
    expect(m('not isAadJoined')).toEqual({ kind: 'not', expr: { kind: 'cmp', op: 'eq', field: 'isAadJoined', value: true } });
  });

  it('compares with null on any kind of scalar field', () => {
    expect(m('aadDeviceId eq null')).toEqual({ kind: 'cmp', op: 'eq', field: 'aadDeviceId', value: null });
    expect(m('lastSeen ne null')).toEqual({ kind: 'cmp', op: 'ne', field: 'lastSeen', value: null });
    expect(m('null eq rbacGroupId')).toEqual({ kind: 'cmp', op: 'eq', field: 'rbacGroupId', value: null });
    expect(errorOf(() => m('lastSeen gt null')).message).toMatch(/null can only be compared with eq or ne/);
  });

  it('accepts unquoted GUIDs as strings', () => {
    expect(parseFilter('id eq 3E3A1E5B-7DE5-4F3A-9C65-1D2E3F4A5B6C', ACTIONS)).toEqual({
      kind: 'cmp',
      op: 'eq',
      field: 'id',
      value: '3e3a1e5b-7de5-4f3a-9c65-1d2e3f4a5b6c',
    });
  });
});

describe('parseFilter: datetimes', () => {
  const dt = (text: string) => (m(`lastSeen gt ${text}`) as { value: unknown }).value;

  it('takes the unquoted forms MDE documents and clients send', () => {
    expect(dt('2018-08-01Z')).toEqual({ datetime: '2018-08-01T00:00:00.000Z' });
    expect(dt('2019-11-22T00:00:00Z')).toEqual({ datetime: '2019-11-22T00:00:00.000Z' });
    expect(dt('2024-01-01T00:00:00.0000000Z')).toEqual({ datetime: '2024-01-01T00:00:00.000Z' });
    expect(dt('2021-01-26T20:33:57.7220239Z')).toEqual({ datetime: '2021-01-26T20:33:57.7220239Z' });
    expect(dt('2019-09-01T13:31:08.57Z')).toEqual({ datetime: '2019-09-01T13:31:08.570Z' });
    expect(dt('2018-08-01')).toEqual({ datetime: '2018-08-01T00:00:00.000Z' });
    expect(dt('2024-03-05T10:15Z')).toEqual({ datetime: '2024-03-05T10:15:00.000Z' });
  });

  it('converts offsets to UTC', () => {
    expect(dt('2024-05-19T01:00:05+02:00')).toEqual({ datetime: '2024-05-18T23:00:05.000Z' });
    expect(dt('2024-05-19T01:00:05-05:30')).toEqual({ datetime: '2024-05-19T06:30:05.000Z' });
  });

  it('recovers an offset whose + became a space in form decoding', () => {
    expect(dt('2024-05-19T01:00:05 02:00')).toEqual({ datetime: '2024-05-18T23:00:05.000Z' });
  });

  it('accepts quoted datetimes for datetime fields', () => {
    expect(dt("'2024-01-01T12:00:00Z'")).toEqual({ datetime: '2024-01-01T12:00:00.000Z' });
    expect(dt("'2024-01-01 12:00:00'")).toEqual({ datetime: '2024-01-01T12:00:00.000Z' });
  });

  it('rejects impossible dates and non-datetime values', () => {
    expect(errorOf(() => dt('2023-02-29T00:00:00Z')).message).toMatch(/position 13: '2023-02-29T00:00:00Z' is not a valid datetime/);
    expect(errorOf(() => dt('2024-13-01Z')).message).toMatch(/not a valid datetime/);
    expect(errorOf(() => dt("'yesterday'")).message).toMatch(/'yesterday' is not a valid datetime for property 'lastSeen'/);
    expect(errorOf(() => dt('5')).message).toMatch(/'lastSeen' is a datetime; got number 5/);
  });

  it('keeps leap days that exist', () => {
    expect(dt('2024-02-29Z')).toEqual({ datetime: '2024-02-29T00:00:00.000Z' });
  });
});

describe('parseFilter: boolean structure', () => {
  it('binds not tighter than and, and tighter than or', () => {
    expect(m("not osPlatform eq 'Linux' and osBuild gt 1 or riskScore eq 'High'")).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'not', expr: { kind: 'cmp', op: 'eq', field: 'osPlatform', value: 'Linux' } },
        right: { kind: 'cmp', op: 'gt', field: 'osBuild', value: 1 },
      },
      right: { kind: 'cmp', op: 'eq', field: 'riskScore', value: 'High' },
    });
  });

  it('honours parentheses', () => {
    expect(m("osBuild gt 1 and (riskScore eq 'High' or riskScore eq 'Medium')")).toEqual({
      kind: 'and',
      left: { kind: 'cmp', op: 'gt', field: 'osBuild', value: 1 },
      right: {
        kind: 'or',
        left: { kind: 'cmp', op: 'eq', field: 'riskScore', value: 'High' },
        right: { kind: 'cmp', op: 'eq', field: 'riskScore', value: 'Medium' },
      },
    });
    expect(m("not (osPlatform eq 'Linux')")).toEqual({ kind: 'not', expr: { kind: 'cmp', op: 'eq', field: 'osPlatform', value: 'Linux' } });
  });

  it('is left-associative', () => {
    const e = m('osBuild eq 1 and osBuild eq 2 and osBuild eq 3');
    expect(e).toMatchObject({ kind: 'and', left: { kind: 'and' }, right: { value: 3 } });
  });

  it('accepts keywords in any case and tolerates extra whitespace and + separators', () => {
    const expected = m("healthStatus eq 'Active' and osPlatform eq 'Windows10'");
    expect(m("healthStatus EQ 'Active' AND osPlatform Eq 'Windows10'")).toEqual(expected);
    expect(m("  healthStatus   eq\t'Active'\n and osPlatform eq 'Windows10'  ")).toEqual(expected);
    expect(m("healthStatus+eq+'Active'+and+osPlatform+eq+'Windows10'")).toEqual(expected);
  });

  it('keeps + and spaces inside string literals', () => {
    expect(m("computerDnsName eq 'a+b c'")).toMatchObject({ value: 'a+b c' });
  });
});

describe('parseFilter: in, string functions, any()', () => {
  it('parses in lists and validates every value', () => {
    expect(parseFilter("type in ('Unisolate','Isolate') and status eq 'Succeeded'", ACTIONS)).toEqual({
      kind: 'and',
      left: { kind: 'in', field: 'type', values: ['Unisolate', 'Isolate'] },
      right: { kind: 'cmp', op: 'eq', field: 'status', value: 'Succeeded' },
    });
    expect(m('rbacGroupId in (1, 2 ,3)')).toEqual({ kind: 'in', field: 'rbacGroupId', values: [1, 2, 3] });
    expect(m("computerDnsName IN ('a')")).toEqual({ kind: 'in', field: 'computerDnsName', values: ['a'] });
    expect(errorOf(() => parseFilter("type in ('Isolate','isolate')", ACTIONS)).message).toMatch(
      /Invalid value 'isolate' for property 'type'.*Allowed values \(case-sensitive\): Isolate, Unisolate, RunAntiVirusScan.*Did you mean 'Isolate'/,
    );
    expect(errorOf(() => m('rbacGroupId in ()')).message).toMatch(/is empty/);
    expect(errorOf(() => m("rbacGroupId in (1 2)")).message).toMatch(/expected ',' or '\)'/);
  });

  it('parses startswith, endswith and contains', () => {
    expect(m("startswith(computerDnsName,'web-')")).toEqual({ kind: 'fn', name: 'startswith', field: 'computerDnsName', value: 'web-' });
    expect(m("endswith(ComputerDnsName, '.corp.local')")).toEqual({ kind: 'fn', name: 'endswith', field: 'computerDnsName', value: '.corp.local' });
    expect(m("contains(computerDnsName,'prod')")).toEqual({ kind: 'fn', name: 'contains', field: 'computerDnsName', value: 'prod' });
    expect(m("StartsWith(computerDnsName,'a') eq false")).toEqual({ kind: 'not', expr: { kind: 'fn', name: 'startswith', field: 'computerDnsName', value: 'a' } });
    expect(m("startswith(computerDnsName,'a') eq true")).toEqual({ kind: 'fn', name: 'startswith', field: 'computerDnsName', value: 'a' });
  });

  it('does not check enum membership for partial matches', () => {
    expect(m("startswith(healthStatus,'Imp')")).toEqual({ kind: 'fn', name: 'startswith', field: 'healthStatus', value: 'Imp' });
  });

  it('rejects string functions on non-string fields and unknown functions', () => {
    expect(errorOf(() => m("startswith(lastSeen,'2024')")).message).toMatch(/startswith\(\) needs a string property; 'lastSeen' is datetime/);
    expect(errorOf(() => m("contains(machineTags,'x')")).message).toMatch(/machineTags\/any\(t: contains\(t, '…'\)\)/);
    expect(errorOf(() => m("tolower(computerDnsName) eq 'x'")).message).toMatch(/Function 'tolower' at position 1 is not supported/);
    expect(errorOf(() => m('startswith(computerDnsName, 5)')).message).toMatch(/must be a string literal/);
  });

  it('parses any() over a string collection', () => {
    expect(m("machineTags/any(tag: tag eq 'Finance')")).toEqual({
      kind: 'any',
      field: 'machineTags',
      predicate: { kind: 'cmp', op: 'eq', field: '$it', value: 'Finance' },
    });
    expect(m("MachineTags/any(t: startswith(t,'prod-') or t in ('a','b'))")).toEqual({
      kind: 'any',
      field: 'machineTags',
      predicate: {
        kind: 'or',
        left: { kind: 'fn', name: 'startswith', field: '$it', value: 'prod-' },
        right: { kind: 'in', field: '$it', values: ['a', 'b'] },
      },
    });
    expect(m('machineTags/any()')).toEqual({ kind: 'any', field: 'machineTags', predicate: null });
    expect(m("not machineTags/any(t: t eq 'x') and osBuild gt 0")).toMatchObject({ kind: 'and', left: { kind: 'not', expr: { kind: 'any' } } });
  });

  it('rejects misuse of collections and lambdas', () => {
    expect(errorOf(() => m("machineTags eq 'x'")).message).toMatch(/'machineTags' is a collection.*machineTags\/any\(t: t eq 'value'\)/);
    expect(errorOf(() => m("machineTags/any(t: computerDnsName eq 'x')")).message).toMatch(/only the lambda variable 't' may be used; found 'computerDnsName'/);
    expect(errorOf(() => m("machineTags/all(t: t eq 'x')")).message).toMatch(/'all' is not supported/);
    expect(errorOf(() => m("computerDnsName/any(t: t eq 'x')")).message).toMatch(/any\(\) applies to collection properties only; 'computerDnsName' is string/);
    expect(errorOf(() => m("machineTags/any(t t eq 'x')")).message).toMatch(/expected ':' after the lambda variable 't'/);
    expect(errorOf(() => m("machineTags/any(t: t eq 'x'")).message).toMatch(/expected '\)' to close any/);
  });
});

describe('parseFilter: operators a declaration restricts', () => {
  const NOTES: EntitySetSpec = {
    name: 'Notes', maxTop: 10, defaultTop: 10,
    fields: [
      { name: 'id', type: 'string', operators: ['eq', 'in'] },
      { name: 'done', type: 'boolean', operators: ['ne'] },
      { name: 'labels', type: 'stringCollection', operators: [] },
    ],
  };
  const n = (text: string) => parseFilter(text, NOTES);
  it('accepts the declared operators and refuses the others by name', () => {
    expect(n("id eq 'a' or id in ('b')")).toMatchObject({ kind: 'or' });
    expect(errorOf(() => n("id ne 'a'")).message).toBe("The operator 'ne' cannot be used on property 'id' (position 1). Operators it supports: eq, in");
    expect(errorOf(() => n("startswith(id,'a')")).message).toMatch(/operator 'startswith' cannot be used on property 'id'/);
    expect(errorOf(() => n('done')).message).toMatch(/operator 'eq' cannot be used on property 'done'/);
    expect(n('done ne true')).toMatchObject({ op: 'ne' });
    expect(errorOf(() => n("labels/any(t: t eq 'x')")).message).toMatch(/operator 'any' cannot be used on property 'labels'/);
  });
});

describe('parseFilter: the filters real clients and the MDE docs send', () => {
  it.each([
    ["healthStatus ne 'Inactive'", MACHINE.set],
    ['lastSeen gt 2018-08-01Z', MACHINE.set],
    ["riskScore eq 'High'", MACHINE.set],
    ["exposureLevel eq 'Medium'", MACHINE.set],
    ["healthStatus eq 'Active' and osPlatform eq 'Windows10'", MACHINE.set],
    ["startswith(computerDnsName,'mymachine')", MACHINE.set],
    ["machineTags/any(tag: tag eq 'test')", MACHINE.set],
    ["lastIpAddress eq '10.0.0.1' and lastSeen ge 2024-05-19T00:00:00Z", MACHINE.set],
    ["computerDnsName in ('desktop-1','desktop-2')", MACHINE.set],
    ["onboardingStatus eq 'Onboarded' and deviceValue eq 'High'", MACHINE.set],
    ["alertCreationTime ge 2018-11-22T00:00:00Z", ALERTS],
    ['lastUpdateTime ge 2019-11-22T00:00:00Z', ALERTS],
    ['lastUpdateTime gt 2024-01-01T00:00:00.0000000Z', ALERTS],
    ["severity eq 'High' AND status ne 'Resolved'", ALERTS],
    ["status in ('New','InProgress') AND lastUpdateTime gt 2024-01-01T00:00:00.0000000Z", ALERTS],
    ["assignedTo eq 'secop@contoso.com'", ALERTS],
    ['incidentId eq 42', ALERTS],
    ["type in ('Unisolate','Isolate') and status eq 'Succeeded'", ACTIONS],
    ["machineId eq '1e5bc9d7e413ddd7902c2932e418702b84d0cc07' and status eq 'Pending'", ACTIONS],
  ] as const)('%s', (text, set) => {
    expect(() => parseFilter(text, set)).not.toThrow();
  });
});

describe('parseFilter: error messages', () => {
  it('names an unknown property, suggests a close one and lists the filterable ones', () => {
    const e = errorOf(() => m("computerName eq 'x'"));
    expect(e.code).toBe('ODataError');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/Could not find a property named 'computerName' on Machines \(position 1\)/);
    expect(e.message).toMatch(/Filterable properties: id, computerDnsName/);
    expect(errorOf(() => m("lastseen2 gt 2024-01-01Z")).message).toMatch(/Did you mean 'lastSeen'/);
  });

  it('lists allowed enum values and hints at the right case', () => {
    const e = errorOf(() => m("riskScore eq 'high'"));
    expect(e.message).toBe(
      "Invalid value 'high' for property 'riskScore' at position 14. Allowed values (case-sensitive): None, Informational, Low, Medium, High. Did you mean 'High'?",
    );
    expect(errorOf(() => m("healthStatus eq 'Dead'")).message).toMatch(/Allowed values \(case-sensitive\): Active, Inactive, ImpairedCommunication/);
  });

  it('reports the position and token of syntax errors', () => {
    expect(errorOf(() => m("computerDnsName equals 'x'")).message).toBe(
      "Syntax error in $filter at position 17: expected a comparison operator (eq, ne, gt, ge, lt, le or in) after 'computerDnsName' but found 'equals'",
    );
    expect(errorOf(() => m("computerDnsName eq 'x' and")).message).toBe(
      'Syntax error in $filter at position 27: the filter ends where a condition was expected',
    );
    expect(errorOf(() => m("computerDnsName eq 'x")).message).toMatch(/position 20: unterminated string literal/);
    expect(errorOf(() => m("computerDnsName eq \"x\"")).message).toMatch(/position 20: unexpected '"'; string literals are written in single quotes/);
    expect(errorOf(() => m("computerDnsName == 'x'")).message).toMatch(/position 17: unexpected '='; OData uses the words eq/);
    expect(errorOf(() => m("(osBuild eq 1")).message).toMatch(/expected '\)' to close the parenthesis but found the end of the filter/);
    expect(errorOf(() => m("osBuild eq 1 osBuild eq 2")).message).toMatch(/position 14: unexpected 'osBuild' after a complete expression/);
    expect(errorOf(() => m('osBuild eq 12abc')).message).toMatch(/position 12: malformed number/);
    expect(errorOf(() => m('osBuild eq 1 and or osBuild eq 2')).message).toMatch(/position 18: expected a condition but found the keyword 'or'/);
    expect(errorOf(() => m('')).message).toMatch(/the filter is empty/);
    expect(errorOf(() => m('osBuild eq # ')).message).toMatch(/position 12: unexpected character '#'/);
    expect(errorOf(() => m('('.repeat(5000) + 'osBuild eq 1' + ')'.repeat(5000))).message).toMatch(/nests deeper than 100 levels/);
    expect(m('('.repeat(50) + 'osBuild eq 1' + ')'.repeat(50))).toEqual({ kind: 'cmp', op: 'eq', field: 'osBuild', value: 1 });
    expect(m('not not osBuild eq 1')).toEqual({ kind: 'not', expr: { kind: 'not', expr: { kind: 'cmp', op: 'eq', field: 'osBuild', value: 1 } } });
  });

  it('explains type mismatches', () => {
    expect(errorOf(() => m('computerDnsName eq 5')).message).toMatch(/'computerDnsName' is a string; got number 5 at position 20/);
    expect(errorOf(() => m("osBuild eq '19045'")).message).toMatch(/'osBuild' is a number; got string '19045'.*without quotes/);
    expect(errorOf(() => m("isAadJoined eq 'true'")).message).toMatch(/'isAadJoined' is boolean; got string 'true'/);
    expect(errorOf(() => m('isAadJoined gt true')).message).toMatch(/only eq and ne apply/);
    expect(errorOf(() => m('computerDnsName eq lastIpAddress')).message).toMatch(/comparing two properties/);
    expect(errorOf(() => m("'a' eq 'b'")).message).toMatch(/comparing two literals/);
  });
});
