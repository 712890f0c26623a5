import { describe, expect, it } from 'vitest';
import { MACHINES_SET } from '../domain/device.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { EntitySetSpec } from '../domain/list-query.ts';
import { parseListQuery } from './list-query-parser.ts';

const VULNS: EntitySetSpec = { name: 'Vulnerabilities', maxTop: 8000, defaultTop: 8000, fields: [{ name: 'severity', type: 'string' }] };

function errorOf(fn: () => unknown): PalisadeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PalisadeError);
    return e as PalisadeError;
  }
  throw new Error('expected an error');
}

describe('parseListQuery', () => {
  it('applies the defaults of the set', () => {
    expect(parseListQuery({}, MACHINES_SET)).toEqual({ top: 10_000, skip: 0, count: false, orderBy: [] });
    expect(parseListQuery({}, VULNS).top).toBe(8000);
  });

  it('parses every option together', () => {
    const q = parseListQuery(
      {
        $filter: "healthStatus eq 'Active' AND lastSeen gt 2024-01-01T00:00:00.0000000Z",
        $top: '100',
        $skip: '200',
        $count: 'true',
        $orderby: 'lastSeen desc, ComputerDnsName',
        $expand: 'evidence',
        $select: 'id,computerDnsName',
        $format: 'json',
      },
      MACHINES_SET,
    );
    expect(q).toEqual({
      filter: {
        kind: 'and',
        left: { kind: 'cmp', op: 'eq', field: 'healthStatus', value: 'Active' },
        right: { kind: 'cmp', op: 'gt', field: 'lastSeen', value: { datetime: '2024-01-01T00:00:00.000Z' } },
      },
      top: 100,
      skip: 200,
      count: true,
      orderBy: [
        { field: 'lastSeen', dir: 'desc' },
        { field: 'computerDnsName', dir: 'asc' },
      ],
      expand: ['evidence'],
      select: ['id', 'computerDnsName'],
    });
  });

  it('ignores route parameters that are not $-options, and blank filters', () => {
    const q = parseListQuery({ tag: 'x', useStartsWithFilter: 'true', $filter: '  ' }, MACHINES_SET);
    expect(q.filter).toBeUndefined();
  });

  it('matches option names case-insensitively and accepts one-element arrays', () => {
    expect(parseListQuery({ $TOP: '5', $Count: 'TRUE' }, MACHINES_SET)).toMatchObject({ top: 5, count: true });
    expect(parseListQuery({ $top: ['7'] }, MACHINES_SET).top).toBe(7);
  });

  it('checks $top bounds against the set', () => {
    expect(parseListQuery({ $top: '0' }, MACHINES_SET).top).toBe(0);
    expect(parseListQuery({ $top: '10000' }, MACHINES_SET).top).toBe(10_000);
    const e = errorOf(() => parseListQuery({ $top: '10001' }, MACHINES_SET));
    expect(e.code).toBe('ODataError');
    expect(e.status).toBe(400);
    expect(e.message).toBe("Invalid $top value '10001': must be between 0 and 10000");
    expect(errorOf(() => parseListQuery({ $top: '8001' }, VULNS)).message).toMatch(/must be between 0 and 8000/);
    expect(errorOf(() => parseListQuery({ $top: '-1' }, MACHINES_SET)).message).toMatch(/must be between 0 and 10000/);
    expect(errorOf(() => parseListQuery({ $top: 'ten' }, MACHINES_SET)).message).toBe("Invalid $top value 'ten': must be an integer between 0 and 10000");
    expect(errorOf(() => parseListQuery({ $top: '1.5' }, MACHINES_SET)).message).toMatch(/must be an integer/);
  });

  it('checks $skip and $count', () => {
    expect(parseListQuery({ $skip: '0' }, MACHINES_SET).skip).toBe(0);
    expect(errorOf(() => parseListQuery({ $skip: '-5' }, MACHINES_SET)).message).toBe("Invalid $skip value '-5': must be a non-negative integer");
    expect(errorOf(() => parseListQuery({ $skip: '99999999999999999999' }, MACHINES_SET)).message).toMatch(/non-negative integer/);
    expect(parseListQuery({ $count: 'false' }, MACHINES_SET).count).toBe(false);
    expect(errorOf(() => parseListQuery({ $count: 'yes' }, MACHINES_SET)).message).toBe("Invalid $count value 'yes': must be true or false");
  });

  it('parses $orderby and rejects bad items', () => {
    expect(parseListQuery({ $orderby: 'lastSeen+desc' }, MACHINES_SET).orderBy).toEqual([{ field: 'lastSeen', dir: 'desc' }]);
    expect(parseListQuery({ $orderby: 'riskScore ASC' }, MACHINES_SET).orderBy).toEqual([{ field: 'riskScore', dir: 'asc' }]);
    expect(errorOf(() => parseListQuery({ $orderby: 'bogus desc' }, MACHINES_SET)).message).toMatch(
      /Could not find a property named 'bogus' on Machines to order by\. Sortable properties: id, computerDnsName/,
    );
    expect(errorOf(() => parseListQuery({ $orderby: 'lastSeen down' }, MACHINES_SET)).message).toMatch(/direction 'down' for 'lastSeen': must be asc or desc/);
    expect(errorOf(() => parseListQuery({ $orderby: 'machineTags' }, MACHINES_SET)).message).toMatch(/collection property 'machineTags'/);
    expect(errorOf(() => parseListQuery({ $orderby: 'lastSeen,' }, MACHINES_SET)).message).toMatch(/an item is empty/);
    expect(errorOf(() => parseListQuery({ $orderby: 'lastSeen, lastseen desc' }, MACHINES_SET)).message).toMatch(/more than once/);
  });

  it('rejects unknown and repeated $-options', () => {
    const e = errorOf(() => parseListQuery({ $search: 'x' }, MACHINES_SET));
    expect(e.code).toBe('ODataError');
    expect(e.message).toMatch(/The query parameter '\$search' is not supported\. Supported options: \$filter, \$top/);
    expect(errorOf(() => parseListQuery({ $top: ['1', '2'] }, MACHINES_SET)).message).toMatch(/'\$top' was specified more than once/);
    expect(errorOf(() => parseListQuery({ $top: '1', $TOP: '2' }, MACHINES_SET)).message).toMatch(/more than once/);
  });

  it('validates $expand, $select and $format shapes', () => {
    expect(parseListQuery({ $select: '*' }, MACHINES_SET).select).toEqual(['*']);
    expect(errorOf(() => parseListQuery({ $expand: 'evidence($top=1)' }, MACHINES_SET)).message).toMatch(/Invalid \$expand item 'evidence\(\$top=1\)'/);
    expect(errorOf(() => parseListQuery({ $select: 'id,,name' }, MACHINES_SET)).message).toMatch(/Invalid \$select item ''/);
    expect(parseListQuery({ $format: 'application/json;odata.metadata=minimal' }, MACHINES_SET).top).toBe(10_000);
    expect(errorOf(() => parseListQuery({ $format: 'xml' }, MACHINES_SET)).message).toMatch(/Unsupported \$format 'xml'/);
  });

  it('surfaces filter errors unchanged', () => {
    expect(errorOf(() => parseListQuery({ $filter: "riskScore eq 'Severe'" }, MACHINES_SET)).message).toMatch(
      /Invalid value 'Severe' for property 'riskScore'.*None, Informational, Low, Medium, High/,
    );
  });
});
