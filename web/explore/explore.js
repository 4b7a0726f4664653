// The explorer: pages beside GraphiQL, built on the same GraphQL API and the
// <kg-relationship-view> element. One page app routed on the URL, so every
// page has a deep link and the back button works (history.pushState and
// popstate). Text from the graph is always set as text, never as HTML.
// A curator who signs in gets the forms of curate.js on the same pages.

import { CONFIDENCE_INFO } from '/embed/kg-relationship-view.js';
import { entityLink, gql, h, link, navigate, session, show } from './lib.js';
import { drawSession, entityCuration, historySection, newSourcePage, relationshipCuration, signInPage, sourcePage, takeFlash } from './curate.js';

const main = document.getElementById('main');

// What each confidence level means, from the element's vocabulary (generated
// from kg/), shown where a level is.
const MEANING = Object.fromEntries(CONFIDENCE_INFO.map((c) => [c.name, c.description]));
const confidence = (level) => h('span', { class: 'confidence', title: MEANING[level] ?? 'confidence' }, level);

// An entity with its first 100 relationships (a page: the connection's
// maximum); ExploreRelationships reads the rest, a page at a time. version
// and history are what a curator edits from and what anyone may read.
const ENTITY = `query ExploreEntity($id: ID!) {
  entity(id: $id) {
    id kind name aliases description start end version contested
    facts { name value unit date contested allEvidence { locator quote stance source { id name } } }
    relationshipsConnection(first: 100) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type confidence start end description version contested
        from { id name kind } to { id name kind } claimedBy { id name }
        evidence { locator quote stance source { id name } }
      }
    }
    history { version recordedAt actor { name role } reason op fields retracted }
  }
  timeline(where: {involving: [$id]}, first: 30) { nodes { id kind name start } }
}`;

const RELATIONSHIPS = `query ExploreRelationships($id: ID!, $after: String) {
  entity(id: $id) {
    relationshipsConnection(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type confidence start end description version contested
        from { id name kind } to { id name kind } claimedBy { id name }
        evidence { locator quote stance source { id name } }
      }
    }
  }
}`;

const SEARCH = `query ExploreSearch($text: String!) {
  searchConnection(text: $text, first: 12) { edges { score node { id kind name start description } } }
}`;

const PATHS = `query ExplorePaths($from: ID!, $to: ID!) {
  paths(from: $from, to: $to, maxHops: 5, mode: ALL_SHORTEST, first: 10) {
    length
    nodes { id kind name }
    edges { id type confidence from { id } to { id } evidence { locator quote source { name } } }
  }
}`;

const TIMELINE = `query ExploreTimeline($from: Date, $to: Date) {
  timeline(where: {startFrom: $from, startTo: $to}, first: 100) { totalCount nodes { id kind name start end description } }
}`;

const kind = (k) => h('span', { class: 'kind' }, k.toLowerCase());
const cite = (ev) => h('div', { class: ev.stance === 'DISPUTES' ? 'disputes' : null }, h('blockquote', {}, `“${ev.quote}”`),
  h('div', { class: 'cite' }, `${ev.stance === 'DISPUTES' ? 'Disputed by ' : ''}${ev.source.name}, ${ev.locator}`));

function graphiqlLink(query, variables) {
  const u = new URLSearchParams({ query, variables: JSON.stringify(variables, null, 2) });
  return h('a', { href: `/?${u}`, class: 'graphiql' }, 'Open this query in GraphiQL');
}

document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[data-nav]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', () => route());
window.addEventListener('kg-navigate', () => route()); // lib.js's navigate

async function route() {
  const path = location.pathname.replace(/^\/explore\/?/, '');
  const params = new URLSearchParams(location.search);
  const [page, id] = path.split('/').map(decodeURIComponent);
  delete main.dataset.ready; // drawing: a redraw of the same URL is told from the page before it
  drawSession();
  try {
    if (page === 'entity' && id) await entityPage(id);
    else if (page === 'sign-in') signInPage(params.get('next'));
    else if (page === 'sources' && id === 'new') await newSourcePage();
    else if (page === 'source' && id) await sourcePage(id);
    else if (page === 'chain' && id) await chainPage(id, params.get('direction') || 'DOWNSTREAM');
    else if (page === 'paths') await pathsPage(params.get('from') || '', params.get('to') || '');
    else if (page === 'timeline') await timelinePage(params.get('from') || '', params.get('to') || '');
    else searchPage(params.get('q') || '');
  } catch (err) {
    show('Error', h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, err.message));
  }
  main.dataset.ready = location.pathname + location.search; // for tests and screenshots: the page is drawn
}

