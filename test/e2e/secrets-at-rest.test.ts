/**
 * Secrets at rest through the operator's interface: a tenant, a TOTP user and an external provider
 * made with `palisade admin` leave none of their secrets in the SQLite file (read byte for byte);
 * TOTP sign-in, tokens and the provider's secret still work; `admin secrets rotate-key` re-seals
 * everything (tokens signed before still verify), `--drop-old` leaves everything working, a
 * missing key file stops the admin commands with a message naming it, and `secrets forget-unreadable
 * --key-lost` is the way on once the key is lost for good.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACCEPTED_AUDIENCES } from '../../src/auth/audiences.ts';
import { TokenService } from '../../src/auth/token-service.ts';
import { totpCode } from '../../src/auth/totp.ts';
import { registerAdmin } from '../../src/cli/admin.ts';
import { dataPaths, ensureDataDir, secretsKeyFor, stateUrlFor } from '../../src/cli/data-dir.ts';
import { compose } from '../../src/compose.ts';
import { systemCtx } from '../../src/domain/context.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import { UserService } from '../../src/services/users.ts';
import { openStateStore } from '../../src/store/state/open.ts';

let dir = '';

/** Runs `palisade admin …args --data dir --json` in process, with `stdin` piped in when given; the JSON it printed. */
async function admin(args: string[], stdin?: string): Promise<Record<string, unknown>> {
  const program = new Command('palisade').exitOverride();
  registerAdmin(program);
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  if (stdin !== undefined) Object.defineProperty(process, 'stdin', { value: Readable.from([stdin]), configurable: true });
  try {
    await program.parseAsync(['node', 'palisade', 'admin', ...args, '--data', dir, '--json']);
  } finally {
    spy.mockRestore();
    Object.defineProperty(process, 'stdin', realStdin);
  }
  return JSON.parse(printed.join('')) as Record<string, unknown>;
}

