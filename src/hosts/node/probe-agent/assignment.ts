// The agent's assignment: the checks the server gives this vantage and the facts of their
// assets. Fetched with If-None-Match, so an unchanged assignment costs a 304. The last one
// fetched is kept beside the spool (readable by the agent's user only: settings may hold
// credentials), so an agent restarted while its site is cut off from the server goes on probing
// and spooling, as a site's monitoring should during a backhaul outage.
import fs from 'node:fs/promises';
import { z } from 'zod';
import { writeDurably } from './spool.js';
import { CHECK_KINDS, type CheckKind } from '../../../core/domain/enums.js';
import type { CheckDefinition } from '../../../core/monitor/check-definition.js';
import type { AssetFacts } from '../../../core/monitor/check-runner.js';
import { createChangeLog, describeFailure, refusedToken, type ChangeLog, type Failure, type ServerLink } from './server-link.js';

const nullableNumber = z.number().nullable();
const assignmentSchema = z.object({
  version: z.string(),
  checks: z.array(z.object({
    id: z.number().int(),
    key: z.string(),
    assetId: z.number().int(),
    kind: z.enum(CHECK_KINDS),
    intervalSeconds: z.number().int().positive().nullable(),
    cron: z.string().nullable(),
    timezone: z.string().nullable(),
    timeoutMs: z.number().int().positive(),
    failureThreshold: z.number().int(),
    successThreshold: z.number().int(),
    settings: z.record(z.string(), z.unknown()),
  })),
  assets: z.array(z.object({
    id: z.number().int(),
    key: z.string(),
    lat: nullableNumber,
    lon: nullableNumber,
    altM: nullableNumber,
    slaLatencyMs: nullableNumber,
    slaJitterMs: nullableNumber,
    slaLossPct: nullableNumber,
  })),
});

/** The kept assignment's name in the spool folder (the spool reads only its batch files). */
export const ASSIGNMENT_FILE = 'assignment.json';

/** Kinds that need the server's own data (heartbeats, alerts, pass predictions): never run by an agent. */
const CENTRAL_ONLY_KINDS: ReadonlySet<CheckKind> = new Set(['push', 'external', 'contact']);

export interface AssignmentOptions {
  link: ServerLink;
  /** `/api/vantages/<name>/assignment` */
  path: string;
  /** Given the checks to run whenever the assignment changes. */
  apply: (definitions: CheckDefinition[]) => void;
  log: (line: string) => void;
  /** Shared with the uploader, so a refused token is said once. */
  refusals: ChangeLog;
  /** Where the last assignment fetched is kept. */
  cacheFile: string;
}

export class AssignmentFollower {
  /** The assignment's version, once one has been applied. */
  version: string | null = null;
  private etag: string | null = null;
  private assets = new Map<number, AssetFacts>();
  /** Fetch problems other than a refused token, said once while they last. */
  private readonly problems: ChangeLog;

  constructor(private readonly options: AssignmentOptions) {
    this.problems = createChangeLog(options.log);
  }

  /** The facts of an assigned check's asset (the check runner reads a link's SLA there). */
  asset(id: number): AssetFacts | undefined {
    return this.assets.get(id);
  }

  /** Applies the assignment kept from the last fetch, if there is one (before the server is reached). */
  async loadKept(): Promise<void> {
    let kept: { etag: string; body: unknown };
    try {
      kept = JSON.parse(await fs.readFile(this.options.cacheFile, 'utf8'));
      this.applyBody(kept.body);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.options.log(`ignoring the kept assignment: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.etag = kept.etag;
    this.options.log(`running the assignment kept from the last fetch until the server answers`);
  }

  /** Fetches the assignment and applies it if it changed; null when that worked, else why not. */
  async refresh(signal?: AbortSignal): Promise<Failure | null> {
    let failure: Failure;
    try {
      const answer = await this.options.link.get(this.options.path, this.etag ? { 'if-none-match': this.etag } : {}, signal);
      if (answer.status === 200) {
        const etag = answer.headers['etag'];
        const body: unknown = JSON.parse(answer.text);
        this.applyBody(body);
        this.etag = (Array.isArray(etag) ? etag[0] : etag) ?? `"${this.version}"`;
        await writeDurably(this.options.cacheFile, JSON.stringify({ etag: this.etag, body }), 0o600);
      }
      if (answer.status === 200 || answer.status === 304) {
        this.problems.clear();
        this.options.refusals.clear();
        return null;
      }
      failure = describeFailure(answer);
    } catch (err) {
      failure = err instanceof z.ZodError || err instanceof SyntaxError
        ? { kind: 'rejected', message: `unreadable assignment: ${err.message.slice(0, 300)}`, retryAfterMs: null }
        : describeFailure(err);
    }
    if (failure.kind === 'refused') this.options.refusals.say(refusedToken(failure));
    else this.problems.say(`could not fetch the assignment: ${failure.message}; ${this.version ? `still running assignment ${this.version}` : 'no checks to run yet'}`);
    return failure;
  }

  private applyBody(body: unknown): void {
    const assignment = assignmentSchema.parse(body);
    if (assignment.version === this.version) return; // a server that ignored If-None-Match
    const definitions: CheckDefinition[] = [];
    for (const check of assignment.checks) {
      if (CENTRAL_ONLY_KINDS.has(check.kind)) {
        this.options.log(`skipping check ${check.key}: ${check.kind} checks run only on the server`);
        continue;
      }
      definitions.push({ ...check, enabled: true });
    }
    this.assets = new Map(assignment.assets.map(({ id, ...facts }) => [id, facts]));
    this.version = assignment.version;
    this.options.apply(definitions);
    this.options.log(`assignment ${assignment.version}: ${definitions.length} checks`);
  }
}
