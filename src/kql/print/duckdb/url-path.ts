/**
 * parse_url, parse_urlquery and parse_path for DuckDB: split with regular expressions into the
 * property bags KQL returns (Scheme, Host, Port, Path, Username, Password, Query Parameters,
 * Fragment / RootPath, DirectoryPath, DirectoryName, Filename, Extension, …).
 */
import type { FnHandler, ExprPrinter } from '../dialect.ts';
import { toText } from './sql-helpers.ts';

const URL_RE = `'^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\\[[^\\]]*\\]|[^:/?#]*)(?::(\\d+))?([^?#]*)(?:\\?([^#]*))?(?:#(.*))?$'`;

/** A JSON object of the query string's key=value pairs. */
function queryBag(q: string): string {
  const pairs = `list_filter(string_split(${q}, '&'), kv -> kv <> '')`;
  return `(CASE WHEN ${q} IS NULL OR ${q} = '' THEN CAST('{}' AS JSON) ELSE CAST(map_from_entries(list_transform(${pairs}, kv -> {'k': url_decode(split_part(kv, '=', 1)), 'v': url_decode(CASE WHEN strpos(kv, '=') > 0 THEN substr(kv, strpos(kv, '=') + 1) ELSE '' END)})) AS JSON) END)`;
}

function parseUrl(p: ExprPrinter, s: string): string {
  const g = (i: number) => `regexp_extract(${s}, ${URL_RE}, ${i})`;
  return `(CASE WHEN regexp_full_match(${s}, ${URL_RE}) THEN json_object('Scheme', ${g(1)}, 'Host', ${g(4)}, 'Port', ${g(5)}, 'Path', ${g(6)}, 'Username', ${g(2)}, 'Password', ${g(3)}, 'Query Parameters', ${queryBag(g(7))}, 'Fragment', ${g(8)}) ELSE CAST('{}' AS JSON) END)`;
}

/**
 * parse_path: the scheme (before '://') is not part of the directory path; RootPath is a drive
 * letter ('C:') only — UNC shares and '/' roots give '' as KQL documents.
 */
function parsePath(s: string): string {
  const norm = `regexp_replace(${s}, '^[A-Za-z][A-Za-z0-9+.-]*://', '')`;
  const lastBack = `(CASE WHEN strpos(${norm}, '\\') > 0 THEN length(${norm}) - strpos(reverse(${norm}), '\\') + 1 ELSE 0 END)`;
  const lastSlash = `(CASE WHEN strpos(${norm}, '/') > 0 THEN length(${norm}) - strpos(reverse(${norm}), '/') + 1 ELSE 0 END)`;
  const pos = `CAST(greatest(${lastBack}, ${lastSlash}) AS BIGINT)`;
  const file = `substr(${norm}, ${pos} + 1)`;
  const dir = `(CASE WHEN ${pos} > 0 THEN substr(${norm}, 1, ${pos} - 1) ELSE '' END)`;
  const dirName = `regexp_extract(${dir}, '([^\\\\/]*)$', 1)`;
  const fileOnly = `split_part(${file}, ':', 1)`;
  const ads = `(CASE WHEN strpos(${file}, ':') > 0 THEN substr(${file}, strpos(${file}, ':') + 1) ELSE '' END)`;
  const ext = `(CASE WHEN strpos(${fileOnly}, '.') > 0 THEN regexp_extract(${fileOnly}, '\\.([^.]*)$', 1) ELSE '' END)`;
  const scheme = `regexp_extract(${s}, '^([A-Za-z][A-Za-z0-9+.-]*)://', 1)`;
  const root = `regexp_extract(${norm}, '^([A-Za-z]:)', 1)`;
  return `json_object('Scheme', ${scheme}, 'RootPath', ${root}, 'DirectoryPath', ${dir}, 'DirectoryName', ${dirName}, 'Filename', ${fileOnly}, 'Extension', ${ext}, 'AlternateDataStreamName', ${ads})`;
}

/** Handlers by KQL name. */
export const URL_AND_PATH_FUNCTIONS: Record<string, FnHandler> = {
  parse_url: (p, [u]) => parseUrl(p, toText(p, u)),
  parse_urlquery: (p, [q]) => `json_object('Query Parameters', ${queryBag(`regexp_replace(${toText(p, q)}, '^\\?', '')`)})`,
  parse_path: (p, [s]) => parsePath(toText(p, s)),
};