async function withState<T>(fn: (s: StateStore) => Promise<T>): Promise<T> {
  const s = await openStateStore(stateUrlFor(dir), { secretsKey: secretsKeyFor(dir) });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** The state store's bytes as a copy of the data directory holds them: the database file and its write-ahead log. */
function stateBytes(): Buffer {
  const db = dataPaths(dir).sqlite;
  return Buffer.concat([db, `${db}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

describe('secrets at rest (admin commands on a SQLite data directory)', () => {
  let tenantId = '';
  let password = '';
  let totpSecret = '';
  const providerSecret = `provider-secret-${Date.now()}-at-rest`;
  const issuer = () => `https://localhost/${tenantId}/v2.0`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-secrets-'));
    ensureDataDir(dir);
    await withState(async () => undefined); // a first start: migrated, no tenant yet
    tenantId = String((await admin(['tenant', 'create', '--name', 'Sealed'])).tenantId);
    password = String((await admin(['user', 'create', '--upn', 'alice@contoso.com'])).password);
    const { otpauthUri } = await admin(['user', 'totp-enroll', 'alice@contoso.com']);
    totpSecret = new URL(String(otpauthUri)).searchParams.get('secret')!;
    await admin(['user', 'totp-confirm', 'alice@contoso.com', totpCode(totpSecret, Date.now())]);
    await admin(['idp', 'add', '--name', 'Contoso', '--issuer', 'https://login.contoso.example/v2.0', '--client-id', 'palisade-app', '--client-secret-stdin'], `${providerSecret}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** TOTP sign-in (a code of the step after `step`), the provider's secret, and a new token that verifies; returns that token. */
  async function everythingWorks(step: number): Promise<string> {
    return withState(async (s) => {
      const users = new UserService(s);
      const now = Date.now() + step * 30_000;
      await expect(users.authenticate(systemCtx(tenantId), 'alice@contoso.com', password)).rejects.toMatchObject({ code: 'Unauthorized' });
      vi.useFakeTimers({ now, toFake: ['Date'] });
      try {
        expect((await new UserService(s).authenticate(systemCtx(tenantId), 'alice@contoso.com', password, totpCode(totpSecret, now))).userPrincipalName).toBe('alice@contoso.com');
      } finally {
        vi.useRealTimers();
      }
      expect((await s.externalIdps.getByName(tenantId, 'contoso'))?.clientSecret).toBe(providerSecret);
      const tokens = new TokenService(s.tenants);
      const app = { tenantId, clientId: 'c1', name: 'n', secretHash: '', permissions: [], createdAt: '', publicClient: false, redirectUris: [] };
      const { token } = await tokens.issueAppToken(app, ACCEPTED_AUDIENCES[0], issuer(), '2.0');
      expect((await tokens.verify(token)).tenantId).toBe(tenantId);
      return token;
    });
  }

  it('keeps none of the secrets in the clear in the database file, and all of them work', async () => {
    const privateJwk = await withState(async (s) => JSON.parse((await s.tenants.signingKeys(tenantId))[0].privateJwk) as Record<string, string>);
    const bytes = stateBytes();
    for (const secret of [totpSecret, providerSecret, privateJwk.d, privateJwk.p, privateJwk.q, privateJwk.dp, privateJwk.dq, privateJwk.qi]) {
      expect(bytes.includes(Buffer.from(secret)), `in the clear: ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(existsSync(join(dir, 'files', 'keys', 'state-secrets.key'))).toBe(true);
    await everythingWorks(1);
  });

  it('rotates the key: every value re-sealed, tokens signed before still verify, and dropping the old key leaves everything working', async () => {
    const before = await everythingWorks(2);
    const status = await admin(['secrets', 'status']);
    expect(status).toMatchObject({ newest: 3, older: 0, clear: 0, unreadable: 0 });
    expect(status.keys).toHaveLength(1);
    const rotated = await admin(['secrets', 'rotate-key']);
    expect(rotated).toMatchObject({ resealed: 3, dropped: 0, census: { newest: 3, older: 0, clear: 0, unreadable: 0 } });
    expect((await admin(['secrets', 'status'])).keys).toEqual([...(status.keys as string[]), rotated.keyId]);
    await withState(async (s) => expect((await new TokenService(s.tenants).verify(before)).tenantId).toBe(tenantId));
    const between = await everythingWorks(3);
    const dropped = await admin(['secrets', 'rotate-key', '--drop-old']);
    expect(dropped).toMatchObject({ resealed: 3, dropped: 2, census: { newest: 3, older: 0, clear: 0, unreadable: 0 } });
    expect((await admin(['secrets', 'status'])).keys).toEqual([dropped.keyId]);
    await withState(async (s) => {
      const tokens = new TokenService(s.tenants);
      for (const t of [before, between]) expect((await tokens.verify(t)).tenantId).toBe(tenantId);
    });
    await everythingWorks(4);
    const audit = await withState((s) => s.audit.list(tenantId, 50));
    expect(audit.filter((r) => r.action === 'secrets.rotate-key').map((r) => [r.actorKind, r.target, r.result])).toEqual([
      ['operator', dropped.keyId, 'success'],
      ['operator', rotated.keyId, 'success'],
    ]);
  });

  it('stops admin commands and a server start with a message naming the key file when it is missing, and makes no new key', async () => {
    const keyPath = secretsKeyFor(dir);
    renameSync(keyPath, `${keyPath}.away`);
    try {
      await expect(admin(['tenant', 'list'])).rejects.toThrow(keyPath);
      // the server's start (what `palisade serve` composes) stops the same way
      await expect(compose({ state: stateUrlFor(dir), files: dataPaths(dir).files, events: { path: ':memory:', retentionDays: 30 } })).rejects.toThrow(keyPath);
      expect(existsSync(keyPath)).toBe(false);
    } finally {
      renameSync(`${keyPath}.away`, keyPath);
    }
    expect(await admin(['tenant', 'list'])).toEqual([{ tenantId, name: 'Sealed' }]);
  });

  it('goes on after the key is lost for good: new signing keys, TOTP users enrol again, providers need their secret again', async () => {
    const keyPath = secretsKeyFor(dir);
    rmSync(keyPath);
    await expect(admin(['secrets', 'forget-unreadable'])).rejects.toThrow(keyPath);
    expect(await admin(['secrets', 'forget-unreadable', '--key-lost'])).toEqual({ forgotten: 3, newSigningKeys: [tenantId] });
    expect(await admin(['secrets', 'status'])).toMatchObject({ newest: 1, older: 0, clear: 0, unreadable: 0 });
    await withState(async (s) => {
      const now = Date.now() + 5 * 30_000;
      vi.useFakeTimers({ now, toFake: ['Date'] });
      try {
        await expect(new UserService(s).authenticate(systemCtx(tenantId), 'alice@contoso.com', password, totpCode(totpSecret, now))).rejects.toMatchObject({ code: 'Unauthorized' });
      } finally {
        vi.useRealTimers();
      }
      expect((await s.externalIdps.getByName(tenantId, 'contoso'))?.clientSecret).toBeNull();
      const tokens = new TokenService(s.tenants);
      const app = { tenantId, clientId: 'c1', name: 'n', secretHash: '', permissions: [], createdAt: '', publicClient: false, redirectUris: [] };
      expect((await tokens.verify((await tokens.issueAppToken(app, ACCEPTED_AUDIENCES[0], issuer(), '2.0')).token)).tenantId).toBe(tenantId);
    });
    // alice enrols again
    const { otpauthUri } = await admin(['user', 'totp-enroll', 'alice@contoso.com']);
    totpSecret = new URL(String(otpauthUri)).searchParams.get('secret')!;
    await admin(['user', 'totp-confirm', 'alice@contoso.com', totpCode(totpSecret, Date.now())]);
    await withState(async (s) => {
      const now = Date.now() + 7 * 30_000;
      vi.useFakeTimers({ now, toFake: ['Date'] });
      try {
        expect((await new UserService(s).authenticate(systemCtx(tenantId), 'alice@contoso.com', password, totpCode(totpSecret, now))).userPrincipalName).toBe('alice@contoso.com');
      } finally {
        vi.useRealTimers();
      }
    });
    const audit = await withState((s) => s.audit.list(tenantId, 50));
    expect(audit.find((r) => r.action === 'secrets.forget-unreadable')).toMatchObject({ actorKind: 'operator', result: 'success' });
  });
});
