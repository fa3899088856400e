// The one script of the dashboard, inlined (with the page's CSP nonce) on pages that show unfinished work.
// Every few seconds it fetches the page again as a fragment (`?fragment=1`) and swaps in only the parts
// (`[data-live-part]`) whose HTML changed, so a focused link or button that did not change is left alone,
// and one that did is focused again by its id. It stops once the server marks the region final, pauses
// while the tab is hidden, and reloads (to the login page) if the session ended.
export const REFRESH_INTERVAL_MS = 2500;

export const LIVE_REFRESH_SCRIPT = `
(() => {
  const region = document.getElementById('live');
  const announcer = document.getElementById('live-announcer');
  if (!region) return;

  const schedule = () => setTimeout(tick, ${REFRESH_INTERVAL_MS});

  async function tick() {
    if (region.dataset.final === 'true') return;
    if (document.hidden) {
      document.addEventListener('visibilitychange', tick, { once: true });
      return;
    }
    try {
      const url = new URL(location.href);
      url.hash = '';
      url.searchParams.set('fragment', '1');
      const res = await fetch(url, { headers: { accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' });
      if (res.status === 401) {
        location.reload();
        return;
      }
      if (res.ok) apply(await res.text());
    } catch {
      // A network hiccup or a restarting server: the next tick tries again.
    }
    schedule();
  }

  function apply(text) {
    const next = new DOMParser().parseFromString(text, 'text/html').getElementById('live');
    if (!next) return;
    const active = document.activeElement;
    const focusedId = active && active !== region && region.contains(active) ? active.id : '';
    const ids = (root) => Array.from(root.querySelectorAll('[data-live-part]'), (el) => el.id).join(' ');
    if (ids(region) !== ids(next)) {
      region.replaceChildren(...Array.from(next.childNodes, (node) => document.importNode(node, true)));
    } else {
      for (const part of next.querySelectorAll('[data-live-part]')) {
        const current = document.getElementById(part.id);
        if (current && current.outerHTML !== part.outerHTML) current.replaceWith(document.importNode(part, true));
      }
    }
    if (focusedId) {
      const again = document.getElementById(focusedId);
      if (again && again !== document.activeElement) again.focus({ preventScroll: true });
    }
    if (announcer && next.dataset.status !== region.dataset.status && next.dataset.announce) announcer.textContent = next.dataset.announce;
    for (const key of ['final', 'status', 'announce']) region.dataset[key] = next.dataset[key] || '';
    if (next.dataset.title) document.title = next.dataset.title;
  }

  schedule();
})();
`;
