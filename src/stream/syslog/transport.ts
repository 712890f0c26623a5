/**
 * Syslog transports: UDP (one message per datagram, RFC 5426), TCP (RFC 6587) and TLS (RFC 5425),
 * both of the latter with octet-counting framing. A stream transport connects on first use and
 * again after a failure; a send resolves once the message is written to the socket, and rejects
 * (the caller retries later) when the destination cannot be reached.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { octetCounted } from './rfc5424.ts';

/** Where syslog messages go: `udp://host:port`, `tcp://host:port` or `tls://host:port`. */
export interface SyslogTarget {
  protocol: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** PEM CA certificates a TLS server must chain to (default: the system's). */
  ca?: string;
}

const DEFAULT_PORTS = { udp: 514, tcp: 601, tls: 6514 } as const;
/** Largest UDP payload sent; longer messages are cut (RFC 5426 asks receivers for at least 480 bytes; IPv4 allows 65,507). */
const MAX_DATAGRAM = 65_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** Reads `udp://…`, `tcp://…` or `tls://…` (port optional: 514, 601, 6514); throws an Error naming what is wrong. */
export function parseSyslogTarget(url: string, ca?: string): SyslogTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`'${url}' is not a syslog URL; write udp://host:514, tcp://host:601 or tls://host:6514`);
  }
  const protocol = u.protocol.replace(/:$/, '');
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') throw new Error(`Syslog protocol '${protocol}' is not supported; use udp, tcp or tls`);
  if (!u.hostname) throw new Error(`The syslog URL '${url}' names no host`);
  if (ca && protocol !== 'tls') throw new Error('A syslog CA applies to tls:// only');
  return { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : DEFAULT_PORTS[protocol], ca };
}

/** Sends framed syslog messages to one target. */
export interface SyslogTransport {
  send(message: string): Promise<void>;
  close(): Promise<void>;
}

function udpTransport(t: SyslogTarget): SyslogTransport {
  let socket: UdpSocket | null = null;
  return {
    send: (message) => new Promise<void>((resolve, reject) => {
      socket ??= createSocket(t.host.includes(':') ? 'udp6' : 'udp4').on('error', () => undefined);
      let buf = Buffer.from(message, 'utf8');
      if (buf.length > MAX_DATAGRAM) buf = buf.subarray(0, MAX_DATAGRAM);
      socket.send(buf, t.port, t.host, (e) => (e ? reject(e) : resolve()));
    }),
    close: async () => {
      const s = socket;
      socket = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

function streamTransport(t: SyslogTarget): SyslogTransport {
  let socket: Socket | null = null;
  let connecting: Promise<Socket> | null = null;
  const open = (): Promise<Socket> => {
    if (socket && !socket.destroyed) return Promise.resolve(socket);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = t.protocol === 'tls'
        ? tlsConnect({ host: t.host, port: t.port, ca: t.ca, servername: /^[\d.:]+$/.test(t.host) ? undefined : t.host })
        : tcpConnect({ host: t.host, port: t.port });
      const ready = t.protocol === 'tls' ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => s.destroy(new Error(`syslog ${t.protocol}://${t.host}:${t.port}: no connection within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      s.once(ready, () => {
        clearTimeout(timer);
        socket = s;
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      s.on('close', () => {
        if (socket === s) socket = null;
      });
      // the receiver sends nothing back; read to keep the socket flowing
      s.on('data', () => undefined);
    }).finally(() => {
      connecting = null;
    });
    return connecting;
  };
  return {
    async send(message) {
      const s = await open();
      await new Promise<void>((resolve, reject) => {
        s.write(octetCounted(message), (e) => {
          if (e) {
            s.destroy();
            reject(e);
          } else resolve();
        });
      });
    },
    async close() {
      const s = socket;
      socket = null;
      if (s && !s.destroyed) await new Promise<void>((r) => s.end(() => r()));
    },
  };
}

/** A transport to `target`. */
export function openSyslogTransport(target: SyslogTarget): SyslogTransport {
  return target.protocol === 'udp' ? udpTransport(target) : streamTransport(target);
}
