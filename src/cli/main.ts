/** The `palisade` command. */
import { Command, InvalidArgumentError } from 'commander';
import { parseRoles, ROLES } from '../compose.ts';
import { registerAdmin } from './admin.ts';
import { int } from './arg-parsers.ts';
import { registerHunt } from './hunt.ts';
import { registerSensor } from './sensor.ts';
import { registerSimulate } from './simulate.ts';
import { serve } from './serve.ts';

const program = new Command('palisade')
  .description('Palisade: self-hosted endpoint security management with a Microsoft Defender for Endpoint compatible API')
  .version('0.1.0')
  .enablePositionalOptions(); // so `palisade sensor install --onboarding …` gives the option to install, not to sensor


const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};

const roleList = (v: string) => {
  try {
    return parseRoles(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

program.command('serve').description('run the server (HTTPS, embedded stores in the data directory)')
  .option('--data <dir>', 'data directory', './data')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on', int, 8443)
  .option('--state <url>', 'state store: postgres://… (default: SQLite file in the data directory)')
  .option('--roles <list>', `the roles this process plays, comma-separated: ${ROLES.join(', ')} (default: all)`, roleList)
  .option('--secrets-key <file>', 'key file sealing the secrets in the state store (default: files/keys/state-secrets.key in the data directory; made at the first start)')
  .option('--tls-cert <file>', 'server certificate (PEM); default: made by Palisade\'s private CA')
  .option('--tls-key <file>', 'server private key (PEM)')
  .option('--retention-days <days>', 'keep events this many days', int, 30)
  .option('--checkpoint-mib <mib>', 'fold the event WAL into the database file once it passes this size (less: shorter replay after a crash and less memory; more: less work per event)', int, 1024)
  .option('--duckdb-threads <n>', 'threads DuckDB runs queries and writes on (default: one per core)', int)
  .option('--duckdb-memory <size>', 'memory DuckDB may use, e.g. 4GB (default: 40% of the machine\'s memory); a query needing more fails with a clear error')
  .option('--feed-backlog-mib <mib>', 'memory for committed batches that feed consumers have not taken yet; beyond it they catch up from the event store', int, 64)
  .option('--log-level <level>', 'fatal, error, warn, info, debug', 'warn')
  .option('--no-throttle', 'disable MDE\'s per-tenant API call quotas (benchmarks only)')
  .option('--allow-external-data', 'let hunting queries fetch http(s) URLs with externaldata (the server then reaches whatever its network reaches)')
  .option('--syslog <url>', 'forward new and updated alerts as CEF over syslog (RFC 5424): udp://host:514, tcp://host:601 or tls://host:6514 (octet-counted on tcp and tls)')
  .option('--syslog-ca <file>', 'PEM CA certificates a tls:// syslog server must chain to (default: the system\'s)')
  .option('--action-expiry-hours <hours>', 'how long a machine action waits for its device before it times out (TimeOut); fractions allowed', positive, 72)
  .option('--geoip-db <file>', 'a GeoIP database in the MaxMind DB format (e.g. GeoLite2-City.mmdb) for geo_info_from_ip_address')
  .action(async (o) => {
    const s = await serve({ ...o, throttle: o.throttle !== false });
    let signalled = false;
    const onSignal = (sig: string) => {
      if (signalled) return;
      signalled = true;
      process.stderr.write(`${sig}: shutting down\n`);
      s.stop().then(() => process.exit(0), (e) => { process.stderr.write(`shutdown failed: ${String(e)}\n`); process.exit(1); });
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });

registerAdmin(program);
registerHunt(program);
registerSimulate(program, int);
registerSensor(program, int);

program.parseAsync(process.argv).catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`palisade: ${msg}\n`);
  process.exit(1);
});
