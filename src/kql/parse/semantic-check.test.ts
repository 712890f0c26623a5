import { describe, expect, it } from 'vitest';
import { TABLES } from '../../schema/registry.ts';
import type { TableDecl } from '../../schema/types.ts';
import { analyzeKql, analyzerColumns, palisadeGlobals } from './semantic-check.ts';

describe('analyzeKql', () => {
  it('accepts a clean query over Palisade tables', () => {
    expect(analyzeKql('DeviceProcessEvents | where Timestamp > ago(1d) | summarize count() by DeviceId').errors).toEqual([]);
    expect(analyzeKql('DeviceNetworkEvents | where RemotePort == 443 | project Timestamp, DeviceName, RemoteIP | take 10').errors).toEqual([]);
  });

  it('reports an unknown column (names are case-sensitive) with its position', () => {
    const q = 'DeviceProcessEvents\n| where DeviceID == ""';
    const { errors } = analyzeKql(q);
    expect(errors).toHaveLength(1);
    const [e] = errors;
    expect(e.kind).toBe('semantic');
    expect(e.code).toBe('KS142');
    expect(e.message).toContain("'DeviceID'");
    expect(e.start).toBe(q.indexOf('DeviceID'));
    expect(e.length).toBe('DeviceID'.length);
    expect({ line: e.line, column: e.column }).toEqual({ line: 2, column: 9 });
  });

  it('reports an unknown table with its position', () => {
    const q = 'let x = 1;\nSigninLogs | take 1';
    const { errors } = analyzeKql(q);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'semantic', code: 'KS204', start: q.indexOf('SigninLogs'), line: 2, column: 1 });
    expect(errors[0].message).toContain("'SigninLogs'");
  });

  it('checks types: a string where a bool is needed is an error', () => {
    const { errors } = analyzeKql('DeviceProcessEvents | where FileName');
    expect(errors.map((e) => e.code)).toEqual(['KS141']);
    expect(analyzeKql('DeviceProcessEvents | summarize countif(FileName)').errors.map((e) => e.code)).toEqual(['KS107']);
  });

  it('marks errors that the parser alone reports as syntax errors', () => {
    const { errors } = analyzeKql('DeviceProcessEvents | where FileName ==');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.kind === 'syntax')).toBe(true);
  });

  it('accepts the hidden TimeGenerated alias on tables with Timestamp, and nowhere else', () => {
    expect(analyzeKql('DeviceEvents | where TimeGenerated > ago(1h) | project TimeGenerated, DeviceId').errors).toEqual([]);
    const noTs: TableDecl = { name: 'NoClock', description: '', columns: [{ name: 'Id', type: 'string', description: '' }] };
    expect(analyzerColumns(noTs).map((c) => c.name)).toEqual(['Id']);
    expect(analyzeKql('NoClock | where TimeGenerated > ago(1h)', [noTs]).errors.map((e) => e.code)).toEqual(['KS142']);
  });

  it('holds every declared table and column with its KQL type in the default database', () => {
    const db = palisadeGlobals().Database;
    expect(Number(db.Tables.Count)).toBe(TABLES.length);
    for (const t of TABLES) {
      const sym = db.GetTable(t.name);
      const cols: string[] = [];
      for (let i = 0; i < Number(sym.Columns.Count); i++) {
        const c = sym.Columns.getItem(i);
        cols.push(`${String(c.Name)}:${String(c.Type.Name)}`);
      }
      expect(cols).toEqual(analyzerColumns(t).map((c) => `${c.name}:${c.type}`));
    }
    expect(analyzeKql('DeviceInfo | where Timestamp > 5').errors.map((e) => e.code)).toEqual(['KS106']);
  });

  it('builds the global state once per table list', () => {
    expect(palisadeGlobals()).toBe(palisadeGlobals());
    expect(palisadeGlobals(TABLES)).toBe(palisadeGlobals());
  });
});
