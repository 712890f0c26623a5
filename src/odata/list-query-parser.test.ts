import { describe, expect, it } from 'vitest';
import { MACHINE } from '../entities/machine.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { EntitySetSpec } from '../domain/list-query.ts';
import { parseListQuery, parseSelectOption } from './list-query-parser.ts';

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
    expect(parseListQuery({}, MACHINE.set)).toEqual({ top: 10_000, skip: 0, count: false, orderBy: [] });
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
      MACHINE.set,
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
    const q = parseListQuery({ tag: 'x', useStartsWithFilter: 'true', $filter: '  ' }, MACHINE.set);
    expect(q.filter).toBeUndefined();
  });

  it('matches option names case-insensitively and accepts one-element arrays', () => {
    expect(parseListQuery({ $TOP: '5', $Count: 'TRUE' }, MACHINE.set)).toMatchObject({ top: 5, count: true });
    expect(parseListQuery({ $top: ['7'] }, MACHINE.set).top).toBe(7);
  });

  it('checks $top bounds against the set', () => {
    expect(parseListQuery({ $top: '0' }, MACHINE.set).top).toBe(0);
    expect(parseListQuery({ $top: '10000' }, MACHINE.set).top).toBe(10_000);
    const e = errorOf(() => parseListQuery({ $top: '10001' }, MACHINE.set));
    expect(e.code).toBe('ODataError');
    expect(e.status).toBe(400);
    expect(e.message).toBe("Invalid $top value '10001': must be between 0 and 10000");
    expect(errorOf(() => parseListQuery({ $top: '8001' }, VULNS)).message).toMatch(/must be between 0 and 8000/);
    expect(errorOf(() => parseListQuery({ $top: '-1' }, MACHINE.set)).message).toMatch(/must be between 0 and 10000/);
    expect(errorOf(() => parseListQuery({ $top: 'ten' }, MACHINE.set)).message).toBe("Invalid $top value 'ten': must be an integer between 0 and 10000");
    expect(errorOf(() => parseListQuery({ $top: '1.5' }, MACHINE.set)).message).toMatch(/must be an integer/);
  });

  it('checks $skip and $count', () => {
    expect(parseListQuery({ $skip: '0' }, MACHINE.set).skip).toBe(0);
    expect(errorOf(() => parseListQuery({ $skip: '-5' }, MACHINE.set)).message).toBe("Invalid $skip value '-5': must be a non-negative integer");
    expect(errorOf(() => parseListQuery({ $skip: '99999999999999999999' }, MACHINE.set)).message).toMatch(/non-negative integer/);
    expect(parseListQuery({ $count: 'false' }, MACHINE.set).count).toBe(false);
    expect(errorOf(() => parseListQuery({ $count: 'yes' }, MACHINE.set)).message).toBe("Invalid $count value 'yes': must be true or false");
  });

  it('parses $orderby and rejects bad items', () => {
    expect(parseListQuery({ $orderby: 'lastSeen+desc' }, MACHINE.set).orderBy).toEqual([{ field: 'lastSeen', dir: 'desc' }]);
    expect(parseListQuery({ $orderby: 'riskScore ASC' }, MACHINE.set).orderBy).toEqual([{ field: 'riskScore', dir: 'asc' }]);
    expect(errorOf(() => parseListQuery({ $orderby: 'bogus desc' }, MACHINE.set)).message).toMatch(
      /Could not find a property named 'bogus' on Machines to order by\. Sortable properties: id, computerDnsName/,
    );
    expect(errorOf(() => parseListQuery({ $orderby: 'lastSeen down' }, MACHINE.set)).message).toMatch(/direction 'down' for 'lastSeen': must be asc or desc/);
    expect(errorOf(() => parseListQuery({ $orderby: 'machineTags' }, MACHINE.set)).message).toMatch(/collection property 'machineTags'/);
    expect(errorOf(() => parseListQuery({ $orderby: 'lastSeen,' }, MACHINE.set)).message).toMatch(/an item is empty/);
    expect(errorOf(() => parseListQuery({ $orderby: 'lastSeen, lastseen desc' }, MACHINE.set)).message).toMatch(/more than once/);
    const unsortable: EntitySetSpec = { name: 'Notes', maxTop: 10, defaultTop: 10, fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'string', sortable: false }] };
    expect(parseListQuery({ $orderby: 'a' }, unsortable).orderBy).toEqual([{ field: 'a', dir: 'asc' }]);
    expect(errorOf(() => parseListQuery({ $orderby: 'b' }, unsortable)).message).toBe("Property 'b' of Notes cannot be used in $orderby");
    expect(errorOf(() => parseListQuery({ $orderby: 'c' }, unsortable)).message).toMatch(/Sortable properties: a$/);
  });

  it('rejects unknown and repeated $-options', () => {
    const e = errorOf(() => parseListQuery({ $search: 'x' }, MACHINE.set));
    expect(e.code).toBe('ODataError');
    expect(e.message).toMatch(/The query parameter '\$search' is not supported\. Supported options: \$filter, \$top/);
    expect(errorOf(() => parseListQuery({ $top: ['1', '2'] }, MACHINE.set)).message).toMatch(/'\$top' was specified more than once/);
    expect(errorOf(() => parseListQuery({ $top: '1', $TOP: '2' }, MACHINE.set)).message).toMatch(/more than once/);
  });

  it('validates $expand, $select and $format shapes', () => {
    expect(parseListQuery({ $select: '*' }, MACHINE.set).select).toEqual(['*']);
    expect(parseSelectOption({ $SELECT: 'id, computerDnsName', $top: 'ignored' })).toEqual(['id', 'computerDnsName']);
    expect(parseSelectOption({ other: 'x' })).toBeUndefined();
    expect(errorOf(() => parseSelectOption({ $select: ['a', 'b'] })).message).toMatch(/more than once/);
    expect(errorOf(() => parseSelectOption({ $select: 'a b' })).message).toMatch(/Invalid \$select item 'a b'/);
    expect(errorOf(() => parseListQuery({ $expand: 'evidence($top=1)' }, MACHINE.set)).message).toMatch(/Invalid \$expand item 'evidence\(\$top=1\)'/);
    expect(errorOf(() => parseListQuery({ $select: 'id,,name' }, MACHINE.set)).message).toMatch(/Invalid \$select item ''/);
    expect(parseListQuery({ $format: 'application/json;odata.metadata=minimal' }, MACHINE.set).top).toBe(10_000);
    expect(errorOf(() => parseListQuery({ $format: 'xml' }, MACHINE.set)).message).toMatch(/Unsupported \$format 'xml'/);
  });

  it('surfaces filter errors unchanged', () => {
    expect(errorOf(() => parseListQuery({ $filter: "riskScore eq 'Severe'" }, MACHINE.set)).message).toMatch(
      /Invalid value 'Severe' for property 'riskScore'.*None, Informational, Low, Medium, High/,
    );
  });
});
