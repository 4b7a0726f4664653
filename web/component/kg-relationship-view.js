// <kg-relationship-view>: a relationship view of the knowledge graph that an
// app embeds with one script tag and one element. It asks the GraphQL API for
// a neighbourhood, a causal chain or the paths between two entities, draws
// them with Cytoscape.js, and keeps a text list of the same data beside the
// drawing for keyboards and screen readers. It talks to its endpoint only.
//
// Built into web/embed/kg-relationship-view.js by `make assets` (esbuild);
// edit this file, never the built one.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import fcose from 'cytoscape-fcose';
import { NODE, EDGE_LIGHT, EDGE, QUERIES, EDGE_EVIDENCE } from './operations.js';
import { KIND_INFO, CONFIDENCE_INFO } from './vocabulary.js';

// The vocabularies, for pages beside the element (the explorer) to label with.
export { KIND_INFO, CONFIDENCE_INFO, RELATION_TYPE_INFO } from './vocabulary.js';

cytoscape.use(dagre);
cytoscape.use(fcose);

// Colour and shape per kind: shape as well as colour, so that kinds stay
// apart for people who do not see the colours. Colours are defaults; each
// can be themed with --kg-color-<kind>.
const KINDS = {
  STATE: ['#1f4e9c', 'round-rectangle'],
  AGENCY: ['#2f8f6f', 'hexagon'],
  ORGANIZATION: ['#7a5195', 'round-octagon'],
  FIRM: ['#d1781f', 'rectangle'],
  PERSON: ['#c0392b', 'ellipse'],
  PRODUCT: ['#8c6d31', 'barrel'],
  LAW: ['#4a6fa5', 'cut-rectangle'],
  AGREEMENT: ['#3a9d23', 'star'],
  EVENT: ['#b8860b', 'diamond'],
  REPORT: ['#6b6b6b', 'tag'],
  RECOMMENDATION: ['#9c3f7c', 'vee'],
};

// How each confidence is drawn: firm claims solid, hedged ones broken, so
// that an allegation never looks like an established fact, and what the
// source says only may happen faint and dotted, a possibility rather than a
// line of fact. The levels and their meanings come from vocabulary.js
// (generated from kg/); a level without a style of its own here is drawn as
// HEDGED, never as solid.
const CONFIDENCE_STYLE = {
  CONFIRMED: { style: 'solid', width: 2.5 },
  REPORTED: { style: 'solid', width: 1.5 },
  INFERRED: { style: 'dashed', width: 1.5, opacity: 0.7 },
  ALLEGED: { style: 'dashed', width: 2 },
  DISPUTED: { style: 'dotted', width: 2.5, color: 'disputed' },
  POSSIBLE: { style: 'dotted', width: 1.5, opacity: 0.55, color: 'possible' },
};
const HEDGED = { style: 'dashed', width: 1.5 };
const CONFIDENCE = Object.fromEntries(CONFIDENCE_INFO.map(({ name, description }) =>
  [name, { ...(CONFIDENCE_STYLE[name] ?? HEDGED), description }]));
const KIND_DESCRIPTION = Object.fromEntries(KIND_INFO.map(({ name, description }) => [name, description]));

// Above this many entities the first query leaves evidence out (it would
// exceed the server's complexity limit) and an edge's evidence is fetched
// when it is chosen.
const EAGER_EVIDENCE_LIMIT = 300;

// Above this many entities the drawing favours speed over detail.
const BIG_GRAPH = 300;

const ATTRIBUTES = ['endpoint', 'entity', 'mode', 'depth', 'to', 'types', 'direction', 'as-of', 'limit'];

