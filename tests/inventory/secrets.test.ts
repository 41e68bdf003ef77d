// Secrets in the inventory file: the export masks them and says so unless an admin asks for them
// (`coopwatch export --include-secrets`, `GET /api/inventory?includeSecrets=true`); applying a
// masked export keeps the stored secrets; a masked value with nothing stored behind it is refused.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { exportInventoryYaml } from '../../src/core/services/inventory/export.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';
import { SEEDED, seedSecretRecords, storedSecrets } from '../reliability/access/stored-secrets.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FILE_SECRETS = [SEEDED.pushToken, SEEDED.httpHeader, SEEDED.injectHeader, SEEDED.rollbackHeader];

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  const asset = await t.call('POST', '/api/assets', { body: { key: 'gs-svalbard', kind: 'ground_station', name: 'SvalSat' } });
  await seedSecretRecords(t.ctx, asset.body.id);
});
afterEach(() => t.close());

const apply = async (source: string) => {
  const { document, locate } = parseInventoryDocument(source);
  return applyInventory(t.ctx, document, { locate });
};

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COOPWATCH_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/hosts/node/cli.ts', ...args], {
    cwd: ROOT, env: { ...env, COOPWATCH_DB: path.join(t.dir, 'coopwatch.db') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('export', () => {
  it('masks push tokens and header values and says so; with includeSecrets writes them and says that', async () => {
    const masked = await exportInventoryYaml(t.ctx);
    for (const secret of storedSecrets(rawClient(t.sqlite))) expect(masked).not.toContain(secret);
    expect(masked).toMatch(/^# Secrets omitted: push tokens and header values read "\*\*\*\*\*\*\*\*"/m);
    const doc = parseInventoryDocument(masked).document;
    expect(doc.drills[0]!.injectHook!.headers).toEqual({ 'X-Api-Key': '********' });
    expect(masked).toContain('token: "********"');

    const full = await exportInventoryYaml(t.ctx, { includeSecrets: true });
    for (const secret of FILE_SECRETS) expect(full).toContain(secret);
    expect(full).toMatch(/^# Secrets INCLUDED/m);
    expect(full).not.toContain('********');
  });

  it('GET /api/inventory masks for every role; ?includeSecrets=true is admin only (403 otherwise)', async () => {
    for (const role of ['viewer', 'officer', 'planner', 'admin'] as const) {
      const res = await t.call('GET', '/api/inventory', { token: t.tokens[role] });
      expect(res.status).toBe(200);
      for (const secret of FILE_SECRETS) expect(res.text).not.toContain(secret);
      expect(res.text).toContain('# Secrets omitted');
    }
    for (const role of ['viewer', 'officer', 'planner'] as const) {
      const res = await t.call('GET', '/api/inventory?includeSecrets=true', { token: t.tokens[role] });
      expect(expectErrorShape(res, 403).code).toBe('forbidden');
      for (const secret of FILE_SECRETS) expect(res.text).not.toContain(secret);
    }
    const full = await t.call('GET', '/api/inventory?includeSecrets=true', { token: t.tokens.admin });
    expect(full.status).toBe(200);
    expect(full.headers.get('cache-control')).toBe('no-store');
    for (const secret of FILE_SECRETS) expect(full.text).toContain(secret);
    expect(full.text).toContain('# Secrets INCLUDED');
    const bad = await t.call('GET', '/api/inventory?includeSecrets=please', { token: t.tokens.admin });
    expectErrorShape(bad, 400);
    expect(errorPaths(bad)).toContain('includeSecrets');
  });

  it('coopwatch export masks; coopwatch export --include-secrets -o FILE writes them', async () => {
    const masked = await runCli(['export']);
    expect(masked.code, masked.stderr).toBe(0);
    expect(masked.stdout).toContain('# Secrets omitted');
    for (const secret of FILE_SECRETS) expect(masked.stdout).not.toContain(secret);

    const file = path.join(t.dir, 'full.yaml');
    const full = await runCli(['export', '--include-secrets', '-o', file]);
    expect(full.code, full.stderr).toBe(0);
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toContain('# Secrets INCLUDED');
    for (const secret of FILE_SECRETS) expect(written).toContain(secret);
  });
});

describe('apply', () => {
  it('of a masked export changes nothing and keeps every stored secret; the push URL still works', async () => {
    const before = storedSecrets(rawClient(t.sqlite));
    const counts = tableCounts(t.sqlite);
    const summary = await apply(await exportInventoryYaml(t.ctx));
    expect(Object.values(summary.updated).flat()).toEqual([]);
    expect(Object.values(summary.created).flat()).toEqual([]);
    expect(tableCounts(t.sqlite)).toEqual(counts);
    expect(storedSecrets(rawClient(t.sqlite))).toEqual(before);
    expect((await t.call('POST', `/api/push/${SEEDED.pushToken}`, { token: null })).status).toBe(200);
  });

  it('of an edited masked export updates what changed and keeps the masked secrets', async () => {
    const edited = (await exportInventoryYaml(t.ctx)).replace('name: Seeded live drill', 'name: Renamed live drill').replace(/graceSeconds: 10/, 'graceSeconds: 20');
    const summary = await apply(edited);
    expect(summary.updated.drills).toEqual(['seeded-drill']);
    expect(summary.updated.checks).toEqual(['seeded-push']);
    for (const secret of FILE_SECRETS) expect(storedSecrets(rawClient(t.sqlite))).toContain(secret);
  });

  it('of an export with secrets into a fresh database restores them', async () => {
    const full = await exportInventoryYaml(t.ctx, { includeSecrets: true });
    const other = await createTestApp();
    try {
      const { document, locate } = parseInventoryDocument(full);
      await applyInventory(other.ctx, document, { locate });
      for (const secret of FILE_SECRETS) expect(storedSecrets(rawClient(other.sqlite))).toContain(secret);
    } finally {
      other.close();
    }
  });

  it('refuses a masked header value with nothing stored behind it (422, with its line) and writes nothing', async () => {
    const masked = await exportInventoryYaml(t.ctx);
    const other = await createTestApp();
    try {
      const counts = tableCounts(other.sqlite);
      const res = await other.call('POST', '/api/inventory/apply', { raw: masked, headers: { 'content-type': 'application/yaml' } });
      const error = expectErrorShape(res, 422);
      expect(error.details.map((d) => d.path).sort()).toEqual(['checks.1.http.headers.Authorization', 'drills.0.injectHook.headers.X-Api-Key', 'drills.0.rollbackHook.headers.X-Api-Key']);
      expect(error.details.every((d) => typeof d.line === 'number')).toBe(true);
      expect(tableCounts(other.sqlite)).toEqual(counts);
    } finally {
      other.close();
    }
  });
});
