/** Option value parsers shared by the `palisade` commands. */
import { InvalidArgumentError } from 'commander';

/** A non-negative integer option value. */
export const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
};
