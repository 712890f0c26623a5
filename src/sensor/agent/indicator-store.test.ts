import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IndicatorStore } from './indicator-store.ts';
import { StateDir } from './state-dir.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('IndicatorStore', () => {
  it('applies full lists and changes, leaves expired ones out and keeps the list across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'indicators-test-'));
    dirs.push(dir);
    const state = new StateDir(dir).ensure();
    const s = new IndicatorStore(state);
    let changes = 0;
    s.onChange(() => changes++);
    const ind = (id: string, expires: string | null = null) => ({ id, type: 'FileSha1', value: id.padEnd(40, '0'), action: 'Block', expires });
    s.apply({ version: 3, full: true, indicators: [ind('a'), ind('b'), ind('c', '2000-01-01T00:00:00Z')], removed: [] });
    expect(s.list().map((i) => i.id)).toEqual(['a', 'b']);
    s.apply({ version: 5, full: false, indicators: [ind('d')], removed: ['a'] });
    expect(s.list().map((i) => i.id).sort()).toEqual(['b', 'd']);
    expect(changes).toBe(2);
    const again = new IndicatorStore(state);
    expect(again.version).toBe(5);
    expect(again.list().map((i) => i.id).sort()).toEqual(['b', 'd']);
    again.apply({ version: 6, full: true, indicators: [ind('e')], removed: [] });
    expect(again.list().map((i) => i.id)).toEqual(['e']);
  });
});
