import { describe, expect, it } from 'vitest';
import { and, anyOf, contains, quote, startsWith } from './odata.ts';
import { listQuery } from './client.ts';

describe('odata filters', () => {
  it('quotes values once, doubling quotes', () => {
    expect(quote("O'Brien")).toBe("'O''Brien'");
    expect(anyOf('healthStatus', ['Active'])).toBe("healthStatus eq 'Active'");
    expect(anyOf('osPlatform', ['Linux', "x' or 1 eq 1"])).toBe("(osPlatform eq 'Linux' or osPlatform eq 'x'' or 1 eq 1')");
    expect(anyOf('osPlatform', [''])).toBeNull();
  });

  it('joins the clauses that are set', () => {
    expect(and(null, contains('machineTags', 'vip'), undefined, startsWith('computerDnsName', ' web '))).toBe(
      "machineTags/any(x: x eq 'vip') and startswith(computerDnsName,'web')",
    );
    expect(and(null, contains('machineTags', ''))).toBeUndefined();
  });

  it('builds the query of a page', () => {
    expect(listQuery({ top: 50, skip: 100, filter: "a eq 'b'", orderby: 'lastSeen desc' })).toBe(
      '%24top=50&%24skip=100&%24filter=a+eq+%27b%27&%24orderby=lastSeen+desc&%24count=true',
    );
    expect(listQuery({ top: 5, count: false })).toBe('%24top=5');
  });
});
