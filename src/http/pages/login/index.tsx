import { Hono } from 'hono';
import { deleteCookie, setSignedCookie } from 'hono/cookie';
import { closeSession, openSession, SESSION_COOKIE, SESSION_HOURS, sessionSigningKey } from '../../../core/services/sessions.js';
import { Layout } from '../layout.js';
import { verifyCsrf, type PageEnv } from '../session.js';

/** Only same-site paths are followed after sign-in. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : '/';
}

function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="Sign in">
      <section class="login">
        <h1>coopwatch</h1>
        <p>Sign in with an API token. It is exchanged for a session cookie and not stored in the browser.</p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/login">
          <input type="hidden" name="next" value={props.next} />
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="off" required maxlength={512} />
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}

export const loginPages = new Hono<PageEnv>();

loginPages.get('/login', (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} />));

loginPages.post('/login', async (c) => {
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  const token = typeof form.token === 'string' ? form.token.trim() : '';
  const now = c.get('now')();
  const failures = c.get('failedAttempts');
  const address = failures.addressOf(c);
  const wait = failures.retryAfterMs(address, now);
  if (wait) {
    const seconds = Math.ceil(wait / 1000);
    c.header('Retry-After', String(seconds));
    return c.html(<LoginPage next={next} error={`Too many failed sign-in attempts from this address; try again in ${seconds} s.`} />, 429);
  }
  const opened = token ? await openSession(c.get('db'), token, now) : null;
  if (!opened) {
    failures.record(address, now);
    return c.html(<LoginPage next={next} error="That token is unknown, revoked or expired." />, 401);
  }
  await setSignedCookie(c, SESSION_COOKIE, opened.id, await sessionSigningKey(c.get('db'), now), {
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    path: '/',
    maxAge: SESSION_HOURS * 3600,
  });
  return c.redirect(next, 303);
});

loginPages.post('/logout', async (c) => {
  const session = c.get('session');
  if (session && (await verifyCsrf(c, await c.req.parseBody()))) await closeSession(c.get('db'), session.id);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  return c.redirect('/login', 303);
});
