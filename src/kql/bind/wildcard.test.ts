import { describe, expect, it } from 'vitest';
import { wildcardMatcher } from './wildcard.ts';

describe('wildcardMatcher', () => {
  const m = (p: string, n: string) => wildcardMatcher(p)(n);

  it('matches names as Kusto column patterns do', () => {
    expect(m('Device*', 'DeviceName')).toBe(true);
    expect(m('Device*', 'Device')).toBe(true);
    expect(m('Device*', 'device')).toBe(false);
    expect(m('*Name', 'DeviceName')).toBe(true);
    expect(m('*', 'x')).toBe(true);
    expect(m('A*B*C', 'AxxBxxC')).toBe(true);
    expect(m('A*B*C', 'ACB')).toBe(false);
    expect(m('AB*BC', 'ABC')).toBe(false);
    expect(m('AB*BC', 'ABBC')).toBe(true);
    expect(m('a*a*a', 'aaa')).toBe(true);
    expect(m('a*a*a', 'aa')).toBe(false);
    expect(m('Name', 'Name')).toBe(true);
    expect(m('Name', 'Names')).toBe(false);
    expect(m('*.exe', 'a.exe')).toBe(true);
    expect(m('a.*', 'abc')).toBe(false);
  });

  it('takes time linear in the number of stars (25 stars over a long non-matching name)', () => {
    const pattern = `D${'*'.repeat(25)}Q`;
    const names = Array.from({ length: 200 }, (_, i) => `D${'x'.repeat(40 + i)}`);
    const match = wildcardMatcher(pattern);
    expect(names.some(match)).toBe(false);
    const spread = `D${'*x'.repeat(25)}*Q`;
    expect(wildcardMatcher(spread)(`D${'x'.repeat(5000)}`)).toBe(false);
    expect(wildcardMatcher(spread)(`D${'x'.repeat(5000)}Q`)).toBe(true);
  });
});
