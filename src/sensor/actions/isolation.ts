/**
 * Isolate / Unisolate: network isolation with nftables. Isolation is one table of the sensor's own,
 * `inet palisade_isolation`, whose input, output and forward chains drop everything except loopback
 * and TCP to and from the Palisade server's address and port (Full); Selective also keeps DNS (53)
 * and DHCP (67/68). When the server is named by a host name, DNS stays open in Full too, so the
 * sensor can keep resolving it. The table is replaced in one nft transaction; after applying it the
 * handler checks that the server still accepts a TCP connection and removes the table again if not.
 * Unisolate deletes exactly that table and nothing else. Other tables' rules cannot re-admit what
 * this table drops (a packet dropped by any base chain is dropped).
 *
 * The applied isolation is recorded in the state directory (`isolation.json`); the Isolate handler's
 * `resume` puts it back when the sensor starts (after a reboot the table is gone).
 */
import { lookup } from 'node:dns/promises';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { isIP, connect } from 'node:net';
import { join } from 'node:path';
import { mustRun, runCommand } from './command.ts';
import type { ActionContext, ActionHandler, ActionResult, WireAction } from './handler.ts';
import { serialQueue } from './serial.ts';

/** The nftables table isolation owns (family inet). */
export const ISOLATION_TABLE = 'palisade_isolation';

/** Where isolation is to let traffic through. */
export interface IsolationPlan {
  scope: 'Full' | 'Selective';
  /** The server's addresses (IPv4 or IPv6) and its TCP port. */
  serverIps: string[];
  serverPort: number;
  /** Keep DNS open (Selective, or a server named by a host name). */
  dns: boolean;
  /** Keep DHCP open (Selective). */
  dhcp: boolean;
}

/** The nft script that atomically (re)creates the isolation table for `plan`. */
export function isolationRuleset(plan: IsolationPlan): string {
  const inRules: string[] = ['iif "lo" accept'];
  const outRules: string[] = ['oif "lo" accept'];
  for (const ip of plan.serverIps) {
    const fam = isIP(ip) === 6 ? 'ip6' : 'ip';
    inRules.push(`${fam} saddr ${ip} tcp sport ${plan.serverPort} accept`);
    outRules.push(`${fam} daddr ${ip} tcp dport ${plan.serverPort} accept`);
  }
  // IPv6 needs neighbour discovery to reach anything on the link, the server included
  const nd = 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept';
  inRules.push(nd);
  outRules.push(nd);
  if (plan.dns) {
    inRules.push('udp sport 53 accept', 'tcp sport 53 accept');
    outRules.push('udp dport 53 accept', 'tcp dport 53 accept');
  }
  if (plan.dhcp) {
    inRules.push('udp sport 67 udp dport 68 accept', 'udp sport 547 udp dport 546 accept');
    outRules.push('udp sport 68 udp dport 67 accept', 'udp sport 546 udp dport 547 accept');
  }
  const chain = (name: string, hook: string, rules: string[]) =>
    `  chain ${name} {\n    type filter hook ${hook} priority filter - 10; policy drop;\n${rules.map((r) => `    ${r}\n`).join('')}  }\n`;
  return `add table inet ${ISOLATION_TABLE}\ndelete table inet ${ISOLATION_TABLE}\n`
    + `table inet ${ISOLATION_TABLE} {\n${chain('input', 'input', inRules)}${chain('output', 'output', outRules)}${chain('forward', 'forward', [])}}\n`;
}

/** Whether a TCP connection to any of `ips` at `port` opens within `timeoutMs`. */
async function reachable(ips: readonly string[], port: number, timeoutMs: number): Promise<boolean> {
  const one = (host: string) => new Promise<boolean>((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
  return (await Promise.all(ips.map(one))).some(Boolean);
}

/** Options of the isolation handlers. */
export interface IsolationOptions {
  /** The nft program. Default `nft` (from PATH). */
  nft?: string;
  /** How long the after-apply check waits for the server. Default 5 s. */
  checkTimeoutMs?: number;
}

const stateFile = (stateDir: string) => join(stateDir, 'isolation.json');

async function serverIps(host: string): Promise<string[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return [bare];
  return [...new Set((await lookup(bare, { all: true })).map((a) => a.address))];
}

async function apply(nft: string, plan: IsolationPlan): Promise<void> {
  await mustRun(nft, ['-f', '-'], { input: isolationRuleset(plan), timeoutMs: 15_000 });
}

async function removeTable(nft: string): Promise<boolean> {
  const listed = await runCommand(nft, ['list', 'table', 'inet', ISOLATION_TABLE], { timeoutMs: 15_000 });
  if (listed.code !== 0) return false;
  await mustRun(nft, ['delete', 'table', 'inet', ISOLATION_TABLE], { timeoutMs: 15_000 });
  return true;
}

/**
 * The Isolate handler (scope Full or Selective; anything else is Full) and the Unisolate handler,
 * which run one at a time in the order their actions arrive.
 */
export function isolationHandlers(opts: IsolationOptions = {}): [ActionHandler, ActionHandler] {
  const nft = opts.nft ?? 'nft';
  const serially = serialQueue();
  const isolate: ActionHandler = {
    type: 'Isolate',
    run: (action, ctx) => serially(() => isolateNow(action, ctx)),
    resume: (ctx) => serially(async () => {
      let plan: IsolationPlan;
      try {
        plan = JSON.parse(await readFile(stateFile(ctx.stateDir), 'utf8')) as IsolationPlan;
      } catch {
        return null;
      }
      await apply(nft, plan);
      return `this device is isolated (${plan.scope}): the isolation in force before the restart is applied again`;
    }),
  };
  const unisolate: ActionHandler = {
    type: 'Unisolate',
    run: (_action, ctx) => serially(async () => {
      const removed = await removeTable(nft);
      await rm(stateFile(ctx.stateDir), { force: true });
      ctx.log.info('unisolated', { removed });
      return { status: 'Succeeded' as const, message: removed ? 'Isolation removed' : 'The device was not isolated' };
    }),
  };

  async function isolateNow(action: WireAction, ctx: ActionContext): Promise<ActionResult> {
    const { host, port } = ctx.serverAddress;
    const ips = await serverIps(host);
    const selective = action.scope === 'Selective';
    const plan: IsolationPlan = {
      scope: selective ? 'Selective' : 'Full', serverIps: ips, serverPort: port,
      dns: selective || !isIP(host.replace(/^\[(.*)\]$/, '$1')), dhcp: selective,
    };
    await apply(nft, plan);
    if (!(await reachable(ips, port, opts.checkTimeoutMs ?? 5_000))) {
      await removeTable(nft);
      return { status: 'Failed', message: `Isolation rolled back: the server (${ips.join(', ')} port ${port}) was unreachable with it applied` };
    }
    await writeFile(stateFile(ctx.stateDir), JSON.stringify(plan), { mode: 0o600 });
    ctx.log.info('isolated', { scope: plan.scope, serverIps: ips, serverPort: port });
    return { status: 'Succeeded', message: `${plan.scope} isolation applied: only ${ips.join(', ')} port ${port}${plan.dns ? ', DNS' : ''}${plan.dhcp ? ', DHCP' : ''} and loopback are reachable` };
  }
  return [isolate, unisolate];
}
