// The demo's probe agents: for each agent vantage the seed names, a `coopwatch probe` process on
// this machine, as an operator would run one at the site, so `npm start` shows checks voted on
// from three places. Each start mints the agents a fresh probe token (revoking the last start's)
// and passes it in the environment, not on the command line where `ps` would show it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, isNull } from 'drizzle-orm';
import { apiTokens, vantages } from '../../../core/store/schema/index.js';
import { mintToken, revokeToken } from '../../../core/services/tokens.js';
import type { ServiceContext } from '../../../core/services/context.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const tokenName = (vantage: string) => `demo-agent-${vantage}`;

export interface DemoAgents {
  names: string[];
  stop(): Promise<void>;
}

export async function startDemoAgents(ctx: ServiceContext, serverUrl: string, dataDir: string, log: (message: string) => void): Promise<DemoAgents> {
  const agents = await ctx.db.select({ name: vantages.name }).from(vantages).where(eq(vantages.kind, 'agent'));
  const children: ChildProcess[] = [];
  for (const { name } of agents) {
    const stale = await ctx.db.select({ id: apiTokens.id }).from(apiTokens).where(and(eq(apiTokens.name, tokenName(name)), isNull(apiTokens.revokedAt)));
    for (const { id } of stale) await revokeToken(ctx, id);
    const { secret } = await mintToken(ctx, { name: tokenName(name), role: 'probe', vantage: name });
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
