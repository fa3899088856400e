// The page frame every dashboard page shares: skip link, header (with log-out when logins are on), main.
import type { Child } from 'hono/jsx';
import { LIVE_REFRESH_SCRIPT } from './live-refresh.ts';
import { STYLES } from './styles.ts';

/** What every page needs from its request. */
export interface PageContext {
  nonce: string;
  csrf: string;
  /** Logins are on (BATCHLINE_API_KEYS is set) and this visitor has one. */
  signedIn: boolean;
}

export function Layout(props: { ctx: PageContext; title: string; live?: boolean; bare?: boolean; children?: Child }) {
  const { ctx } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        {/* No favicon request (and no 404 in the console). */}
        <link rel="icon" href="data:," />
        <title>{`${props.title} · Batchline`}</title>
        <style nonce={ctx.nonce} dangerouslySetInnerHTML={{ __html: STYLES }} />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        {props.bare ? null : (
          <header class="site-header">
            <a class="brand" href="/">
              Batchline
            </a>
            <nav aria-label="Main">
              <a href="/">Jobs</a>
              <a href="/experiments">Experiments</a>
            </nav>
            {ctx.signedIn ? (
              <form method="post" action="/logout">
                <input type="hidden" name="csrf" value={ctx.csrf} />
                <button type="submit" class="link-button" id="logout-button">
                  Log out
                </button>
              </form>
            ) : null}
          </header>
        )}
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <p id="live-announcer" class="visually-hidden" aria-live="polite"></p>
        {props.live ? (
          <>
            <noscript>
              <p class="muted">This page updates itself with JavaScript on; without it, reload to see progress.</p>
            </noscript>
            <script nonce={ctx.nonce} dangerouslySetInnerHTML={{ __html: LIVE_REFRESH_SCRIPT }} />
          </>
        ) : null}
      </body>
    </html>
  );
}

/** A page that only says something: not found, refused, failed. */
export function MessagePage(props: { ctx: PageContext; title: string; message: string; bare?: boolean }) {
  return (
    <Layout ctx={props.ctx} title={props.title} bare={props.bare ?? false}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <p>
        <a href="/">Back to the jobs</a>
      </p>
    </Layout>
  );
}
