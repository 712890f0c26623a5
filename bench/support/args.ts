/** Command-line option helpers shared by the benchmarks (`--name value`). */

/** The number after `--name`, or `dflt` when absent; throws on a non-numeric value. */
export function numberArg(args: readonly string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(String(args[i + 1]).replaceAll('_', ''));
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${args[i + 1]}`);
  return v;
}

/** The text after `--name`, or `dflt` when absent. */
export function stringArg(args: readonly string[], name: string, dflt: string): string;
export function stringArg(args: readonly string[], name: string, dflt?: string): string | undefined;
export function stringArg(args: readonly string[], name: string, dflt?: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** A comma-separated list of numbers after `--name` (e.g. `--sizes 1000000,10000000`). */
export function numberListArg(args: readonly string[], name: string, dflt: readonly number[]): number[] {
  const s = stringArg(args, name);
  if (s === undefined) return [...dflt];
  const out = s.split(',').map((x) => Number(x.trim().replaceAll('_', '')));
  if (out.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`--${name} needs positive numbers, got ${s}`);
  return out;
}

/** Whether the bare flag `--name` is present. */
export function flagArg(args: readonly string[], name: string): boolean {
  return args.includes(`--${name}`);
}
