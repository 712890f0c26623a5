import { describe, expect, it } from 'vitest';
import { serialQueue } from './serial.ts';

describe('serialQueue', () => {
  it('runs calls one after another in call order, past failures', async () => {
    const q = serialQueue();
    const seen: string[] = [];
    const step = (name: string, ms: number, fail = false) => q(async () => {
      seen.push(`${name}>`);
      await new Promise((r) => setTimeout(r, ms));
      seen.push(`<${name}`);
      if (fail) throw new Error(name);
      return name;
    });
    const [a, b, c] = [step('a', 30), step('b', 1, true), step('c', 1)];
    expect(await a).toBe('a');
    await expect(b).rejects.toThrow('b');
    expect(await c).toBe('c');
    expect(seen).toEqual(['a>', '<a', 'b>', '<b', 'c>', '<c']);
  });
});
