/**
 * Reading an indicators CSV file in the browser (the columns of MDE's import template:
 * IndicatorType, IndicatorValue, ExpirationTime, Action, Severity, Title, Description,
 * RecommendedActions, RbacGroups, Category, MitreTechniques, GenerateAlert; header names in any case
 * and order) into the bodies `POST /api/indicators/import` takes, in batches of at most 500. The
 * server checks every value; this only reads the text.
 */

/** The most indicators one import request carries. */
export const IMPORT_BATCH = 500;

/** The rows of CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF); blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0].trim() !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

const COLUMNS: Record<string, string> = {
  indicatortype: 'indicatorType', indicatorvalue: 'indicatorValue', expirationtime: 'expirationTime', action: 'action',
  severity: 'severity', title: 'title', description: 'description', recommendedactions: 'recommendedActions',
  rbacgroups: 'rbacGroupNames', rbacgroupnames: 'rbacGroupNames', category: 'category', mitretechniques: 'mitreTechniques',
  generatealert: 'generateAlert', application: 'application', educateurl: 'educateUrl',
};

const LISTS = new Set(['rbacGroupNames', 'mitreTechniques']);

/** The indicator bodies of a CSV file; throws when the header lacks IndicatorType or IndicatorValue. */
export function indicatorsOfCsv(text: string): Record<string, unknown>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const keys = header.map((h) => COLUMNS[h.trim().toLowerCase().replace(/[\s_]/g, '')] ?? null);
  if (!keys.includes('indicatorType') || !keys.includes('indicatorValue')) {
    throw new Error('The file needs the columns IndicatorType and IndicatorValue (MDE\'s import template)');
  }
  return rows.map((cells) => {
    const body: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      const raw = (cells[i] ?? '').trim();
      if (!k || raw === '') return;
      if (LISTS.has(k)) body[k] = raw.split(/[;,]/).map((s) => s.trim()).filter(Boolean);
      else if (k === 'generateAlert') body[k] = /^(true|yes|1)$/i.test(raw);
      else body[k] = raw;
    });
    return body;
  });
}

/** `items` in batches of `size`. */
export function batches<T>(items: readonly T[], size = IMPORT_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
