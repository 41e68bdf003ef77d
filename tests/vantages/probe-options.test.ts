// `coopwatch probe` settings: flags, COOPWATCH_PROBE_* variables, and errors that name the flag.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProbeOptions } from '../../src/hosts/node/probe-agent/options.js';

const required = ['--server', 'https://coopwatch.example.org/', '--token', 'cw_x', '--name', 'svalbard-site'];

describe('coopwatch probe options', () => {
  it('has the documented defaults', () => {
    expect(parseProbeOptions(required, {})).toEqual({
      server: 'https://coopwatch.example.org',
      token: 'cw_x',
      name: 'svalbard-site',
      spoolDir: path.resolve('coopwatch-spool-svalbard-site'),
      maxSpooled: 1_000_000,
      batchMs: 1_000,
      assignmentMs: 30_000,
      concurrency: 256,
    });
  });

  it('reads COOPWATCH_PROBE_* variables, a flag winning over its variable', () => {
    const env = { COOPWATCH_PROBE_SERVER: 'http://10.0.0.5:8787', COOPWATCH_PROBE_TOKEN: 'cw_env', COOPWATCH_PROBE_NAME: 'tokyo-moc', COOPWATCH_PROBE_MAX_SPOOLED: '5000', COOPWATCH_PROBE_BATCH_MS: '250' };
    expect(parseProbeOptions(['--batch-ms', '500'], env)).toMatchObject({ server: 'http://10.0.0.5:8787', token: 'cw_env', name: 'tokyo-moc', maxSpooled: 5_000, batchMs: 500 });
  });

  it('names the flag and its variable in every error', () => {
    expect(() => parseProbeOptions(['--server', 'http://x'], {})).toThrow('--token is required (or COOPWATCH_PROBE_TOKEN)');
    expect(() => parseProbeOptions([...required, '--max-spooled', 'lots'], {})).toThrow('--max-spooled must be a whole number from 1 to 1000000000 (got "lots")');
    expect(() => parseProbeOptions(['--server', 'ftp://x', '--token', 't', '--name', 'a'], {})).toThrow('--server must be an http or https URL');
    expect(() => parseProbeOptions(['--server', 'http://x', '--token', 't', '--name', 'Svalbard Site'], {})).toThrow('--name must be a vantage name');
    expect(() => parseProbeOptions([...required, '--servre', 'x'], {})).toThrow(/servre/);
  });
});
