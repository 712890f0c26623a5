import { describe, expect, it } from 'vitest';
import { COLUMNS, IPACCT, IPRDP, IPVER, PRDP, override } from './columns.ts';
import { TABLES } from './registry.ts';

const dictionary = COLUMNS as Readonly<Record<string, (typeof COLUMNS)['Timestamp']>>;

function tablesUsing(name: string): string[] {
  return TABLES.filter((t) => t.columns.some((c) => c.name === name)).map((t) => t.name);
}

describe('shared column dictionary', () => {
  it('declares every column that two or more tables have, and only those', () => {
    const names = new Set(TABLES.flatMap((t) => t.columns.map((c) => c.name)));
    const shared = [...names].filter((n) => tablesUsing(n).length > 1).sort();
    expect(Object.keys(dictionary).sort()).toEqual(shared);
  });

  it('is what tables use for shared columns: the same declaration, or an override that keeps the name', () => {
    for (const t of TABLES) {
      for (const c of t.columns) {
        const d = dictionary[c.name];
        if (!d || c === d) continue;
        // An override: a table-specific type or description, never an identical copy written out again.
        expect(c.type !== d.type || c.description !== d.description, `${t.name}.${c.name} repeats the shared declaration`).toBe(true);
      }
    }
  });

  it('keeps the MDE abbreviations in reference order', () => {
    expect(IPACCT.map((c) => c.name)).toEqual([
      'InitiatingProcessAccountDomain', 'InitiatingProcessAccountName', 'InitiatingProcessAccountSid',
      'InitiatingProcessAccountUpn', 'InitiatingProcessAccountObjectId',
    ]);
    expect(IPVER.map((c) => c.name)).toEqual([
      'InitiatingProcessVersionInfoCompanyName', 'InitiatingProcessVersionInfoProductName', 'InitiatingProcessVersionInfoProductVersion',
      'InitiatingProcessVersionInfoInternalFileName', 'InitiatingProcessVersionInfoOriginalFileName', 'InitiatingProcessVersionInfoFileDescription',
    ]);
    expect(IPRDP.map((c) => `${c.name}:${c.type}`)).toEqual([
      'InitiatingProcessSessionId:long', 'IsInitiatingProcessRemoteSession:bool',
      'InitiatingProcessRemoteSessionDeviceName:string', 'InitiatingProcessRemoteSessionIP:string',
    ]);
    expect(PRDP.map((c) => `${c.name}:${c.type}`)).toEqual([
      'CreatedProcessSessionId:long', 'IsProcessRemoteSession:bool', 'ProcessRemoteSessionDeviceName:string', 'ProcessRemoteSessionIP:string',
    ]);
  });

  it('freezes shared declarations so no table can change them for the others', () => {
    expect(Object.isFrozen(COLUMNS.Timestamp)).toBe(true);
    expect(Object.isFrozen(IPACCT)).toBe(true);
  });

  it('override changes only what it is given and never the shared declaration', () => {
    const o = override(COLUMNS.AdditionalFields, { type: 'dynamic' });
    expect(o).toEqual({ name: 'AdditionalFields', type: 'dynamic', description: COLUMNS.AdditionalFields.description });
    expect(COLUMNS.AdditionalFields.type).toBe('string');
  });
});
