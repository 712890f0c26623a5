import { describe, expect, it } from 'vitest';
import { SavedQueries, savedQueriesKey, type KeyValueStorage } from './saved-queries.ts';

function memory(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('SavedQueries', () => {
  it('keeps each user\'s queries apart, newest first, a name saved again replacing the query', () => {
    const storage = memory();
    const alice = new SavedQueries(storage, savedQueriesKey('t1', 'alice'));
    const bob = new SavedQueries(storage, savedQueriesKey('t1', 'bob'));
    const first = alice.save(' Logons ', 'DeviceLogonEvents', new Date('2026-12-05T01:00:00Z'));
    alice.save('Processes', 'DeviceProcessEvents', new Date('2026-12-05T02:00:00Z'));
    const again = alice.save('logons', 'DeviceLogonEvents | take 5', new Date('2026-12-05T03:00:00Z'));
    expect(again.id).toBe(first.id);
    expect(alice.list().map((q) => [q.name, q.query])).toEqual([['logons', 'DeviceLogonEvents | take 5'], ['Processes', 'DeviceProcessEvents']]);
    expect(bob.list()).toEqual([]);
    alice.remove(first.id);
    expect(alice.list().map((q) => q.name)).toEqual(['Processes']);
  });

  it('refuses an empty name and reads damaged storage as empty', () => {
    const storage = memory();
    const q = new SavedQueries(storage, 'k');
    expect(() => q.save('  ', 'T')).toThrow(/name/);
    storage.setItem('k', '{not json');
    expect(q.list()).toEqual([]);
    storage.setItem('k', JSON.stringify([{ id: 1 }, { id: 'a', name: 'n', query: 'T', savedAt: 'x' }]));
    expect(q.list().map((s) => s.id)).toEqual(['a']);
  });
});
