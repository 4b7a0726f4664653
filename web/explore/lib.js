// What every explorer page shares: building DOM, asking the API, and the
// curator's key. The key is held for this tab only (sessionStorage: gone
// when the tab closes, never in localStorage or a cookie, so no other tab
// or request carries it unasked) and sent as a bearer token.

const KEY = 'cyberkg.apiKey';

export const session = {
  get key() { return sessionStorage.getItem(KEY) || ''; },
  signIn(key) { sessionStorage.setItem(KEY, key); },
  signOut() { sessionStorage.removeItem(KEY); },
  get signedIn() { return this.key !== ''; },
};

// A GraphQL error as the page shows it: the message, and the code from its
// extensions (FORBIDDEN, UNAUTHENTICATED…) for the page to act on.
export class APIError extends Error {
  constructor(errors, status) {
    super(errors.map((e) => e.message).join('; '));
    this.code = errors[0]?.extensions?.code || '';
    this.status = status;
  }
}

export async function gql(query, variables) {
  const headers = { 'Content-Type': 'application/json' };
  if (session.signedIn) headers.Authorization = `Bearer ${session.key}`;
  const resp = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await resp.json();
  if (body.errors?.length) throw new APIError(body.errors, resp.status);
  return body.data;
}

// h builds DOM: h('a', {href: '/x'}, 'text', child…). Strings become text nodes.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const main = () => document.getElementById('main');

export function show(title, ...content) {
  document.title = `${title} · US–China cyber knowledge graph`;
  main().replaceChildren(...content.filter(Boolean));
}

// Navigation inside the explorer keeps the page and pushes history; the
// router (explore.js) listens for it.
export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('kg-navigate'));
}

export const link = (href, text) => h('a', { href, 'data-nav': true }, text);
export const entityLink = (e) => link(`/explore/entity/${encodeURIComponent(e.id)}`, e.name);
