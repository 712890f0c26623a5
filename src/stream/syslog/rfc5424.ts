/**
 * Syslog framing: an RFC 5424 message (`<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`) and
 * RFC 6587 octet counting (`<length> <message>`), which TCP and TLS (RFC 5425) transports use so a
 * message may hold any byte, line breaks included.
 */

/** RFC 5424 severities by name. */
export const SYSLOG_SEVERITY = { emergency: 0, alert: 1, critical: 2, error: 3, warning: 4, notice: 5, informational: 6, debug: 7 } as const;

/** The facility Palisade writes alerts under (16 = local0). */
export const SYSLOG_FACILITY = 16;

/** The parts of one message. */
export interface SyslogMessage {
  severity: number;
  facility?: number;
  time: Date;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  msg: string;
}

/** A header field: printable US-ASCII, no spaces, at most `max` characters; `-` when empty. */
function field(v: string, max: number): string {
  const s = v.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return s || '-';
}

/** The RFC 5424 text of a message (timestamp to the millisecond, no structured data). */
export function formatRfc5424(m: SyslogMessage): string {
  const pri = (m.facility ?? SYSLOG_FACILITY) * 8 + m.severity;
  return `<${pri}>1 ${m.time.toISOString()} ${field(m.hostname, 255)} ${field(m.appName, 48)} ${field(m.procId, 128)} ${field(m.msgId, 32)} - ${m.msg}`;
}

/** A message framed by octet counting (RFC 6587 §3.4.1): its length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
