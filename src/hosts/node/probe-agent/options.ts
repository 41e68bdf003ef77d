// The probe agent's settings: flags, each mirrored by a COOPWATCH_PROBE_* variable (a flag wins).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VANTAGE_NAME } from '../../../core/domain/quorum.js';

export interface ProbeOptions {
  /** The coopwatch server's origin, without a trailing slash. */
  server: string;
  token: string;
  name: string;
  spoolDir: string;
  /** Results kept on disk at most; past it the oldest batches are dropped. */
  maxSpooled: number;
  batchMs: number;
  assignmentMs: number;
  concurrency: number;
}

export const PROBE_USAGE =
  'coopwatch probe --server URL --token T --name NAME [--spool DIR] [--max-spooled N] [--batch-ms MS] [--assignment-ms MS] [--concurrency N]';

/** A setting that is missing or malformed; the message names the flag and its variable. */
export class ProbeOptionsError extends Error {}

const FLAGS = {
  server: 'COOPWATCH_PROBE_SERVER',
  token: 'COOPWATCH_PROBE_TOKEN',
  name: 'COOPWATCH_PROBE_NAME',
  spool: 'COOPWATCH_PROBE_SPOOL',
  'max-spooled': 'COOPWATCH_PROBE_MAX_SPOOLED',
  'batch-ms': 'COOPWATCH_PROBE_BATCH_MS',
  'assignment-ms': 'COOPWATCH_PROBE_ASSIGNMENT_MS',
  concurrency: 'COOPWATCH_PROBE_CONCURRENCY',
} as const;
type Flag = keyof typeof FLAGS;

export function parseProbeOptions(args: string[], env: NodeJS.ProcessEnv): ProbeOptions {
  let values: Partial<Record<Flag, string>>;
  try {
    const options = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
    values = parseArgs({ args, options, allowPositionals: false, strict: true }).values as Partial<Record<Flag, string>>;
  } catch (err) {
    throw new ProbeOptionsError(err instanceof Error ? err.message : String(err));
  }
  const read = (flag: Flag): string | undefined => {
    const value = values[flag] ?? env[FLAGS[flag]];
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (flag: Flag): string => {
    const value = read(flag);
    if (value === undefined) throw new ProbeOptionsError(`--${flag} is required (or ${FLAGS[flag]})`);
    return value;
  };
  const integer = (flag: Flag, fallback: number, min: number, max: number): number => {
    const raw = read(flag);
    if (raw === undefined) return fallback;
    const value = Number(raw.replaceAll('_', ''));
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ProbeOptionsError(`--${flag} must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  };

  const server = serverOrigin(required('server'));
  const token = required('token');
  const name = required('name');
  if (!VANTAGE_NAME.test(name)) throw new ProbeOptionsError(`--name must be a vantage name: lower-case letters, digits and dashes, as in svalbard-site (got "${name}")`);
  return {
    server,
    token,
    name,
    spoolDir: path.resolve(read('spool') ?? `coopwatch-spool-${name}`),
    maxSpooled: integer('max-spooled', 1_000_000, 1, 1_000_000_000),
    batchMs: integer('batch-ms', 1_000, 10, 3_600_000),
    assignmentMs: integer('assignment-ms', 30_000, 100, 86_400_000),
    concurrency: integer('concurrency', 256, 1, 100_000),
  };
}

function serverOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProbeOptionsError(`--server must be a URL such as https://coopwatch.example.org (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProbeOptionsError(`--server must be an http or https URL (got "${raw}")`);
  return url.href.replace(/\/+$/, '');
}
