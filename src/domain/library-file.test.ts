import { describe, expect, it } from 'vitest';
import { checkLibraryFileName, libraryFileKey } from './library-file.ts';

describe('library file names', () => {
  it('accepts plain file names, trimmed', () => {
    expect(checkLibraryFileName(' collect.sh ')).toBe('collect.sh');
    expect(checkLibraryFileName('Get-Info v2.ps1')).toBe('Get-Info v2.ps1');
    expect(libraryFileKey('Get-Info.PS1')).toBe('get-info.ps1');
  });

  it('refuses paths, control characters, dot names, empty and overlong names', () => {
    for (const bad of ['../etc/passwd', 'a/b', 'a\\b', '.', '..', 'tab\there', 'nul\u0000', '', '   ', 'x'.repeat(256), 42, null]) {
      expect(() => checkLibraryFileName(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    }
  });
});
