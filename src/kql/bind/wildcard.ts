/**
 * Name patterns with `*` wildcards (`project-away Device*`, `union Device*`, `arg_max(T, Net*)`). A
 * pattern is matched without regular expressions, so its cost is bounded by the name's length times
 * the pattern's, however many stars it has (a backtracking `.*.*…` regex takes exponential time).
 */

/**
 * A matcher for `pattern`: `*` stands for any run of characters (empty included), everything else
 * for itself, case-sensitively. The whole name must match.
 */
export function wildcardMatcher(pattern: string): (name: string) => boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return (name) => name === pattern;
  const head = parts[0];
  const tail = parts[parts.length - 1];
  // the pieces between stars; empty ones (from `**`) match anywhere and are dropped
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const least = head.length + tail.length + middle.reduce((n, p) => n + p.length, 0);
  return (name) => {
    if (name.length < least || !name.startsWith(head) || !name.endsWith(tail)) return false;
    // each middle piece is taken at its first occurrence after the previous one: taking it as early
    // as possible leaves the most room for the rest, so a later choice never succeeds where it fails
    let at = head.length;
    const end = name.length - tail.length;
    for (const p of middle) {
      const i = name.indexOf(p, at);
      if (i < 0 || i + p.length > end) return false;
      at = i + p.length;
    }
    return true;
  };
}