const TEMPLATE = `
<style>
  :host { display: block; position: relative; font: var(--kg-font, 14px/1.4 system-ui, sans-serif);
    color: var(--kg-foreground, #1b1b1b); background: var(--kg-background, #fff);
    border: 1px solid var(--kg-border, #d0d0d0); border-radius: var(--kg-radius, 6px); }
  :host([hidden]) { display: none; }
  .toolbar { display: flex; flex-wrap: wrap; gap: .4em; align-items: center; padding: .4em .6em;
    border-bottom: 1px solid var(--kg-border, #d0d0d0); }
  button { font: inherit; color: inherit; background: var(--kg-button-background, #f3f3f3);
    border: 1px solid var(--kg-border, #c8c8c8); border-radius: 4px; padding: .1em .5em; cursor: pointer; }
  button:focus-visible, input:focus-visible, .canvas:focus-visible { outline: 2px solid var(--kg-accent, #d4380d); outline-offset: 1px; }
  input { font: inherit; }
  .asof input[type=text] { width: 7.5em; }
  .status { margin-left: auto; color: var(--kg-muted, #666); }
  .status.error { color: var(--kg-error, #b00020); }
  .main { position: relative; display: flex; }
  .canvas { flex: 1; height: var(--kg-height, 480px); min-width: 0; }
  .panel { width: var(--kg-panel-width, 20em); max-height: var(--kg-height, 480px); overflow: auto; padding: .6em .8em;
    border-left: 1px solid var(--kg-border, #d0d0d0); background: var(--kg-panel-background, #fafafa); }
  .panel[hidden] { display: none; }
  .panel h3 { margin: 0 0 .3em; font-size: 1em; }
  .panel blockquote { margin: .4em 0; padding-left: .6em; border-left: 3px solid var(--kg-accent, #d4380d); }
  .panel .cite { color: var(--kg-muted, #666); font-size: .9em; }
  .legend { display: flex; flex-wrap: wrap; gap: .3em 1em; padding: .4em .6em; font-size: .85em;
    border-top: 1px solid var(--kg-border, #d0d0d0); }
  .legend span { display: inline-flex; align-items: center; gap: .3em; }
  .legend svg { width: 1.4em; height: 1em; }
  .list { padding: .2em .6em .6em; border-top: 1px solid var(--kg-border, #d0d0d0); font-size: .9em; }
  .list ul { margin: .2em 0; padding-left: 1.2em; max-height: 12em; overflow: auto; }
  .list button { background: none; border: none; padding: 0; text-align: left; text-decoration: underline dotted; }
  .list button[aria-pressed=true] { font-weight: bold; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
<div class="toolbar" part="toolbar" role="toolbar" aria-label="Graph view controls">
  <button type="button" data-act="fit" title="Fit the whole graph (0)">Fit</button>
  <button type="button" data-act="in" title="Zoom in (+)" aria-label="Zoom in">+</button>
  <button type="button" data-act="out" title="Zoom out (-)" aria-label="Zoom out">−</button>
  <label class="asof" part="as-of">As of
    <input type="range" min="1990" max="2030" step="1" aria-label="As of year">
    <input type="text" placeholder="YYYY-MM-DD" aria-label="As of date" pattern="\\d{4}(-\\d{2}(-\\d{2})?)?">
    <button type="button" data-act="all" title="Show every date">All dates</button>
  </label>
  <span class="status" role="status" aria-live="polite"></span>
</div>
<div class="main">
  <div class="canvas" part="canvas" tabindex="0" role="application"
       aria-label="Graph drawing. Arrow keys move between entities, Enter selects, E expands, plus and minus zoom, 0 fits."></div>
  <aside class="panel" part="panel" hidden aria-live="polite"></aside>
</div>
<div class="legend" part="legend" aria-label="Legend"></div>
<details class="list" part="list" open>
  <summary>Shown as text</summary>
  <h4>Entities</h4><ul class="nodes"></ul>
  <h4>Relationships</h4><ul class="edges"></ul>
</details>
<span class="sr" aria-live="polite"></span>`;

// What live follows of each change: enough to tell whether it touches the drawing.
const LIVE = `subscription($after: String) { changes(after: $after) { id cursor items { op kind target entities } } }`;

export class KgRelationshipView extends HTMLElement {
  static get observedAttributes() { return [...ATTRIBUTES, 'live']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.innerHTML = TEMPLATE;
    this._graph = { nodes: [], edges: [], truncated: false };
    this._focus = -1;
    this._yearRange = null;
    this._$ = (sel) => this.shadowRoot.querySelector(sel);
    this._$('.toolbar').addEventListener('click', (e) => this._toolbar(e));
    const [range, text] = this.shadowRoot.querySelectorAll('.asof input');
    range.addEventListener('change', () => { this.asOf = `${range.value}-12-31`; });
    text.addEventListener('change', () => {
      if (text.value === '' || text.checkValidity()) this.asOf = text.value || null;
    });
    this._$('.canvas').addEventListener('keydown', (e) => this._key(e));
    this._$('.list').addEventListener('click', (e) => this._listClick(e));
    this._$('.list').addEventListener('toggle', (e) => {
      if (e.target.open) this._fillList();
    });
    this._$('.list summary').addEventListener('click', () => { this._listChosen = true; });
  }

