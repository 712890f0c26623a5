/**
 * The syslog output of alert changes (an AlertSink, fed by services/alert-stream.ts): each new or
 * updated alert as one CEF line (cef.ts) in an RFC 5424 message (rfc5424.ts) over UDP, TCP or TLS
 * (transport.ts). Configured by `palisade serve --syslog URL [--syslog-ca FILE]`.
 */
import { hostname } from 'node:os';
import type { Alert, AlertSeverity } from '../../domain/alert.ts';
import type { AlertSink } from '../../domain/ports.ts';
import { alertToCef } from './cef.ts';
import { formatRfc5424, SYSLOG_SEVERITY } from './rfc5424.ts';
import { openSyslogTransport, type SyslogTarget } from './transport.ts';

/** Syslog severity of each alert severity. */
const SEVERITY: Record<AlertSeverity, number> = {
  High: SYSLOG_SEVERITY.error, Medium: SYSLOG_SEVERITY.warning, Low: SYSLOG_SEVERITY.notice,
  Informational: SYSLOG_SEVERITY.informational, UnSpecified: SYSLOG_SEVERITY.informational,
};

/** The syslog message of an alert change: MSGID `alert-new` for a new alert, `alert-update` after a change. */
export function alertSyslogMessage(a: Alert, host: string = hostname(), clock: () => Date = () => new Date()): string {
  return formatRfc5424({
    severity: SEVERITY[a.severity] ?? SYSLOG_SEVERITY.informational,
    time: clock(),
    hostname: host,
    appName: 'palisade',
    procId: String(process.pid),
    msgId: a.lastUpdateTime === a.alertCreationTime ? 'alert-new' : 'alert-update',
    msg: alertToCef(a),
  });
}

/** An AlertSink writing to a syslog target. */
export function createSyslogSink(target: SyslogTarget): AlertSink {
  const transport = openSyslogTransport(target);
  const host = hostname();
  return {
    deliver: (a) => transport.send(alertSyslogMessage(a, host)),
    close: () => transport.close(),
  };
}
