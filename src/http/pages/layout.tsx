import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { SessionInfo } from '../../core/services/sessions.js';

export interface LayoutProps {
  title: string;
  session?: SessionInfo | null;
  /** Scripts under /assets/, e.g. ['live.js']; no inline script is ever used (strict CSP). */
  scripts?: string[];
  /** Wall-screen pages refresh nothing themselves; live pages stream. */
  bodyClass?: string;
  children?: Child;
}

/** Every page: one stylesheet, no inline script or style, a navigation bar for signed-in users. */
export function Layout({ title, session, scripts = [], bodyClass, children }: LayoutProps) {
  return (
    <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · coopwatch</title>
        <link rel="stylesheet" href="/assets/app.css" />
        {scripts.map((s) => (
          <script src={`/assets/${s}`} defer></script>
        ))}
      </head>
      <body class={bodyClass}>
        <a class="skip" href="#main">Skip to content</a>
        {session ? (
          <header class="topbar">
            <a class="brand" href="/">coopwatch</a>
            <nav aria-label="Main">
              <a href="/">Watch floor</a>
              <a href="/planner">Planner</a>
              <a href="/docs">API</a>
            </nav>
            <form method="post" action="/logout" class="signout">
              <input type="hidden" name="_csrf" value={session.csrf} />
              <span class="who">{session.actor.name} ({session.actor.role})</span>
              <button type="submit">Sign out</button>
            </form>
          </header>
        ) : null}
        <main id="main">{children}</main>
      </body>
    </html>
    </>
  );
}