// --- Search: instant results as one types; the query is kept in the URL.
function searchPage(q) {
  const results = h('ol', { class: 'results', 'aria-live': 'polite' });
  let seq = 0;
  const run = async (text) => {
    const mine = ++seq;
    history.replaceState(null, '', text ? `/explore/?q=${encodeURIComponent(text)}` : '/explore/');
    if (!text.trim()) { results.replaceChildren(); return; }
    try {
      const data = await gql(SEARCH, { text });
      if (mine !== seq) return; // a later keystroke won
      const hits = data.searchConnection.edges;
      results.replaceChildren(...hits.map(({ node: e }) => h('li', {},
        entityLink(e), ' ', kind(e.kind), e.start ? h('span', { class: 'muted' }, ` ${e.start}`) : null,
        h('div', { class: 'muted' }, e.description))));
      if (!hits.length) results.replaceChildren(h('li', { class: 'muted' }, 'Nothing found.'));
      results.dataset.for = text;
    } catch (err) {
      if (mine === seq) results.replaceChildren(h('li', { class: 'error' }, err.message));
    }
  };
  let timer;
  const input = h('input', { type: 'search', value: q, placeholder: 'Search: Snowden revelations, $975 million, Unit 61398…',
    'aria-label': 'Search the knowledge graph', autofocus: true,
    oninput: (e) => { clearTimeout(timer); timer = setTimeout(() => run(e.target.value), 150); } });
  show('Search', takeFlash(), h('h1', {}, 'Search the graph'),
    h('p', { class: 'muted' }, 'States, agencies, firms, people, laws, agreements, reports and dated events of US–China cybersecurity relations, each with its evidence.'),
    input, results);
  input.focus();
  if (q) run(q);
}

// --- One entity: what it is, its facts and relationships with citations, its timeline, the view.
async function entityPage(id) {
  const data = await gql(ENTITY, { id });
  const e = data.entity;
  if (!e) throw new Error(`no entity with id "${id}"`);
  const rels = [...e.relationshipsConnection.nodes];
  for (let page = e.relationshipsConnection.pageInfo; page.hasNextPage;) {
    const more = (await gql(RELATIONSHIPS, { id, after: page.endCursor })).entity.relationshipsConnection;
    rels.push(...more.nodes);
    page = more.pageInfo;
  }
  // Signed in, the page has the curator's forms; signed out, none of them.
  const curating = session.signedIn;
  const curation = curating ? await entityCuration(e) : null;
  const relCuration = new Map(curating ? await Promise.all(rels.map(async (r) => [r.id, await relationshipCuration(r)])) : []);
  const byType = new Map();
  for (const r of rels) {
    if (!byType.has(r.type)) byType.set(r.type, []);
    byType.get(r.type).push(r);
  }
  const view = h('kg-relationship-view', { entity: e.id, depth: '1', live: '' });
  view.addEventListener('kg-select', (ev) => { if (ev.detail.id !== e.id) navigate(`/explore/entity/${encodeURIComponent(ev.detail.id)}`); });
  // Changes to what the view draws, as they are committed (the change feed).
  const changes = h('ol', { class: 'changes', 'aria-live': 'polite' });
  view.addEventListener('kg-change', (ev) => changes.prepend(h('li', {}, h('strong', {}, ev.detail.change.id), ' ',
    ev.detail.change.items.filter((it) => it.entities.includes(e.id) || it.target === e.id).slice(0, 5)
      .map((it) => `${it.op.toLowerCase()} ${it.kind.toLowerCase()} ${it.target}`).join('; ') || 'its neighbourhood')));
  show(e.name, takeFlash(),
    h('h1', {}, e.name, ' ', kind(e.kind)),
    h('p', { class: 'muted version' }, `Version ${e.version}`, e.contested ? ' · contested: its evidence both supports and disputes it' : ''),
    e.aliases.length ? h('div', { class: 'muted' }, `Also: ${e.aliases.join(', ')}`) : null,
    h('p', {}, e.description),
    h('p', { class: 'muted' }, [e.start && `From ${e.start}`, e.end && `to ${e.end}`].filter(Boolean).join(' ')),
    h('p', {}, link(`/explore/chain/${encodeURIComponent(e.id)}`, 'Causes and consequences'), ' · ',
      link(`/explore/paths?from=${encodeURIComponent(e.id)}`, 'Find a path from here'), ' · ', graphiqlLink(ENTITY, { id })),
    view,
    h('section', {}, h('h2', {}, 'Changes, live'),
      h('p', { class: 'muted' }, 'Changes to what the view shows appear here as they are committed, and the view redraws.'), changes),
    e.facts.length ? h('section', {}, h('h2', {}, 'Facts'), h('ul', {}, e.facts.map((f) =>
      h('li', {}, h('strong', {}, f.value), f.date ? ` (${f.date})` : '',
        f.contested ? h('span', { class: 'contested' }, ' · contested') : null, f.allEvidence.map(cite))))) : null,
    h('section', { class: 'relationships' }, h('h2', {}, `Relationships (${rels.length})`),
      [...byType].map(([type, rels]) => h('div', {}, h('h3', {}, type.replaceAll('_', ' ').toLowerCase()),
        h('ul', { class: 'rels' }, rels.map((r) => h('li', { class: r.confidence },
          entityLink(r.from), ` — ${r.type} → `, entityLink(r.to), ' ', confidence(r.confidence),
          r.start ? h('span', { class: 'muted' }, ` ${r.start}${r.end ? '–' + r.end : ''}`) : null,
          r.claimedBy.length ? h('span', { class: 'muted' }, ` · claimed by ${r.claimedBy.map((c) => c.name).join(', ')}`) : null,
          r.contested ? h('span', { class: 'contested' }, ' · contested') : null,
          h('div', {}, r.description), r.evidence.map(cite), relCuration.get(r.id))))))),
    data.timeline.nodes.length ? h('section', {}, h('h2', {}, 'Timeline'), h('ol', {}, data.timeline.nodes.map((t) =>
      h('li', {}, h('span', { class: 'muted' }, `${t.start} `), entityLink(t), ' ', kind(t.kind))))) : null,
    curation, historySection(e.history));
}