  // Attributes reflected as properties: el.entity = 'china' sets entity="china".
  get endpoint() { return this.getAttribute('endpoint') || new URL('/graphql', location.href).href; }
  set endpoint(v) { this._set('endpoint', v); }
  get entity() { return this.getAttribute('entity'); }
  set entity(v) { this._set('entity', v); }
  get mode() { return (this.getAttribute('mode') || 'neighborhood').toLowerCase(); }
  set mode(v) { this._set('mode', v); }
  get depth() { return intOr(this.getAttribute('depth'), this.mode === 'chain' ? 4 : 1); }
  set depth(v) { this._set('depth', v); }
  get to() { return this.getAttribute('to'); }
  set to(v) { this._set('to', v); }
  get types() { return (this.getAttribute('types') || '').split(/[\s,]+/).filter(Boolean).map((t) => t.toUpperCase()); }
  set types(v) { this._set('types', Array.isArray(v) ? v.join(',') : v); }
  get direction() { return this.getAttribute('direction'); }
  set direction(v) { this._set('direction', v); }
  get asOf() { return this.getAttribute('as-of'); }
  set asOf(v) { this._set('as-of', v); }
  get limit() { return intOr(this.getAttribute('limit'), this.mode === 'paths' ? 10 : 200); }
  set limit(v) { this._set('limit', v); }
  /** live: follow the graph's change feed and redraw when a change touches what is drawn. */
  get live() { return this.hasAttribute('live'); }
  set live(v) { this.toggleAttribute('live', !!v); }

  /** What is drawn now: { nodes: [{id, name, kind, …}], edges: [{id, type, from, to, confidence, …}], truncated }. */
  get graph() { return this._graph; }

  _set(name, v) {
    if (v === null || v === undefined || v === '') this.removeAttribute(name);
    else this.setAttribute(name, String(v));
  }

  connectedCallback() {
    this._legend();
    // Cytoscape caches where its container is and drops the cache on scroll
    // of the container's ancestors, a walk that stops at our shadow root: so
    // a scroll of the page would leave clicks landing beside the nodes.
    this._onScroll = () => {
      if (this._scrollQueued) return;
      this._scrollQueued = true;
      requestAnimationFrame(() => { this._scrollQueued = false; this._cy?.resize(); });
    };
    document.addEventListener('scroll', this._onScroll, { capture: true, passive: true });
    this._schedule();
    this._follow();
  }

  disconnectedCallback() {
    this._unfollow();
    document.removeEventListener('scroll', this._onScroll, { capture: true });
    this._abort?.abort();
    this._cy?.destroy();
    this._cy = null;
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (name === 'live') { this._follow(); return; }
    if (name === 'as-of') this._showAsOf();
    this._schedule();
  }

