/**
 * A throwaway PostgreSQL server for tests: Debian's binaries, a temp data dir, 127.0.0.1 on a free
 * port, unix sockets inside the temp dir, fsync off. When the tests run as root the server runs as
 * the `postgres` user (initdb refuses root). Stop it with `stop()`, which signals the postmaster
 * through pg_ctl and removes the directory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The folder holding initdb/pg_ctl/postgres: $PALISADE_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin; null when absent. */
export function postgresBinDir(): string | null {
  const fromEnv = process.env.PALISADE_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/** A running test server. */
export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** pg_dump's plain SQL output of the database at `url` (what a backup of it holds). */
  dump(url: string): Promise<Buffer>;
  /** Stops the server (fast shutdown) and deletes its directory. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
function runPg(bin: string, tool: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${tool} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${r.stdout}\n${r.stderr}`);
  }
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

let dbCounter = 0;

/** Starts a fresh server; throws when the binaries are missing or it fails to start. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found (install Debian package "postgresql" or set PALISADE_PG_BIN)');
  const dir = mkdtempSync(join(tmpdir(), 'palisade-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresUserIds();
    chownSync(dir, uid, gid);
  }
  let started = false;
  try {
    runPg(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    const opts = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${dir}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=50',
    ].join(' ');
    runPg(bin, 'pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', log, '-o', opts]);
    started = true;
    // Safety net: a test process that dies without calling stop() still takes its server down.
    const onExit = () => {
      try {
        runPg(bin, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      async createDatabase() {
        const name = `palisade_test_${process.pid}_${++dbCounter}`;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`create database ${name}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      async dump(dbUrl: string) {
        const r = spawnSync(join(bin, 'pg_dump'), ['--no-owner', dbUrl], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0) throw new Error(`pg_dump failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${String(r.stderr)}`);
        return r.stdout;
      },
      async stop() {
        process.off('exit', onExit);
        try {
          runPg(bin, 'pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    const logText = existsSync(log) ? readFileSync(log, 'utf8') : '';
    if (started) {
      try {
        runPg(bin, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      } catch {
        // already down
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${err instanceof Error ? err.message : String(err)}\n${logText}`, { cause: err });
  }
}