// --- Causes and consequences of an event, left to right, with every step cited.
async function chainPage(id, direction) {
  const view = h('kg-relationship-view', { entity: id, mode: 'chain', depth: '6', direction });
  const steps = h('ol', { class: 'steps' });
  const other = direction === 'UPSTREAM' ? 'DOWNSTREAM' : 'UPSTREAM';
  const title = h('h1', {}, direction === 'UPSTREAM' ? 'Causes of ' : 'Consequences of ', h('span', { class: 'name' }, id));
  view.addEventListener('kg-load', (ev) => {
    const g = ev.detail.graph;
    const name = new Map(g.nodes.map((n) => [n.id, n]));
    title.querySelector('.name').replaceChildren(entityLink(name.get(id) || { id, name: id }));
    document.title = `${title.textContent} · US–China cyber knowledge graph`;
    steps.replaceChildren(...g.edges.map((r) => h('li', { class: 'hop' },
      entityLink(name.get(r.from)), ` — ${r.type} → `, entityLink(name.get(r.to)), ' ',
      confidence(r.confidence), (r.evidence || []).map(cite))));
  });
  show('Chain', title,
    h('p', {}, link(`/explore/chain/${encodeURIComponent(id)}?direction=${other}`,
      other === 'UPSTREAM' ? 'Show its causes instead' : 'Show its consequences instead'), ' · ',
      link(`/explore/entity/${encodeURIComponent(id)}`, 'Entity page')),
    view, h('h2', {}, 'Step by step'), steps);
}

// --- Every shortest path between two entities, each hop with its citation.
async function pathsPage(from, to) {
  const form = h('form', { class: 'form', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    navigate(`/explore/paths?from=${encodeURIComponent(f.get('from').trim())}&to=${encodeURIComponent(f.get('to').trim())}`);
  } },
  h('label', {}, 'From (entity id)', h('input', { type: 'text', name: 'from', value: from, required: true, placeholder: 'snowden-revelations' })),
  h('label', {}, 'To (entity id)', h('input', { type: 'text', name: 'to', value: to, required: true, placeholder: 'cisco-china-sales-decline-2013' })),
  h('button', { type: 'submit' }, 'Find paths'));
  const content = [h('h1', {}, 'Path finder'), h('p', { class: 'muted' }, 'How are two entities connected? Every shortest path, each hop with the quote that supports it.'), form];
  if (from && to) {
    const data = await gql(PATHS, { from, to });
    content.push(h('p', {}, graphiqlLink(PATHS, { from, to })));
    if (!data.paths.length) content.push(h('p', {}, 'No path of five hops or fewer.'));
    else content.push(h('kg-relationship-view', { entity: from, to, mode: 'paths', depth: '5' }));
    data.paths.forEach((p, i) => {
      content.push(h('h2', {}, `Path ${i + 1} (${p.length} hop${p.length === 1 ? '' : 's'})`),
        h('ol', { class: 'path' }, p.edges.map((r, k) => {
          const a = p.nodes[k], b = p.nodes[k + 1];
          const forward = r.from.id === a.id;
          return h('li', { class: 'hop' }, entityLink(a), forward ? ` — ${r.type} → ` : ` ← ${r.type} — `, entityLink(b), ' ',
            confidence(r.confidence), r.evidence.map(cite));
        })));
    });
  }
  show('Path finder', ...content);
}

// --- What happened in a period, in order.
async function timelinePage(from, to) {
  const form = h('form', { class: 'form', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    navigate(`/explore/timeline?from=${encodeURIComponent(f.get('from'))}&to=${encodeURIComponent(f.get('to'))}`);
  } },
  h('label', {}, 'From', h('input', { type: 'text', name: 'from', value: from, placeholder: '2013' })),
  h('label', {}, 'To', h('input', { type: 'text', name: 'to', value: to, placeholder: '2015-12' })),
  h('button', { type: 'submit' }, 'Show'));
  const data = await gql(TIMELINE, { from: from || null, to: to || null });
  show(`Timeline ${from}–${to}`, h('h1', {}, `Timeline${from || to ? ` ${from || '…'} to ${to || '…'}` : ''}`), form,
    h('p', { class: 'muted' }, `${data.timeline.totalCount} dated entities${data.timeline.totalCount > 100 ? ', the first 100 shown' : ''}.`),
    h('ol', { class: 'timeline' }, data.timeline.nodes.map((t) => h('li', {},
      h('strong', {}, t.start), t.end ? ` – ${t.end}` : '', ' ', entityLink(t), ' ', kind(t.kind),
      h('div', { class: 'muted' }, t.description)))));
}

route();
