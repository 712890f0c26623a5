import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpreterOf, splitArgs } from './live-response.ts';

describe('interpreterOf', () => {
  it('starts the #! interpreter with its one argument, else /bin/sh, the script and its arguments after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-interp-'));
    try {
      const script = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
      const a = script('a', '#!/usr/bin/env python3\nprint(1)\n');
      expect(await interpreterOf(a, ['x'])).toEqual(['/usr/bin/env', ['python3', a, 'x']]);
      const b = script('b', '#! /bin/bash  \necho\n');
      expect(await interpreterOf(b, [])).toEqual(['/bin/bash', [b]]);
      const c = script('c', 'echo plain\n');
      expect(await interpreterOf(c, ['y', 'z'])).toEqual(['/bin/sh', [c, 'y', 'z']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('splitArgs', () => {
  it('splits arguments as a shell would, expanding nothing', () => {
    expect(splitArgs(`a  'b c' "d \\" e" f\\ g $HOME ''`)).toEqual(['a', 'b c', 'd " e', 'f g', '$HOME', '']);
    expect(() => splitArgs(`'open`)).toThrow('unclosed quote');
  });

  it('keeps an empty quoted argument and folds blanks', () => {
    expect(splitArgs('  ')).toEqual([]);
    expect(splitArgs(`a "" b`)).toEqual(['a', '', 'b']);
  });
});
