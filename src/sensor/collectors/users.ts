/**
 * User names of uids from /etc/passwd, re-read (at most every 10 s) when a uid is not known, so an
 * account added while the sensor runs is named.
 */
import { readFileSync } from 'node:fs';

/** Maps uids to user names. */
export class UserNames {
  private names = new Map<number, string>();
  private loadedAt = 0;

  constructor(private readonly passwdPath = '/etc/passwd') {
    this.load();
  }

  /** The user name of `uid`, or the uid as text when no account has it. */
  name(uid: number): string {
    let n = this.names.get(uid);
    if (n === undefined && Date.now() - this.loadedAt > 10_000) {
      this.load();
      n = this.names.get(uid);
    }
    return n ?? String(uid);
  }

  private load(): void {
    this.loadedAt = Date.now();
    let text = '';
    try {
      text = readFileSync(this.passwdPath, 'utf8');
    } catch {
      return;
    }
    const names = new Map<number, string>();
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && /^\d+$/.test(f[2])) names.set(Number(f[2]), f[0]);
    }
    this.names = names;
  }
}
