import type { Child } from 'hono/jsx';
import type { SessionInfo } from '../../../core/services/sessions.js';
import { Layout } from '../layout.js';

export interface Crumb {
  href?: string;
  label: string;
}

/**
 * Every planner page: the layout, the planner's own navigation, and a plain statement that what
 * is shown here are drills and what-ifs — never a real outage.
 */
export function PlannerPage(props: { title: string; session: SessionInfo | null; crumbs?: Crumb[]; current?: 'overview' | 'trends'; children?: Child }) {
  const crumbs = props.crumbs ?? [];
  return (
    <Layout title={`${props.title} · Planner`} session={props.session} bodyClass="planner">
      <div class="pl-head">
        <nav aria-label="Planner" class="pl-nav">
          <a href="/planner" aria-current={props.current === 'overview' ? 'page' : undefined}>Overview</a>
          <a href="/planner/trends" aria-current={props.current === 'trends' ? 'page' : undefined}>Recovery trends</a>
        </nav>
        {crumbs.length ? (
          <nav aria-label="Breadcrumb" class="pl-crumbs">
            <ol>
              {crumbs.map((c) => (
                <li>{c.href ? <a href={c.href}>{c.label}</a> : <span aria-current="page">{c.label}</span>}</li>
              ))}
            </ol>
          </nav>
        ) : null}
      </div>
      <p class="pl-exercise-note" role="note">
        <strong class="drill-tag">DRILL</strong> Planning view: everything here is an exercise — drills and what-if scenarios. Nothing on
        these pages is a real outage, and drills never page anyone.
      </p>
      {props.children}
    </Layout>
  );
}

/** A status word with its symbol; the colour only repeats what the words say. */
export function Badge(props: { kind: string; label?: string }) {
  return <span class={`status s-${props.kind} pl-badge`}>{props.label ?? props.kind.replace(/_/g, ' ')}</span>;
}

const VERDICT_WORDS: Record<string, string> = { aborted_by_guardrail: 'aborted by guardrail (unsafe, not scored)' };

/** The verdict of a drill run, or "no verdict" (tabletop runs and runs in flight have none). */
export function Verdict(props: { verdict: string | null }) {
  if (!props.verdict) return <span class="pl-v pl-v-none">no verdict</span>;
  return <span class={`pl-v pl-v-${props.verdict}`}>{VERDICT_WORDS[props.verdict] ?? props.verdict}</span>;
}

export function RunStatus(props: { status: string }) {
  return <span class={`pl-run pl-run-${props.status}`}>{props.status}</span>;
}

/** RTO met / breached in words, with a symbol; null when nothing was measured. */
export function RtoMet(props: { met: boolean | null | undefined; by?: string }) {
  if (props.met === null || props.met === undefined) return <span class="muted">not measured</span>;
  return props.met ? (
    <span class="pl-rto pl-rto-met">RTO met</span>
  ) : (
    <strong class="pl-rto pl-rto-breach">RTO BREACHED{props.by ? ` by ${props.by}` : ''}</strong>
  );
}

/** A page-level message (a refused action, a missing runner). */
export function Notice(props: { kind: 'error' | 'info'; children?: Child }) {
  return (
    <div class={`pl-notice pl-notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/**
 * The continuity words, as data-centre redundancy uses them (Uptime Institute tiers), and how the
 * older `redundancy` label carried by events and webhooks maps onto them.
 */
export function ContinuityGlossary() {
  return (
    <section class="panel pl-glossary" aria-labelledby="glossary-h">
      <h2 id="glossary-h">Glossary: spares and single points of failure</h2>
      <dl class="pl-dl">
        <dt>N</dt>
        <dd>What a group needs: <em>k</em> of its <em>n</em> members. A group at exactly N has no spare left.</dd>
        <dt>N+1 (N+2, …)</dt>
        <dd>One spare (two, …) beyond what is needed: that many members can fail and the function still holds.</dd>
        <dt>N-1</dt>
        <dd>One short of need: the group, and with it the function, is lost.</dd>
        <dt>Single point of failure (SPOF)</dt>
        <dd>An asset or member function whose loss alone takes the function below need: every remaining member of a group at N (a group built with k = n is always at N).</dd>
        <dt>Spares left</dt>
        <dd>Members available minus k, in the tightest group; the function's figure (<code>sparesLeft</code>, <code>continuity</code> in the API).</dd>
      </dl>
      <table class="pl-table pl-compact">
        <caption>The older redundancy label (watch floor tiles, events, webhooks) in these words</caption>
        <thead>
          <tr><th scope="col">Label</th><th scope="col">Meaning</th><th scope="col">Spares left</th></tr>
        </thead>
        <tbody>
          <tr><th scope="row">N</th><td>every member up, a spare in every group</td><td>N+1 or more</td></tr>
          <tr><th scope="row">N-1</th><td>members lost, a spare still left in every group (not the data-centre N-1)</td><td>N+1 or more</td></tr>
          <tr><th scope="row">SPOF</th><td>some group with no spare</td><td>N</td></tr>
          <tr><th scope="row">none</th><td>lost</td><td>N-1 or below</td></tr>
        </tbody>
      </table>
    </section>
  );
}