  // live: the change feed over graphql-transport-ws on the endpoint. A
  // change whose items touch an entity or relationship drawn redraws the
  // view, keeping what was selected; kg-change tells the page. A dropped
  // connection is opened again after the last change seen, so none is missed.
  _follow() {
    if (!this.live || !this.isConnected) { this._unfollow(); return; }
    if (this._ws) return;
    const url = new URL(this.endpoint, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = (this._ws = new WebSocket(url, 'graphql-transport-ws'));
    const send = (m) => ws.send(JSON.stringify(m));
    ws.onopen = () => send({ type: 'connection_init' });
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type === 'connection_ack') {
        send({ id: 'live', type: 'subscribe', payload: { query: LIVE, variables: { after: this._cursor ?? null } } });
      } else if (msg.type === 'ping') {
        send({ type: 'pong' });
      } else if (msg.type === 'next' && msg.payload?.data) {
        this._changed(msg.payload.data.changes);
      }
    };
    ws.onclose = () => {
      if (this._ws !== ws) return;
      this._ws = null;
      this._retry = setTimeout(() => this._follow(), 2000);
    };
  }

  _unfollow() {
    clearTimeout(this._retry);
    const ws = this._ws;
    this._ws = null;
    ws?.close();
  }

  async _changed(change) {
    this._cursor = change.cursor;
    const nodes = new Set(this._graph.nodes.map((n) => n.id));
    const edges = new Set(this._graph.edges.map((e) => e.id));
    const touches = change.items.some((it) => nodes.has(it.target) || edges.has(it.target) || it.entities.some((id) => nodes.has(id)));
    if (!touches) return;
    const selected = this._cy?.$(':selected').map((el) => el.id()) ?? [];
    await this.reload();
    for (const id of selected) this._cy?.getElementById(id).select();
    this._emit('kg-change', { change, graph: this._graph });
  }

  // Several attributes set in one task redraw once.
  _schedule() {
    if (!this.isConnected || this._pending) return;
    this._pending = true;
    queueMicrotask(() => { this._pending = false; this.reload(); });
  }

  /** Fetches what the attributes describe and draws it. Resolves to the graph. */
  async reload() {
    if (!this.entity) { this._draw({ nodes: [], edges: [], truncated: false }); return this._graph; }
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    const t0 = performance.now();
    this._status('Loading…');
    try {
      const g = await this._fetchGraph(abort.signal);
      if (abort.signal.aborted) return this._graph;
      const t1 = performance.now();
      await this._draw(g);
      this.timings = { fetch: t1 - t0, draw: performance.now() - t1, total: performance.now() - t0 };
      this._status(`${g.nodes.length} entities, ${g.edges.length} relationships${g.truncated ? ' (limit reached: more exist)' : ''}`);
      this._emit('kg-load', { graph: this._graph, timings: this.timings });
    } catch (err) {
      if (err.name === 'AbortError') return this._graph;
      this._status(err.message, true);
      this._emit('kg-error', { message: err.message });
    }
    return this._graph;
  }

  async _fetchGraph(signal) {
    const mode = this.mode;
    if (!QUERIES[mode]) throw new Error(`mode must be neighborhood, chain or paths, not "${mode}"`);
    const eager = this.limit <= EAGER_EVIDENCE_LIMIT;
    const vars = { id: this.entity, depth: this.depth, asOf: this.asOf || null, limit: this.limit };
    const dir = (this.direction || '').toUpperCase();
    if (mode === 'chain') {
      vars.direction = { UPSTREAM: 'UPSTREAM', INCOMING: 'UPSTREAM' }[dir] || 'DOWNSTREAM';
    } else {
      vars.direction = dir || 'BOTH';
      vars.types = this.types.length ? this.types : null;
    }
    if (mode === 'paths') {
      if (!this.to) throw new Error('mode "paths" needs a "to" entity');
      vars.to = this.to;
    }
    const data = await this._query(`${QUERIES[mode]} ${NODE} ${eager ? EDGE : EDGE_LIGHT}`, vars, signal);
    if (mode !== 'paths') return { ...data.g, complete: eager };
    // Paths share entities and relationships: draw each once.
    const nodes = new Map(), edges = new Map();
    for (const p of data.p) {
      p.nodes.forEach((n) => nodes.set(n.id, n));
      p.edges.forEach((e) => edges.set(e.id, e));
    }
    return { nodes: [...nodes.values()], edges: [...edges.values()], truncated: false, complete: eager };
  }

  async _query(query, variables, signal) {
    const resp = await fetch(this.endpoint, {
      method: 'POST', signal, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    let body;
    try { body = await resp.json(); } catch { throw new Error(`the graph service answered ${resp.status} without JSON`); }
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    if (!resp.ok) throw new Error(`the graph service answered ${resp.status}`);
    return body.data;
  }

  // Turns an API subgraph into el.graph and Cytoscape elements, and lays it out.
  _draw(g, { keepPositions = false } = {}) {
    const flat = (e) => ({ ...e, from: e.from.id ?? e.from, to: e.to.id ?? e.to });
    this._graph = { nodes: g.nodes.map((n) => ({ ...n })), edges: g.edges.map(flat), truncated: !!g.truncated };
    this._complete = g.complete !== false;
    this._renderList();
    this._updateYearRange();
    const ids = new Set(this._graph.nodes.map((n) => n.id));
    // Big neighbourhoods are drawn for speed: straight edges and entities
    // without labels (the chosen one shows its name; the text list has them
    // all), and rings by distance from the entity instead of a force layout,
    // so that 1,000 entities are interactive in well under a second. The
    // class is set as the elements are added, so they are styled once.
    const big = this._graph.nodes.length > BIG_GRAPH ? 'big' : '';
    const elements = [
      ...this._graph.nodes.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.name, kind: n.kind },
        classes: (n.id === this.entity || n.id === this.to ? 'root ' : '') + big })),
      ...this._graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to)).map((e) => ({
        group: 'edges', data: { id: e.id, source: e.from, target: e.to, label: e.type, confidence: e.confidence }, classes: big })),
    ];
    const cy = this._cytoscape();
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elements);
    });
    this._focus = -1;
    return new Promise((resolve) => {
      if (keepPositions || elements.length === 0) { resolve(); return; }
      const layout = cy.layout(this._layoutOptions(!!big));
      layout.one('layoutstop', () => {
        // A few entities fitted to the box would be drawn huge: keep them at a readable size.
        if (cy.zoom() > 1.3) { cy.zoom(1.3); cy.center(); }
        requestAnimationFrame(() => resolve());
      });
      layout.run();
    });
  }

  _layoutOptions(big) {
    if (this.mode === 'chain' || this.mode === 'paths') {
      // Causes on the left, consequences on the right.
      return { name: 'dagre', rankDir: 'LR', nodeSep: 12, rankSep: 140, edgeSep: 10, nodeDimensionsIncludeLabels: true, animate: false, fit: true, padding: 30 };
    }
    if (big) {
      const hops = this._hops();
      const far = Math.max(...hops.values(), 0) + 1;
      return { name: 'concentric', animate: false, fit: true, padding: 20, avoidOverlap: false, minNodeSpacing: 2,
        concentric: (n) => far - (hops.get(n.id()) ?? far), levelWidth: () => 1, spacingFactor: 0.9 };
    }
    return { name: 'fcose', quality: 'default', randomize: true, animate: false,
      fit: true, padding: 30, nodeRepulsion: 6000, idealEdgeLength: 90, numIter: 2500 };
  }

  // Hops from the drawn entity to every other, ignoring direction.
  _hops() {
    const adj = new Map();
    for (const e of this._graph.edges) {
      if (!adj.has(e.from)) adj.set(e.from, []);
      if (!adj.has(e.to)) adj.set(e.to, []);
      adj.get(e.from).push(e.to);
      adj.get(e.to).push(e.from);
    }
    const hops = new Map([[this.entity, 0]]);
    const queue = [this.entity];
    for (let i = 0; i < queue.length; i++) {
      for (const next of adj.get(queue[i]) ?? []) {
        if (!hops.has(next)) { hops.set(next, hops.get(queue[i]) + 1); queue.push(next); }
      }
    }
    return hops;
  }

  _cytoscape() {
    const style = this._style();
    const key = JSON.stringify(style);
    if (this._cy) {
      if (key !== this._styleKey) this._cy.style(style); // restyling every element costs: only on a theme change
      this._styleKey = key;
      return this._cy;
    }
    this._styleKey = key;
    const cy = (this._cy = cytoscape({
      container: this._$('.canvas'), style, minZoom: 0.05, maxZoom: 4,
      wheelSensitivity: 0.3, textureOnViewport: false, boxSelectionEnabled: false,
    }));
    cy.on('tap', 'node', (e) => this.select(e.target.id()));
    cy.on('dbltap', 'node', (e) => this.expand(e.target.id()));
    cy.on('tap', 'edge', (e) => this.selectEdge(e.target.id()));
    cy.on('tap', (e) => { if (e.target === cy) this._closePanel(); });
    return cy;
  }

  // Cytoscape styles are data, not CSS: the element reads its custom
  // properties here so that a page's theme reaches the drawing.
  _style() {
    const css = getComputedStyle(this);
    const v = (name, def) => css.getPropertyValue(name).trim() || def;
    const fg = v('--kg-foreground', '#1b1b1b'), edge = v('--kg-edge-color', '#7d7d7d');
    const accent = v('--kg-accent', '#d4380d'), disputed = v('--kg-disputed-color', '#b00020'),
      possible = v('--kg-possible-color', '#5b7fa6');
    const bg = v('--kg-background', '#ffffff');
    const style = [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 11, color: fg, 'text-valign': 'bottom',
        'text-margin-y': 3, 'text-wrap': 'wrap', 'text-max-width': 120, width: 22, height: 22,
        'text-background-color': bg, 'text-background-opacity': 0.7, 'min-zoomed-font-size': 7 } },
      { selector: 'node.root', style: { width: 32, height: 32, 'border-width': 3, 'border-color': fg, 'font-weight': 'bold' } },
      { selector: 'edge', style: { width: 1.5, 'line-color': edge, 'target-arrow-color': edge, 'target-arrow-shape': 'triangle',
        'curve-style': 'bezier', label: 'data(label)', 'font-size': 8, color: v('--kg-muted', '#555'),
        'text-rotation': 'autorotate', 'text-background-color': bg, 'text-background-opacity': 0.8, 'min-zoomed-font-size': 8 } },
      { selector: ':selected, .focused', style: { 'overlay-color': accent, 'overlay-opacity': 0.25, 'overlay-padding': 5 } },
      { selector: 'edge.big', style: { 'curve-style': 'haystack', 'haystack-radius': 0, label: '', width: 0.6, opacity: 0.5 } },
      { selector: 'node.big', style: { width: 10, height: 10, label: '' } },
      { selector: 'node.big.root, node.big:selected, node.big.focused', style: { width: 20, height: 20, label: 'data(label)' } },
      { selector: 'edge:selected', style: { 'line-color': accent, 'target-arrow-color': accent } },
    ];
    for (const [kind, [color, shape]] of Object.entries(KINDS)) {
      style.push({ selector: `node[kind = "${kind}"]`, style: { 'background-color': v(`--kg-color-${kind.toLowerCase()}`, color), shape } });
    }
    for (const [c, s] of Object.entries(CONFIDENCE)) {
      const color = { disputed, possible }[s.color];
      style.push({ selector: `edge[confidence = "${c}"]`, style: { 'line-style': s.style, width: s.width,
        ...(color ? { 'line-color': color, 'target-arrow-color': color } : {}),
        ...(s.opacity ? { opacity: s.opacity } : {}) } });
    }
    return style;
  }

  /** Selects an entity: highlights it and fires kg-select with { id, entity }. */
  select(id) {
    const entity = this._graph.nodes.find((n) => n.id === id);
    if (!entity) return;
    this._cy?.elements().unselect();
    this._cy?.getElementById(id).select();
    this._pressed(`[data-node="${cssEscape(id)}"]`);
    this._announce(`${entity.name} (${entity.kind.toLowerCase()}) selected`);
    this._emit('kg-select', { id, entity });
  }

  /** Adds an entity's own neighbourhood (one hop) to what is drawn. */
  async expand(id) {
    try {
      this._status('Expanding…');
      const vars = { id, depth: 1, asOf: this.asOf || null, limit: 50, direction: 'BOTH',
        types: this.mode === 'neighborhood' && this.types.length ? this.types : null };
      const data = await this._query(`${QUERIES.neighborhood} ${NODE} ${EDGE}`, vars);
      const nodes = new Map(this._graph.nodes.map((n) => [n.id, n]));
      const edges = new Map(this._graph.edges.map((e) => [e.id, e]));
      const before = nodes.size;
      data.g.nodes.forEach((n) => nodes.has(n.id) || nodes.set(n.id, n));
      data.g.edges.forEach((e) => edges.has(e.id) || edges.set(e.id, e));
      await this._draw({ nodes: [...nodes.values()], edges: [...edges.values()], truncated: this._graph.truncated, complete: this._complete });
      this._status(`${nodes.size - before} entities added around ${nodes.get(id)?.name ?? id}`);
      this.select(id);
      this._emit('kg-load', { graph: this._graph });
    } catch (err) {
      this._status(err.message, true);
    }
  }

  /** Shows a relationship's evidence and fires kg-edge-select with { id, edge }. */
  async selectEdge(id) {
    let edge = this._graph.edges.find((e) => e.id === id);
    if (!edge) return;
    if (!edge.evidence) {
      try {
        const data = await this._query(EDGE_EVIDENCE, { id });
        const full = data.node;
        if (full) Object.assign(edge, full, { from: edge.from, to: edge.to });
      } catch (err) {
        this._status(err.message, true);
      }
    }
    this._cy?.elements().unselect();
    this._cy?.getElementById(id).select();
    this._pressed(`[data-edge="${cssEscape(id)}"]`);
    this._showEdge(edge);
    this._emit('kg-edge-select', { id, edge });
  }

  /** Zooms and pans so everything drawn is visible. */
  fit() { this._cy?.fit(undefined, 30); }

  _showEdge(edge) {
    const name = (id) => this._graph.nodes.find((n) => n.id === id)?.name ?? id;
    const p = this._$('.panel');
    p.replaceChildren();
    const h = el('h3', `${name(edge.from)} — ${edge.type} → ${name(edge.to)}`);
    p.append(h, el('div', `${edge.confidence.toLowerCase()} (${CONFIDENCE[edge.confidence]?.description ?? ''})` +
      (edge.start ? ` · from ${edge.start}` : '') + (edge.end ? ` to ${edge.end}` : '')));
    if (edge.description) p.append(el('p', edge.description));
    if (edge.claimedBy?.length) p.append(el('div', `Claimed by ${edge.claimedBy.map((c) => c.name).join(', ')}`));
    for (const ev of edge.evidence ?? []) {
      p.append(el('blockquote', `“${ev.quote}”`), el('div', `${ev.source.name}, ${ev.locator}`, 'cite'));
    }
    const close = el('button', 'Close');
    close.type = 'button';
    close.addEventListener('click', () => this._closePanel());
    p.append(close);
    p.hidden = false;
  }

  _closePanel() { this._$('.panel').hidden = true; }

  // The text list of a big graph stays closed, and is built when opened:
  // thousands of rows would cost more than the drawing.
  _renderList() {
    const details = this._$('.list');
    const big = this._graph.nodes.length > BIG_GRAPH;
    if (!this._listChosen) details.open = !big; // until the reader opens or closes it

    this._listStale = true;
    this._$('.list summary').textContent =
      `Shown as text: ${this._graph.nodes.length} entities, ${this._graph.edges.length} relationships`;
    if (details.open) this._fillList();
  }

  _fillList() {
    if (!this._listStale) return;
    this._listStale = false;
    const name = new Map(this._graph.nodes.map((n) => [n.id, n.name]));
    const nodes = [...this._graph.nodes].sort((a, b) => a.name.localeCompare(b.name)).map((n) => {
      const b = el('button', n.name);
      b.type = 'button';
      b.dataset.node = n.id;
      return el('li', [b, ` (${n.kind.toLowerCase()}${n.start ? ', ' + n.start : ''})`]);
    });
    const edges = this._graph.edges.map((e) => {
      const b = el('button', `${name.get(e.from) ?? e.from} — ${e.type} → ${name.get(e.to) ?? e.to}`);
      b.type = 'button';
      b.dataset.edge = e.id;
      return el('li', [b, ` (${e.confidence.toLowerCase()}${e.start ? ', ' + e.start : ''})`]);
    });
    this._$('.list .nodes').replaceChildren(...nodes);
    this._$('.list .edges').replaceChildren(...edges);
  }

  _listClick(e) {
    const b = e.target.closest('button');
    if (!b) return;
    if (b.dataset.node) { this.select(b.dataset.node); this._cy?.animate({ center: { eles: this._cy.getElementById(b.dataset.node) } }, { duration: 200 }); }
    if (b.dataset.edge) this.selectEdge(b.dataset.edge);
  }

  _pressed(sel) {
    this.shadowRoot.querySelectorAll('.list [aria-pressed]').forEach((b) => b.removeAttribute('aria-pressed'));
    this.shadowRoot.querySelector(`.list ${sel}`)?.setAttribute('aria-pressed', 'true');
  }

  _legend() {
    const items = Object.entries(KINDS).map(([kind, [color, shape]]) => {
      const s = el('span', '');
      s.innerHTML = `<svg viewBox="0 0 14 10" aria-hidden="true">${shapeSVG(shape, `var(--kg-color-${kind.toLowerCase()}, ${color})`)}</svg>`;
      s.append(kind.toLowerCase());
      s.title = KIND_DESCRIPTION[kind] ?? '';
      return s;
    });
    for (const [c, st] of Object.entries(CONFIDENCE)) {
      const s = el('span', '');
      s.dataset.confidence = c;
      s.dataset.lineStyle = st.style;
      const dash = { solid: '', dashed: 'stroke-dasharray="4 2"', dotted: 'stroke-dasharray="1 2"' }[st.style];
      const color = { disputed: 'var(--kg-disputed-color, #b00020)', possible: 'var(--kg-possible-color, #5b7fa6)' }[st.color] ??
        'var(--kg-edge-color, #7d7d7d)';
      s.innerHTML = `<svg viewBox="0 0 14 10" aria-hidden="true"><line x1="0" y1="5" x2="14" y2="5" stroke="${color}" stroke-width="${st.width}" ${dash}${st.opacity ? ` stroke-opacity="${st.opacity}"` : ''}/></svg>`;
      s.append(c.toLowerCase());
      s.title = st.description;
      items.push(s);
    }
    this._$('.legend').replaceChildren(...items);
  }

  // The slider spans the years of what was drawn with no as-of, so that it
  // keeps its range while it narrows the graph.
  _updateYearRange() {
    if (this.asOf && this._yearRange) return;
    const years = [...this._graph.nodes, ...this._graph.edges].flatMap((x) => [x.start, x.end])
      .filter(Boolean).map((d) => +d.slice(0, 4));
    if (!years.length) return;
    this._yearRange = [Math.min(...years), Math.max(...years)];
    const range = this._$('.asof input[type=range]');
    [range.min, range.max] = this._yearRange;
    this._showAsOf();
  }

  _showAsOf() {
    const [range, text] = this.shadowRoot.querySelectorAll('.asof input');
    text.value = this.asOf || '';
    range.value = this.asOf ? this.asOf.slice(0, 4) : range.max;
  }

  _toolbar(e) {
    const act = e.target.closest('button')?.dataset.act;
    if (!act || !this._cy) return;
    if (act === 'fit') this.fit();
    if (act === 'in' || act === 'out') this._zoom(act === 'in' ? 1.25 : 0.8);
    if (act === 'all') this.asOf = null;
  }

  _zoom(f) {
    const cy = this._cy;
    cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  // Keyboard: arrows walk the entities in name order, Enter selects, E expands.
  _key(e) {
    const nodes = [...this._graph.nodes].sort((a, b) => a.name.localeCompare(b.name));
    const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (e.key in keys && nodes.length) {
      this._focus = (this._focus + keys[e.key] + nodes.length) % nodes.length;
      const n = nodes[this._focus];
      this._cy.$('.focused').removeClass('focused');
      this._cy.getElementById(n.id).addClass('focused');
      this._announce(`${n.name}, ${n.kind.toLowerCase()}, ${this._focus + 1} of ${nodes.length}`);
    } else if (e.key === 'Enter' && this._focus >= 0) {
      this.select(nodes[this._focus].id);
    } else if ((e.key === 'e' || e.key === 'E') && this._focus >= 0) {
      this.expand(nodes[this._focus].id);
    } else if (e.key === '+' || e.key === '=') this._zoom(1.25);
    else if (e.key === '-') this._zoom(0.8);
    else if (e.key === '0') this.fit();
    else return;
    e.preventDefault();
  }

  _status(text, error = false) {
    const s = this._$('.status');
    s.textContent = text;
    s.classList.toggle('error', error);
  }

  _announce(text) { this._$('.sr').textContent = text; }

  _emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true })); }
}

