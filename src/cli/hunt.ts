/**
 * `palisade hunt "<kql>"`: runs an advanced hunting query against a running server, with an app's
 * client credentials or, with `--login`, as the person at the keyboard (device code sign-in, the
 * refresh token cached; see device-login.ts), and prints a table, JSON or CSV.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CONSOLE_CLIENT_ID } from '../auth/console-client.ts';
import { post, postForm, userAccessToken } from './device-login.ts';

interface HuntOptions {
  url?: string; tenant?: string; clientId?: string; clientSecret?: string; ca?: string; format: string; login?: boolean;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Renders rows as an aligned text table (long cells are cut at 60 characters). */
export function formatTable(cols: string[], rows: Record<string, unknown>[]): string {
  const cut = (s: string) => (s.length > 60 ? s.slice(0, 57) + '...' : s).replace(/\s+/g, ' ');
  const cells = rows.map((r) => cols.map((c) => cut(cell(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Renders rows as RFC 4180 CSV. */
export function formatCsv(cols: string[], rows: Record<string, unknown>[]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [cols.map(q).join(','), ...rows.map((r) => cols.map((c) => q(cell(r[c]))).join(','))].join('\r\n');
}

/** Registers `palisade hunt`. */
export function registerHunt(program: Command): void {
  program.command('hunt').description('run an advanced hunting (KQL) query against a running server')
    .argument('<kql>', 'the query; use - to read it from standard input')
    .option('--url <url>', 'server URL (PALISADE_URL)')
    .option('--tenant <id>', 'tenant id (PALISADE_TENANT)')
    .option('--login', 'sign in as yourself (device code: open the page it shows, enter the code); the query runs with your roles and device groups')
    .option('--client-id <id>', 'app client id (PALISADE_CLIENT_ID); with --login, the public client to sign in to (default: the console\'s)')
    .option('--client-secret <secret>', 'app client secret (PALISADE_CLIENT_SECRET)')
    .option('--ca <file>', 'CA certificate to trust (PALISADE_CA)')
    .option('--format <fmt>', 'table, json or csv', 'table')
    .action(async (kql: string, o: HuntOptions) => {
      const env = process.env;
      const url = (o.url ?? env.PALISADE_URL ?? '').replace(/\/+$/, '');
      const tenant = o.tenant ?? env.PALISADE_TENANT;
      const clientId = o.clientId ?? env.PALISADE_CLIENT_ID ?? (o.login ? CONSOLE_CLIENT_ID : undefined);
      const secret = o.clientSecret ?? env.PALISADE_CLIENT_SECRET;
      const caFile = o.ca ?? env.PALISADE_CA;
      const needed = [['--url/PALISADE_URL', url], ['--tenant/PALISADE_TENANT', tenant], ['--client-id/PALISADE_CLIENT_ID', clientId], ...(o.login ? [] : [['--client-secret/PALISADE_CLIENT_SECRET', secret]])];
      const missing = needed.filter(([, v]) => !v).map(([k]) => k);
      if (missing.length) throw new Error(`missing ${missing.join(', ')}${o.login ? '' : ' (or sign in as yourself with --login)'}`);
      if (!['table', 'json', 'csv'].includes(o.format)) throw new Error(`--format must be table, json or csv`);
      const query = kql === '-' ? readFileSync(0, 'utf8') : kql;
      const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
      let token: string;
      if (o.login) {
        token = await userAccessToken({ url, tenant: tenant!, clientId: clientId! }, { ca });
      } else {
        const tok = await postForm(`${url}/${tenant}/oauth2/v2.0/token`, { grant_type: 'client_credentials', client_id: clientId!, client_secret: secret!, scope: 'https://api.securitycenter.microsoft.com/.default' }, ca);
        if (tok.status !== 200) throw new Error(`token request failed (${tok.status}): ${tok.body}`);
        token = JSON.parse(tok.body).access_token as string;
      }
      const res = await post(`${url}/api/advancedqueries/run`, JSON.stringify({ Query: query }), { 'content-type': 'application/json', authorization: `Bearer ${token}` }, ca);
      const body = JSON.parse(res.body || '{}');
      if (res.status !== 200) {
        const e = body.error ?? {};
        const where = e.line ? ` (line ${e.line}, column ${e.column})` : '';
        throw new Error(`${e.code ?? res.status}: ${e.message ?? res.body}${where}`);
      }
      const cols = (body.Schema as { Name: string }[]).map((c) => c.Name);
      const rows = body.Results as Record<string, unknown>[];
      if (o.format === 'json') process.stdout.write(JSON.stringify(body, null, 2) + '\n');
      else if (o.format === 'csv') process.stdout.write(formatCsv(cols, rows) + '\r\n');
      else process.stdout.write(formatTable(cols, rows) + `\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
    });
}
