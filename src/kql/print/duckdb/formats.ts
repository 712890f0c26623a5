/**
 * format_datetime / format_timespan: KQL format strings (yyyy-MM-dd HH:mm:ss.fff tt, d.hh:mm:ss …)
 * compiled into DuckDB SQL. Literal text of the format is passed as parameters.
 */
import { PalisadeError } from '../../../domain/errors.ts';
import type { ExprPrinter } from '../dialect.ts';
import { timestampOf } from './sql-helpers.ts';

const SEPARATORS = /^[ /\-:,._[\]]$/;

/** Splits a format into runs of the same letter and separator characters. */
function tokens(fmt: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < fmt.length;) {
    let j = i + 1;
    if (/[A-Za-z]/.test(fmt[i])) while (j < fmt.length && fmt[j] === fmt[i]) j++;
    out.push(fmt.slice(i, j));
    i = j;
  }
  return out;
}

/** SQL text of the datetime `ticks` (SQL of its ticks) formatted with the KQL datetime format `fmt`. */
export function formatDatetimePattern(p: ExprPrinter, ticks: string, fmt: string): string {
  // the calendar parts from the microsecond the tick falls in; the fraction from the ticks themselves
  const x = timestampOf(ticks);
  const parts: string[] = [];
  const pad = (v: string, n: number) => `lpad(CAST(${v} AS VARCHAR), ${n}, '0')`;
  for (const t of tokens(fmt)) {
    const c = t[0];
    const n = t.length;
    switch (c) {
      case 'y': parts.push(n <= 2 ? pad(`year(${x}) % 100`, n) : pad(`year(${x})`, n)); break;
      case 'M': parts.push(n === 1 ? `CAST(month(${x}) AS VARCHAR)` : pad(`month(${x})`, 2)); break;
      case 'd': parts.push(n === 1 ? `CAST(day(${x}) AS VARCHAR)` : pad(`day(${x})`, 2)); break;
      case 'H': parts.push(n === 1 ? `CAST(hour(${x}) AS VARCHAR)` : pad(`hour(${x})`, 2)); break;
      case 'h': {
        const h12 = `(CASE WHEN hour(${x}) % 12 = 0 THEN 12 ELSE hour(${x}) % 12 END)`;
        parts.push(n === 1 ? `CAST(${h12} AS VARCHAR)` : pad(h12, 2));
        break;
      }
      case 'm': parts.push(n === 1 ? `CAST(minute(${x}) AS VARCHAR)` : pad(`minute(${x})`, 2)); break;
      case 's': parts.push(n === 1 ? `CAST(second(${x}) AS VARCHAR)` : pad(`second(${x})`, 2)); break;
      case 'f': case 'F': {
        const v = `substr(${pad(`${ticks} % 10000000`, 7)}, 1, ${Math.min(n, 7)})`;
        parts.push(c === 'f' ? v : `rtrim(${v}, '0')`);
        break;
      }
      case 't': parts.push(n === 1 ? `(CASE WHEN hour(${x}) < 12 THEN 'A' ELSE 'P' END)` : `(CASE WHEN hour(${x}) < 12 THEN 'AM' ELSE 'PM' END)`); break;
      default:
        if (/[A-Za-z]/.test(c)) throw new PalisadeError('BadRequest', `The format specifier '${t}' is not supported`);
        parts.push(p.param(t, 'string'));
    }
  }
  if (!parts.length) return `''`;
  return `(CASE WHEN ${ticks} IS NULL THEN '' ELSE ${parts.join(' || ')} END)`;
}

/** SQL text of `t` (ticks) formatted with the KQL timespan format `fmt`. */
export function formatTimespanSql(t: string, fmt: string): string {
  const a = `abs(${t})`;
  const parts: string[] = [];
  const pad = (v: string, n: number) => `lpad(CAST(${v} AS VARCHAR), ${n}, '0')`;
  for (const tok of tokens(fmt)) {
    const c = tok[0];
    const n = tok.length;
    switch (c) {
      case 'd': parts.push(pad(`${a} // 864000000000`, n)); break;
      case 'h': case 'H': parts.push(pad(`(${a} // 36000000000) % 24`, n)); break;
      case 'm': parts.push(pad(`(${a} // 600000000) % 60`, n)); break;
      case 's': parts.push(pad(`(${a} // 10000000) % 60`, n)); break;
      case 'f': case 'F': {
        const v = `substr(${pad(`${a} % 10000000`, 7)}, 1, ${Math.min(n, 7)})`;
        parts.push(c === 'f' ? v : `rtrim(${v}, '0')`);
        break;
      }
      default:
        if (/[A-Za-z]/.test(c)) throw new PalisadeError('BadRequest', `The format specifier '${tok}' is not supported`);
        if (!SEPARATORS.test(c)) throw new PalisadeError('BadRequest', `The format character '${c}' is not supported`);
        parts.push(`'${c.repeat(n)}'`);
    }
  }
  if (!parts.length) return `''`;
  return `(CASE WHEN ${t} IS NULL THEN '' ELSE (CASE WHEN ${t} < 0 THEN '-' ELSE '' END) || ${parts.join(' || ')} END)`;
}
