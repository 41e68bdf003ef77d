// The demo's probe agents: for each agent vantage the seed names, a `coopwatch probe` process on
// this machine, as an operator would run one at the site, so `npm start` shows checks voted on
// from three places. Each agent's probe token is minted once and kept beside the database
// (readable by this user only), reused while it works, and passed in the environment, not on
// the command line where `ps` would show it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, isNull } from 'drizzle-orm';
import { apiTokens, vantages } from '../../../core/store/schema/index.js';
import { findUsableToken, mintToken, revokeToken } from '../../../core/services/tokens.js';
import type { ServiceContext } from '../../../core/services/context.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const tokenName = (vantage: string) => `demo-agent-${vantage}`;

/** The agent's kept token while it still works for its vantage; else a new one (the old revoked), kept. */
async function agentToken(ctx: ServiceContext, vantage: string, file: string): Promise<string> {
  const kept = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  const row = kept ? await findUsableToken(ctx.db, kept, ctx.now()) : null;
  if (row?.role === 'probe' && row.name === tokenName(vantage)) return kept;
  const stale = await ctx.db.select({ id: apiTokens.id }).from(apiTokens).where(and(eq(apiTokens.name, tokenName(vantage)), isNull(apiTokens.revokedAt)));
  for (const { id } of stale) await revokeToken(ctx, id);
  const { secret } = await mintToken(ctx, { name: tokenName(vantage), role: 'probe', vantage });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export interface DemoAgents {
  names: string[];
  stop(): Promise<void>;
}

export async function startDemoAgents(ctx: ServiceContext, serverUrl: string, dataDir: string, log: (message: string) => void): Promise<DemoAgents> {
  const agents = await ctx.db.select({ name: vantages.name }).from(vantages).where(eq(vantages.kind, 'agent'));
  const children: ChildProcess[] = [];
  for (const { name } of agents) {
    const secret = await agentToken(ctx, name, path.join(dataDir, `${tokenName(name)}.token`));
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'probe', '--server', serverUrl, '--name', name, '--spool', path.join(dataDir, `spool-${name}`)], {
      env: { ...process.env, COOPWATCH_PROBE_TOKEN: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`[agent ${name}] ${line}`);
    };
    child.stdout!.on('data', relay);
    child.stderr!.on('data', relay);
    child.once('exit', (code, signal) => log(`demo agent ${name} exited (${signal ?? code})`));
    children.push(child);
  }
  return {
    names: agents.map((a) => a.name),
    async stop() {
      await Promise.all(children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }));
    },
  };
}
