import { describe, expect, it } from 'vitest';
import { tableReferences } from './table-references.ts';

describe('table references from the syntax tree', () => {
  it('finds the tables in tabular positions and leaves out let names', () => {
    const q = 'let T = A | where x > 1; T | join kind=inner (B | where y) on x | union C, (D) | lookup E on y | where z in (F | project z); find in (G) where true; table("H") | take 1';
    expect(tableReferences(q)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
  });

  it('ignores names in comments and strings, and columns', () => {
    expect(tableReferences('// Syslog is not read here\nDeviceProcessEvents | where FileName == "Syslog" | project Syslog = 1')).toEqual(['DeviceProcessEvents']);
  });

  it('reads the tables of a query with syntax errors from the tree the parser still builds', () => {
    expect(tableReferences('SecurityAlert | where x == | join (DeviceInfo) on y')).toEqual(['DeviceInfo', 'SecurityAlert']);
  });
});
