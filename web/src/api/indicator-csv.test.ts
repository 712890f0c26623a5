import { describe, expect, it } from 'vitest';
import { batches, indicatorsOfCsv, parseCsv } from './indicator-csv.ts';

describe('indicator CSV', () => {
  it('parses quoted fields, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,"b,c","say ""hi"""\r\n\r\n1,2,3\n')).toEqual([['a', 'b,c', 'say "hi"'], ['1', '2', '3']]);
    expect(parseCsv('x,"multi\nline"')).toEqual([['x', 'multi\nline']]);
  });

  it("maps MDE's template columns in any case and order", () => {
    const csv = 'IndicatorValue,indicatortype,Action,Title,RbacGroups,GenerateAlert,MitreTechniques,Unknown\n'
      + 'evil.example,DomainName,Block,Bad,"SOC; Servers",TRUE,T1566,zzz\n'
      + '1.2.3.4,IpAddress,Audit,,,false,,\n';
    expect(indicatorsOfCsv(csv)).toEqual([
      { indicatorValue: 'evil.example', indicatorType: 'DomainName', action: 'Block', title: 'Bad', rbacGroupNames: ['SOC', 'Servers'], generateAlert: true, mitreTechniques: ['T1566'] },
      { indicatorValue: '1.2.3.4', indicatorType: 'IpAddress', action: 'Audit', generateAlert: false },
    ]);
  });

  it('refuses a file without the key columns', () => {
    expect(() => indicatorsOfCsv('Title,Action\nx,Block\n')).toThrow(/IndicatorType and IndicatorValue/);
  });

  it('batches by 500', () => {
    expect(batches(Array.from({ length: 1001 }, (_, i) => i)).map((b) => b.length)).toEqual([500, 500, 1]);
  });
});
