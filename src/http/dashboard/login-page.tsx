// The login form (one labelled password field for an API token, any key of BATCHLINE_API_KEYS) and the
// log-out confirmation that a typed-in `/logout` lands on (logging out is a form post, like every change).
import { Layout, type PageContext } from './layout.tsx';

export function LoginPage(props: { ctx: PageContext; next: string; failed: boolean; insecure: boolean }) {
  return (
    <Layout ctx={props.ctx} title="Log in" bare>
      <div class="login panel">
        <h1>Log in to Batchline</h1>
        {props.insecure ? (
          <p class="alert" role="alert" id="insecure-warning">
            This page came over plain http. The session cookie is only kept over https (or on localhost): open the dashboard over https to log in.
          </p>
        ) : null}
        {props.failed ? (
          <p class="alert" role="alert" id="token-error">
            That token is not one of this server's API keys.
          </p>
        ) : null}
        <form method="post" action="/login">
          <input type="hidden" name="next" value={props.next} />
          <label for="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            required
            autocomplete="current-password"
            spellcheck={false}
            aria-describedby={props.failed ? 'token-error token-hint' : 'token-hint'}
            aria-invalid={props.failed ? 'true' : undefined}
          />
          <p class="hint" id="token-hint">
            One of the keys in <code>BATCHLINE_API_KEYS</code>. Your browser keeps a signed session for 12 hours, never the token itself.
          </p>
          <button type="submit" class="primary" id="login-button">
            Log in
          </button>
        </form>
      </div>
    </Layout>
  );
}

export function LogoutPage(props: { ctx: PageContext }) {
  return (
    <Layout ctx={props.ctx} title="Log out">
      <div class="login panel">
        <h1>Log out of Batchline?</h1>
        <form method="post" action="/logout">
          <input type="hidden" name="csrf" value={props.ctx.csrf} />
          <button type="submit" class="primary" id="logout-confirm">
            Log out
          </button>
        </form>
      </div>
    </Layout>
  );
}
