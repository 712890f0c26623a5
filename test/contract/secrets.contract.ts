/**
 * Secrets at rest, for every state-store adapter: the tenants' private signing keys, users' TOTP
 * secrets, providers' client secrets and pending PKCE verifiers are sealed in the store (a dump
 * holds none of them in the clear), open only in their own row and field, are sealed on the first
 * start of a database written in the clear, survive key rotation, and a missing key file is a
 * startup error naming it.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { newSigningKey } from '../../src/auth/token-service.ts';
import type { ExternalIdp } from '../../src/domain/external-idp.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { User } from '../../src/domain/user.ts';
import { openStateStore } from '../../src/store/state/open.ts';
import { secretKeyRingFile } from '../../src/store/state/secret-key-ring-file.ts';
import { BIN, ROOT } from '../support/server-process.ts';
import type { FreshStore, StateStoreHarness } from './state-store.contract.ts';

const run = promisify(execFile);

const T0 = '2025-06-15T12:00:00.000Z';
const base32 = (bytes: Buffer) => [...bytes].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');

function user(tenantId: string, name: string, totpSecret: string | null): User {
  return {
    tenantId, id: randomUUID(), userPrincipalName: `${name}@contoso.com`, displayName: name, passwordHash: null, totpSecret, totpEnabled: totpSecret !== null,
    totpLastStep: null, roles: [], disabled: false, createdAt: T0, lastSignInAt: null, external: null,
  };
}

function idp(tenantId: string, clientSecret: string): ExternalIdp {
  return {
    tenantId, id: randomUUID(), name: `Corp ${randomUUID().slice(0, 8)}`, issuer: 'https://idp.contoso.com', clientId: 'palisade', clientSecret,
    scopes: ['openid'], rolesClaim: 'groups', roleMapping: {}, jitProvisioning: false, disabled: false, createdAt: T0,
  };
}

/** A tenant with a signing key, a TOTP user, a provider and a pending federated sign-in; the secrets in the clear. */
async function populate(store: StateStore) {
  const tenantId = randomUUID();
  await store.tenants.create({ id: tenantId, name: 'Sealed', createdAt: T0 });
  const key = await newSigningKey(tenantId, new Date(T0));
  await store.tenants.addSigningKey(key);
  const alice = user(tenantId, 'alice', base32(randomBytes(32)));
  const bob = user(tenantId, 'bob', base32(randomBytes(32)));
  await store.users.create(alice);
  await store.users.create(bob);
  const provider = idp(tenantId, `secret-${randomBytes(24).toString('base64url')}`);
  await store.externalIdps.create(provider);
  const verifier = randomBytes(32).toString('base64url');
  const stateHash = randomBytes(32).toString('hex');
  await store.federationRequests.create({
    stateHash, tenantId, idpId: provider.id, browserHash: 'b', nonce: 'n', codeVerifier: verifier, redirectUri: 'https://p/cb', pendingRequest: '{}', expiresAt: '2999-01-01T00:00:00.000Z',
  });
  const jwk = JSON.parse(key.privateJwk) as Record<string, string>;
  return {
    tenantId, key, alice, bob, provider, verifier, stateHash,
    /** Strings that must not appear in a dump. */
    secrets: [alice.totpSecret!, bob.totpSecret!, provider.clientSecret!, verifier, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi],
  };
}
type Population = Awaited<ReturnType<typeof populate>>;

/** Expects `store` to read every secret of `p` as written. */
async function expectReadable(store: StateStore, p: Population) {
  expect((await store.tenants.signingKeys(p.tenantId)).map((k) => k.privateJwk)).toEqual([p.key.privateJwk]);
  expect((await store.users.get(p.tenantId, p.alice.id))?.totpSecret).toBe(p.alice.totpSecret);
  expect((await store.users.getByUpn(p.tenantId, p.bob.userPrincipalName))?.totpSecret).toBe(p.bob.totpSecret);
  expect((await store.externalIdps.get(p.tenantId, p.provider.id))?.clientSecret).toBe(p.provider.clientSecret);
}

function expectNoneInClear(dump: Buffer, secrets: readonly string[]) {
  for (const s of secrets) expect(dump.includes(Buffer.from(s, 'utf8')), `a secret in the clear: ${s.slice(0, 6)}…`).toBe(false);
}

