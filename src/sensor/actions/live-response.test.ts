import { describe, expect, it } from 'vitest';
import { splitArgs } from './live-response.ts';

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
