import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

// Structured logs that can never carry a client address or a query name, at any level:
// privacy is an invariant, so it is enforced where every log line passes, not left to each
// call site. Keys that hold such values are censored wherever they appear (top level and
// two levels down); request URLs keep their path but lose the query string, which for DoH
// GET carries the encoded question.

const SENSITIVE_KEYS = ['address', 'remoteAddress', 'remotePort', 'ip', 'ips', 'client', 'clientAddress', 'qname', 'question'];

export const REDACT_PATHS: string[] = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => `*.${k}`),
  ...SENSITIVE_KEYS.map((k) => `*.*.${k}`),
  'req.headers["x-forwarded-for"]',
  'req.headers["x-real-ip"]',
  'req.headers.forwarded',
  'req.headers["cf-connecting-ip"]',
  'req.url',
  'url',
];

const CENSORED = '[redacted]';

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1];
  if (key === 'url' && typeof value === 'string') {
    const q = value.indexOf('?');
    return q < 0 ? value : `${value.slice(0, q)}?${CENSORED}`;
  }
  return CENSORED;
}

/** `json` for services and containers, `pretty` for a person at a terminal, `auto` picks by stdout. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether `format` means human-readable lines on this process's stdout. */
export function prettyLogs(format: LogFormat, stdoutIsTty = process.stdout.isTTY === true): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

/**
 * The process logger. `level` is a pino level name or 'silent' (config log_level, validated by
 * the schema). Lines go to `destination` when given, else to stdout: JSON, or with `pretty`
 * one readable line per record (local time, level, message; fields after it), redacted alike.
 */
export function createLogger(level: string, destination?: DestinationStream, pretty = false): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor } };
  if (pretty) {
    const out = pinoPretty({
      destination: destination ?? 1,
      sync: true,
      colorize: destination === undefined && process.stdout.isTTY === true,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
      // messages already start with their stage ("lists: …")
      ignore: 'pid,hostname,stage',
      singleLine: true,
    });
    return pino(options, out);
  }
  return destination ? pino(options, destination) : pino(options);
}