/** Declares the secrets-at-rest cases; `fresh` opens a new store with the harness's key file. */
export function describeSecretsContract(harness: () => StateStoreHarness, fresh: () => Promise<FreshStore>): void {
  /** A fresh store sealed with a key file of its own (rotating or removing it touches no other store of the run). */
  const ownKey = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-ring-'));
    const keyPath = join(dir, 'state-secrets.key');
    const url = await harness().freshUrl();
    const open = () => openStateStore(url, { secretsKey: keyPath });
    return { url, keyPath, store: await open(), open, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  };

  it('keeps no secret in the clear: a dump holds none, the store reads them all', async () => {
    const { url, store } = await fresh();
    const p = await populate(store);
    await expectReadable(store, p);
    const taken = await store.federationRequests.take(p.tenantId, p.stateHash, T0);
    expect(taken?.codeVerifier).toBe(p.verifier);
    await store.federationRequests.create({ ...taken!, codeVerifier: p.verifier });
    // a provider's new secret is sealed too
    const changed = `secret-${randomBytes(24).toString('base64url')}`;
    expect((await store.externalIdps.update(p.tenantId, p.provider.id, { clientSecret: changed }))?.clientSecret).toBe(changed);
    expectNoneInClear(await harness().dump(url), [...p.secrets, changed]);
    expect(await store.secrets.census()).toEqual({ newest: 5, older: 0, clear: 0, unreadable: 0 });
  });

  it('opens a sealed value only where it belongs: moved to another row it reads as none, and TOTP sign-in is refused', async () => {
    const { url, store } = await fresh();
    const p = await populate(store);
    const [alice] = await harness().rawSql(url, 'select totp_secret from users where tenant_id = $1 and user_id = $2', [p.tenantId, p.alice.id]);
    await harness().rawSql(url, 'update users set totp_secret = $1 where tenant_id = $2 and user_id = $3', [alice.totp_secret, p.tenantId, p.bob.id]);
    const bob = await store.users.get(p.tenantId, p.bob.id);
    expect(bob?.totpSecret).toBeNull();
    expect(bob?.totpEnabled).toBe(true); // so the user service refuses every code (src/services/users.ts)
    expect((await store.users.get(p.tenantId, p.alice.id))?.totpSecret).toBe(p.alice.totpSecret);
    // nor into another field of the same record's tenant
    await harness().rawSql(url, 'update external_idps set client_secret = $1 where tenant_id = $2 and idp_id = $3', [alice.totp_secret, p.tenantId, p.provider.id]);
    expect((await store.externalIdps.get(p.tenantId, p.provider.id))?.clientSecret).toBeNull();
    expect((await store.secrets.census()).unreadable).toBe(2);
    // the operator's way out: values that do not open are forgotten; the rest stays
    expect(await store.secrets.forgetUnreadable()).toBe(2);
    expect(await store.secrets.census()).toEqual({ newest: 3, older: 0, clear: 0, unreadable: 0 });
    expect(await harness().rawSql(url, 'select totp_secret from users where tenant_id = $1 and user_id = $2', [p.tenantId, p.bob.id])).toEqual([{ totp_secret: null }]);
    expect((await store.users.get(p.tenantId, p.alice.id))?.totpSecret).toBe(p.alice.totpSecret);
  });

  it('seals the secrets of a database written in the clear at its first start, once, with two processes starting at once', async () => {
    const { url, keyPath, store, open, dispose } = await ownKey();
    const p = await populate(store);
    await store.close();
    const sql = harness().rawSql;
    // what an earlier version wrote: every secret in the clear
    await sql(url, 'update signing_keys set private_jwk = $1 where tenant_id = $2', [p.key.privateJwk, p.tenantId]);
    await sql(url, 'update users set totp_secret = $1 where tenant_id = $2 and user_id = $3', [p.alice.totpSecret, p.tenantId, p.alice.id]);
    await sql(url, 'update users set totp_secret = $1 where tenant_id = $2 and user_id = $3', [p.bob.totpSecret, p.tenantId, p.bob.id]);
    await sql(url, 'update external_idps set client_secret = $1 where tenant_id = $2', [p.provider.clientSecret, p.tenantId]);
    await sql(url, 'update federation_requests set code_verifier = $1 where tenant_id = $2', [p.verifier, p.tenantId]);
    expect((await harness().dump(url)).includes(Buffer.from(p.alice.totpSecret!))).toBe(true);
    // two processes (admin commands, which open the store like a server does) start on it at once
    const status = () => run(process.execPath, [BIN, 'admin', 'secrets', 'status', '--state', url, '--secrets-key', keyPath, '--json'], { cwd: ROOT });
    const outs = await Promise.all([status(), status()]);
    for (const o of outs) expect(JSON.parse(o.stdout)).toMatchObject({ newest: 5, older: 0, clear: 0, unreadable: 0 });
    expectNoneInClear(await harness().dump(url), p.secrets);
    const again = await open();
    try {
      await expectReadable(again, p);
      expect(await again.secrets.reseal()).toBe(0);
    } finally {
      await again.close();
      dispose();
    }
    const rows = await sql(url, 'select private_jwk from signing_keys where tenant_id = $1', [p.tenantId]);
    expect(String(rows[0].private_jwk)).toMatch(/^enc:v1:[\w-]{12}:[\w-]{16}:[\w-]+$/);
  });

  it('rotates the key: every value is re-sealed with the new one, and after dropping the old keys all still opens', async () => {
    const { url, keyPath, store, open, dispose } = await ownKey();
    const p = await populate(store);
    const ring = secretKeyRingFile(keyPath);
    const before = ring.keyIds();
    expect(before).toHaveLength(1);
    const keyId = ring.addKey();
    expect(await store.secrets.reseal()).toBe(5);
    expect(await store.secrets.census()).toMatchObject({ older: 0, clear: 0 });
    const rows = await harness().rawSql(url, 'select totp_secret from users where tenant_id = $1', [p.tenantId]);
    for (const r of rows) expect(String(r.totp_secret).startsWith(`enc:v1:${keyId}:`)).toBe(true);
    expect(ring.dropOlderKeys()).toBe(1);
    expect(ring.keyIds()).toEqual([keyId]);
    await store.close();
    const again = await open();
    try {
      await expectReadable(again, p);
      expect(await again.secrets.census()).toEqual({ newest: 5, older: 0, clear: 0, unreadable: 0 });
    } finally {
      await again.close();
      dispose();
    }
  });

  it('refuses to start without the key file while values are sealed, naming the file', async () => {
    const { keyPath, store, open, dispose } = await ownKey();
    const p = await populate(store);
    await store.close();
    renameSync(keyPath, `${keyPath}.away`);
    try {
      await expect(open()).rejects.toThrow(keyPath);
      expect(existsSync(keyPath)).toBe(false); // no new key was made in its place
      renameSync(`${keyPath}.away`, keyPath);
      const again = await open();
      await expectReadable(again, p);
      await again.close();
    } finally {
      dispose();
    }
  });
}
