// `coopwatch` command line: inventory as code and token recovery, straight against the database.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { backupDatabase, openSqlite } from './sqlite.js';
import { ROLES, type Role } from '../../core/domain/enums.js';
import { AppError } from '../../core/domain/errors.js';
import { SYSTEM_ACTOR } from '../../core/domain/roles.js';
import type { ServiceContext } from '../../core/services/context.js';
import { applyInventory, type ApplySummary } from '../../core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../core/services/inventory/document.js';
import { exportInventoryYaml } from '../../core/services/inventory/export.js';
import { mintToken } from '../../core/services/tokens.js';
import { probeCommand } from './probe-agent/main.js';
import { PROBE_USAGE } from './probe-agent/options.js';

const USAGE = `usage:
  coopwatch apply -f FILE [--dry-run]     create/update the inventory (assets, functions, checks, satellites, scenarios, drills, status pages) by key
  coopwatch export [-o FILE] [--include-secrets]
                                          write the inventory as YAML (stdout by default); push tokens and
                                          header values read "********" unless --include-secrets
  coopwatch token create --name NAME --role ROLE [--vantage NAME]
                                          mint a token (e.g. when the admin token is lost); a probe token
                                          names the agent vantage it speaks for
  coopwatch backup FILE                   copy the database to FILE with SQLite's online backup (safe while the service runs)
  ${PROBE_USAGE}
                                          run a probe agent at a site (README: "Running a probe agent at a site")
The database is COOPWATCH_DB (default ./data/coopwatch.db).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'probe') return probeCommand(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'dry-run': { type: 'boolean' },
      'include-secrets': { type: 'boolean' },
      name: { type: 'string' },
      role: { type: 'string' },
      vantage: { type: 'string' },
    },
  });
  const config = loadConfig(process.env);
  const withContext = async <T>(fn: (ctx: ServiceContext) => Promise<T>): Promise<T> => {
    const sqlite = openSqlite(config.databaseFile);
    try {
      return await fn({ db: sqlite.db, actor: { ...SYSTEM_ACTOR, name: 'cli' }, now: Date.now });
    } finally {
      sqlite.close();
    }
  };

  switch (command) {
    case 'apply': {
      const file = values.file ?? positionals[0];
      if (!file) return usage('apply needs -f FILE');
      const { document, locate } = parseInventoryDocument(fs.readFileSync(file, 'utf8'));
      const summary = await withContext((ctx) => applyInventory(ctx, document, { dryRun: values['dry-run'], locate }));
      const would = summary.dryRun ? 'would be ' : '';
      const count = (group: ApplySummary['created']) => `${group.assets.length} assets, ${group.functions.length} functions, ${group.satellites.length} satellites, ${group.checks.length} checks, ${group.scenarios.length} scenarios, ${group.drills.length} drills, ${group.statusPages.length} status pages`;
      console.log(`${file}: ${would}created ${count(summary.created)}; ${would}updated ${count(summary.updated)}; ${summary.unchanged} unchanged`);
      for (const key of Object.values(summary.created).flat()) console.log(`  + ${key}`);
      for (const key of Object.values(summary.updated).flat()) console.log(`  ~ ${key}`);
      return 0;
    }
    case 'export': {
      const yaml = await withContext((ctx) => exportInventoryYaml(ctx, { includeSecrets: values['include-secrets'] }));
      if (values.output) fs.writeFileSync(values.output, yaml);
      else process.stdout.write(yaml);
      return 0;
    }
    case 'token': {
      if (positionals[0] !== 'create' || !values.name || !values.role) return usage('token create needs --name and --role');
      if (!ROLES.includes(values.role as Role)) return usage(`--role must be one of ${ROLES.join(', ')}`);
      const minted = await withContext((ctx) => mintToken(ctx, { name: values.name!, role: values.role as Role, vantage: values.vantage }));
      console.log(minted.secret);
      return 0;
    }
    case 'backup': {
      const target = positionals[0] ?? values.output;
      if (!target) return usage('backup needs FILE');
      const summary = await backupDatabase(config.databaseFile, target);
      console.log(`${config.databaseFile} → ${target}: ${summary.pages} pages, integrity ${summary.integrity}`);
      return summary.integrity === 'ok' ? 0 : 1;
    }
    default:
      return usage(command ? `unknown command "${command}"` : '');
  }
}

function usage(problem: string): number {
  if (problem) console.error(`coopwatch: ${problem}`);
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof AppError) {
    console.error(`coopwatch: ${err.message}`);
    for (const d of err.details) {
      const where = d.line ? `line ${d.line}${d.column ? `:${d.column}` : ''}` : '';
      console.error(`  ${[where, d.path].filter(Boolean).join(' ')}: ${d.message}`);
    }
    process.exitCode = 1;
  } else {
    console.error(`coopwatch: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