function intOr(s, def) {
  const n = parseInt(s, 10);
  return Number.isFinite(n) ? n : def;
}

function el(tag, content, className) {
  const e = document.createElement(tag);
  if (Array.isArray(content)) e.append(...content);
  else e.textContent = content;
  if (className) e.className = className;
  return e;
}

function cssEscape(s) { return globalThis.CSS?.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&'); }

function shapeSVG(shape, fill) {
  const shapes = {
    ellipse: '<ellipse cx="7" cy="5" rx="5" ry="4"/>',
    diamond: '<polygon points="7,0 12,5 7,10 2,5"/>',
    hexagon: '<polygon points="3,0 11,0 14,5 11,10 3,10 0,5"/>',
    star: '<polygon points="7,0 8.5,3.5 12,4 9.5,6.5 10,10 7,8 4,10 4.5,6.5 2,4 5.5,3.5"/>',
    vee: '<polygon points="2,0 7,4 12,0 7,10"/>',
    tag: '<polygon points="1,1 10,1 13,5 10,9 1,9"/>',
    'cut-rectangle': '<polygon points="3,1 11,1 13,3 13,7 11,9 3,9 1,7 1,3"/>',
    'round-octagon': '<polygon points="4,0 10,0 13,3 13,7 10,10 4,10 1,7 1,3"/>',
    barrel: '<rect x="1" y="1" width="12" height="8" rx="4" ry="2"/>',
    'round-rectangle': '<rect x="1" y="1" width="12" height="8" rx="2"/>',
    rectangle: '<rect x="1" y="1" width="12" height="8"/>',
  };
  return (shapes[shape] || shapes.ellipse).replace('/>', ` fill="${fill}"/>`);
}

if (!customElements.get('kg-relationship-view')) customElements.define('kg-relationship-view', KgRelationshipView);
