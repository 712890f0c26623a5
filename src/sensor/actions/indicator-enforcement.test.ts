import { describe, expect, it } from 'vitest';
import type { SensorIndicator } from './handler.ts';
import { IndicatorEnforcer } from './indicator-enforcement.ts';

const h = { sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), md5: 'c'.repeat(32), size: 1 };
const ind = (id: string, type: string, value: string, action: string, expires: string | null = null): SensorIndicator => ({ id, type, value, action, expires });
const verdictOf = (list: SensorIndicator[]) => {
  const e = new IndicatorEnforcer({ hasher: { hash: async () => null }, indicators: () => list, emit: () => {}, stateDir: '/nonexistent', log: { info: () => {}, warn: () => {} } });
  const v = e.verdict(h);
  return v && `${v.effect}:${v.indicator.id}`;
};

describe('IndicatorEnforcer.verdict', () => {
  it('blocks on Block, BlockAndRemediate and AlertAndBlock by any hash, case-insensitively', () => {
    expect(verdictOf([ind('1', 'FileSha1', 'A'.repeat(40), 'Block')])).toBe('block:1');
    expect(verdictOf([ind('2', 'FileSha256', 'b'.repeat(64), 'BlockAndRemediate')])).toBe('block:2');
    expect(verdictOf([ind('3', 'FileMd5', 'c'.repeat(32), 'AlertAndBlock')])).toBe('block:3');
  });

  it('reports on Audit, Alert and Warn; a block wins over a report; Allowed wins over both', () => {
    expect(verdictOf([ind('4', 'FileSha1', 'a'.repeat(40), 'Audit')])).toBe('report:4');
    expect(verdictOf([ind('5', 'FileMd5', 'c'.repeat(32), 'Warn'), ind('6', 'FileSha1', 'a'.repeat(40), 'Block')])).toBe('block:6');
    expect(verdictOf([ind('7', 'FileSha1', 'a'.repeat(40), 'Block'), ind('8', 'FileSha256', 'b'.repeat(64), 'Allowed')])).toBeNull();
  });

  it('ignores expired indicators and other types', () => {
    expect(verdictOf([ind('9', 'FileSha1', 'a'.repeat(40), 'Block', '2000-01-01T00:00:00Z')])).toBeNull();
    expect(verdictOf([ind('10', 'IpAddress', 'a'.repeat(40), 'Block')])).toBeNull();
  });
});
