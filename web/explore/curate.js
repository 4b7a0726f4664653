// The curator's side of the explorer: sign in with an API key, edit an
// entity or a relationship, add evidence, add a source, retract, and read
// an entity's history. Every write is one mutation of schema/curation.graphqls;
// what the write service refuses comes back as userErrors { path code
// message } and is shown beside the field its path names. Nothing here is
// drawn for a visitor who has not signed in, except the history, which is
// a read like any other.

import { CONFIDENCE_INFO, RELATION_TYPE_INFO } from '/embed/kg-relationship-view.js';
import { APIError, gql, h, link, navigate, session, show } from './lib.js';
import { curatorForm } from './form.js';

const UPSERT_ENTITY = `mutation CurateEntity($input: UpsertEntityInput!, $expectedVersion: Int!, $reason: String, $validateOnly: Boolean) {
  upsertEntity(input: $input, expectedVersion: $expectedVersion, reason: $reason, validateOnly: $validateOnly) {
    version change { id } userErrors { path code message } }
}`;

const UPSERT_RELATIONSHIP = `mutation CurateRelationship($input: UpsertRelationshipInput!, $expectedVersion: Int!, $reason: String, $validateOnly: Boolean) {
  upsertRelationship(input: $input, expectedVersion: $expectedVersion, reason: $reason, validateOnly: $validateOnly) {
    version change { id } userErrors { path code message } }
}`;

const ADD_EVIDENCE = `mutation CurateEvidence($input: AddEvidenceInput!, $expectedVersion: Int, $reason: String, $validateOnly: Boolean) {
  addEvidence(input: $input, expectedVersion: $expectedVersion, reason: $reason, validateOnly: $validateOnly) {
    version change { id } userErrors { path code message } }
}`;

const ADD_SOURCE = `mutation CurateSource($input: AddSourceInput!, $reason: String, $validateOnly: Boolean) {
  addSource(input: $input, reason: $reason, validateOnly: $validateOnly) {
    source { id slug version } change { id } userErrors { path code message } }
}`;

const RETRACT = `mutation CurateRetract($id: ID!, $reason: String!, $expectedVersion: Int!, $validateOnly: Boolean) {
  retract(id: $id, reason: $reason, expectedVersion: $expectedVersion, validateOnly: $validateOnly) {
    version change { id } userErrors { path code message } }
}`;

// Stance and Reliability are the API's own enums: read from it, with their
// descriptions, rather than copied here. The sources feed the source field's
// suggestions.
const VOCABULARY = `query CuratorVocabulary {
  stance: __type(name: "Stance") { enumValues { name description } }
  reliability: __type(name: "Reliability") { enumValues { name description } }
  sources { id title }
}`;

const SOURCE = `query CuratorSource($id: ID!) {
  source(id: $id) { id slug title author publisher date url reliability version paragraphs }
}`;

// A cheap read sent with the key: a wrong or revoked key is refused (401)
// before the curator types an edit.
const CHECK_KEY = `query CuratorSignIn { __typename }`;

let vocabulary = null;
async function vocab() {
  vocabulary ??= gql(VOCABULARY).catch((err) => { vocabulary = null; throw err; });
  return vocabulary;
}

// A message for the next page drawn: what the last write did.
let flash = null;
export function takeFlash() {
  const f = flash;
  flash = null;
  return f && h('p', { class: 'flash', role: 'status' }, f);
}

// --- The header: sign in, or who is signed in and sign out.

export function drawSession() {
  const slot = document.getElementById('session');
  if (!slot) return;
  if (!session.signedIn) {
    const next = location.pathname + location.search;
    slot.replaceChildren(link(`/explore/sign-in?next=${encodeURIComponent(next)}`, 'Curator sign-in'));
    return;
  }
  slot.replaceChildren(link('/explore/sources/new', 'Add a source'),
    h('button', { type: 'button', class: 'sign-out', onclick: () => {
      session.signOut();
      vocabulary = null;
      navigate(location.pathname + location.search, { replace: true });
    } }, 'Sign out'));
}

export function signInPage(next) {
  const f = curatorForm({
    name: 'sign-in', submit: 'Sign in', check: false,
    fields: [{ key: 'key', label: 'API key', type: 'password', required: true,
      help: 'An administrator makes one with: server keys create -role curator. It is kept for this tab only, until you sign out or close the tab.' }],
    async run(values) {
      session.signIn(values.key.trim());
      try {
        await gql(CHECK_KEY);
      } catch (err) {
        session.signOut();
        if (err instanceof APIError && err.code === 'UNAUTHENTICATED') {
          return { userErrors: [{ path: ['key'], code: err.code, message: 'This key was refused: it is wrong, revoked or expired.' }] };
        }
        throw err;
      }
      navigate(next && next.startsWith('/explore') ? next : '/explore/', { replace: true });
      return { done: true };
    },
  });
  show('Sign in', h('h1', {}, 'Curator sign-in'),
    h('p', { class: 'muted' }, 'Curators add sources and claims with their evidence, change them and retract them. A key of the reader role can sign in but every write is refused (FORBIDDEN).'),
    f.el);
  f.el.querySelector('input').focus();
}

// Only what the curator changed is sent: a field left out keeps its value,
// and an emptied field is sent as "" (which clears it).
function changed(values, original, keys) {
  const out = {};
  for (const k of keys) {
    if ((values[k] ?? '') !== (original[k] ?? '')) out[k] = values[k];
  }
  return out;
}

const versionField = (version) => ({ key: 'expectedVersion', label: 'Version you read', type: 'readonly', value: version, path: 'expectedVersion' });
const reasonField = (required = false) => ({ key: 'reason', label: required ? 'Reason (kept in the history)' : 'Reason (for the history)', path: 'reason', required });
const confidenceOptions = () => CONFIDENCE_INFO.map((c) => ({ name: c.name, description: c.description }));

// After a write: say what it did on the page drawn next.
function saved(what) {
  return (payload) => {
    flash = `${what}: now version ${payload.version}${payload.change ? ` (${payload.change.id})` : ''}.`;
    navigate(location.pathname + location.search, { replace: true });
  };
}

function evidenceFields(v, prefix) {
  const p = (k) => `${prefix}.${k}`;
  return [
    { key: 'source', label: 'Source (its id)', path: p('source'), required: true, list: 'kg-sources',
      help: 'A source already added: the brief is us-china-cybersecurity-brief.' },
    { key: 'locator', label: 'Paragraph (¶12 or 12)', path: p('locator'), required: true },
    { key: 'quote', label: 'Quote, copied exactly from that paragraph', path: p('quote'), type: 'textarea', required: true },
    { key: 'stance', label: 'Stance', path: p('stance'), type: 'radio', options: v.stance.enumValues },
  ];
}

const evidenceInput = (values) => ({ source: values.source.trim(), locator: values.locator.trim(), quote: values.quote, stance: values.stance });

// The sources' ids, as suggestions for every source field of the page.
function sourceList(v) {
  return h('datalist', { id: 'kg-sources' }, v.sources.map((s) => h('option', { value: s.id }, s.title)));
}

// --- An entity's curation: edit, add evidence, add a relationship, retract.

export async function entityCuration(e) {
  const v = await vocab();
  const keys = ['name', 'aliases', 'description', 'start', 'end'];
  const original = { ...e, aliases: e.aliases.join('\n'), start: e.start ?? '', end: e.end ?? '' };
  const edit = curatorForm({
    name: 'entity', title: 'Edit this entity',
    fields: [
      { key: 'name', label: 'Name', path: 'input.name', value: original.name, required: true },
      { key: 'aliases', label: 'Aliases (one a line)', path: 'input.aliases', type: 'textarea', value: original.aliases },
      { key: 'description', label: 'Description', path: 'input.description', type: 'textarea', value: original.description },
      { key: 'start', label: 'Start (2014, 2015-09 or 2015-09-25)', path: 'input.start', value: original.start },
      { key: 'end', label: 'End', path: 'input.end', value: original.end },
      versionField(e.version), reasonField(),
    ],
    async run(values, validateOnly) {
      const input = changed(values, original, keys);
      if (!Object.keys(input).length) return { nothing: 'Nothing changed: no field differs from what you read.' };
      if ('aliases' in input) input.aliases = input.aliases.split('\n').map((a) => a.trim()).filter(Boolean);
      const data = await gql(UPSERT_ENTITY, { input: { id: e.id, ...input }, expectedVersion: e.version, reason: values.reason || null, validateOnly });
      return data.upsertEntity;
    },
    onDone: saved('Saved'),
  });

  const evidence = curatorForm({
    name: 'entity-evidence', title: 'Add evidence for this entity',
    fields: [...evidenceFields(v, 'input'), versionField(e.version), reasonField()],
    async run(values, validateOnly) {
      const data = await gql(ADD_EVIDENCE, { input: { target: e.id, ...evidenceInput(values) }, expectedVersion: e.version, reason: values.reason || null, validateOnly });
      return data.addEvidence;
    },
    onDone: saved('Evidence added'),
  });

  const relationship = curatorForm({
    name: 'new-relationship', title: 'Add a relationship',
    fields: [
      { key: 'direction', label: 'Direction', type: 'radio',
        options: [{ name: 'OUT', label: `${e.name} → the other entity` }, { name: 'IN', label: `the other entity → ${e.name}` }] },
      { key: 'type', label: 'Type', type: 'select', path: 'input.type', required: true,
        options: RELATION_TYPE_INFO.map((t) => ({ name: t.name, description: t.description })) },
      { key: 'other', label: 'The other entity (its id)', path: ['input.from', 'input.to'], required: true },
      { key: 'confidence', label: 'Confidence', type: 'select', path: 'input.confidence', options: confidenceOptions(), value: 'REPORTED' },
      { key: 'description', label: 'Description', path: 'input.description' },
      { key: 'start', label: 'Start', path: 'input.start' },
      ...evidenceFields(v, 'input.evidence.0'), reasonField(),
    ],
    async run(values, validateOnly) {
      const [from, to] = values.direction === 'IN' ? [values.other.trim(), e.id] : [e.id, values.other.trim()];
      const input = { type: values.type, from, to, confidence: values.confidence, evidence: [evidenceInput(values)] };
      if (values.description) input.description = values.description;
      if (values.start) input.start = values.start;
      const data = await gql(UPSERT_RELATIONSHIP, { input, expectedVersion: 0, reason: values.reason || null, validateOnly });
      return data.upsertRelationship;
    },
    onDone: saved('Relationship added'),
  });

  const retract = retractForm(e.id, e.version, 'this entity (and its relationships)', () => {
    flash = `Retracted ${e.name}: default reads no longer return it; its history and your reason stay.`;
    navigate('/explore/', { replace: true });
  });

  return h('section', { class: 'curation', 'aria-labelledby': 'curation-title' },
    h('h2', { id: 'curation-title' }, 'Curate'), sourceList(v),
    h('p', { class: 'muted' }, 'Changes are checked against the graph as it stands: Check runs every check and writes nothing. Need a new source first? ',
      link('/explore/sources/new', 'Add a source'), '.'),
    edit.el, evidence.el, relationship.el, retract.el);
}

function retractForm(id, version, what, onDone) {
  return curatorForm({
    name: 'retract', title: `Retract ${what}`, submit: 'Retract',
    fields: [versionField(version), reasonField(true)],
    async run(values, validateOnly) {
      const data = await gql(RETRACT, { id, reason: values.reason, expectedVersion: version, validateOnly });
      return data.retract;
    },
    onDone,
  }).el;
}

// One relationship's curation, folded under it: edit, add evidence, retract.
export async function relationshipCuration(r) {
  const v = await vocab();
  const keys = ['confidence', 'description', 'start', 'end'];
  const original = { confidence: r.confidence, description: r.description, start: r.start ?? '', end: r.end ?? '' };
  const edit = curatorForm({
    name: 'relationship', title: 'Edit this relationship',
    fields: [
      { key: 'confidence', label: 'Confidence', type: 'select', path: 'input.confidence', options: confidenceOptions(), value: r.confidence },
      { key: 'description', label: 'Description', path: 'input.description', type: 'textarea', value: original.description },
      { key: 'start', label: 'Start', path: 'input.start', value: original.start },
      { key: 'end', label: 'End', path: 'input.end', value: original.end },
      versionField(r.version), reasonField(),
    ],
    async run(values, validateOnly) {
      const input = changed(values, original, keys);
      if (!Object.keys(input).length) return { nothing: 'Nothing changed: no field differs from what you read.' };
      const data = await gql(UPSERT_RELATIONSHIP, { input: { id: r.id, type: r.type, from: r.from.id, to: r.to.id, ...input },
        expectedVersion: r.version, reason: values.reason || null, validateOnly });
      return data.upsertRelationship;
    },
    onDone: saved('Relationship saved'),
  });
  const evidence = curatorForm({
    name: 'evidence', title: 'Add evidence',
    fields: [...evidenceFields(v, 'input'), versionField(r.version), reasonField()],
    async run(values, validateOnly) {
      const data = await gql(ADD_EVIDENCE, { input: { target: r.id, ...evidenceInput(values) }, expectedVersion: r.version, reason: values.reason || null, validateOnly });
      return data.addEvidence;
    },
    onDone: saved('Evidence added'),
  });
  const retract = retractForm(r.id, r.version, 'this relationship', saved('Relationship retracted'));
  return h('details', { class: 'curate-relationship', 'data-relationship': r.id },
    h('summary', {}, `Curate this relationship (version ${r.version})`), edit.el, evidence.el, retract);
}

// --- History: every version, oldest first.

export function historySection(versions) {
  return h('section', { class: 'history', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'),
    // A graph loaded whole (the seed into an empty database) records no versions until the first edit.
    !versions.length ? h('p', { class: 'muted' }, 'No edits recorded: it is as it was loaded, before record time began.') : h('table', {},
      h('thead', {}, h('tr', {}, ['Version', 'Recorded', 'Who', 'Why', 'What'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, versions.map((ver) => h('tr', { 'data-version': ver.version },
        h('td', {}, String(ver.version)),
        h('td', {}, ver.recordedAt ? h('time', { datetime: ver.recordedAt }, new Date(ver.recordedAt).toLocaleString()) : 'before record time'),
        h('td', {}, ver.actor.name ? `${ver.actor.name} (${ver.actor.role})` : ver.actor.role || '—'),
        h('td', {}, ver.reason || '—'),
        h('td', {}, `${ver.op.toLowerCase()}${ver.fields.length ? `: ${ver.fields.join(', ')}` : ''}${ver.retracted ? ' (retracted)' : ''}`))))));
}

// --- Sources: add one, read one.

export async function newSourcePage() {
  if (!session.signedIn) {
    show('Add a source', h('h1', {}, 'Add a source'), h('p', {}, 'Curators add sources: ',
      link(`/explore/sign-in?next=${encodeURIComponent('/explore/sources/new')}`, 'sign in'), ' first.'));
    return;
  }
  const v = await vocab();
  const preview = h('ol', { class: 'paragraphs', 'aria-live': 'polite' });
  const f = curatorForm({
    name: 'source', title: null, submit: 'Add the source',
    fields: [
      { key: 'id', label: 'Id (a slug: lowercase letters, digits and single dashes)', path: 'input.id', required: true },
      { key: 'title', label: 'Title', path: 'input.title', required: true },
      { key: 'author', label: 'Author', path: 'input.author' },
      { key: 'publisher', label: 'Publisher', path: 'input.publisher' },
      { key: 'date', label: 'Date (2016, 2016-05 or 2016-05-12)', path: 'input.date' },
      { key: 'url', label: 'URL', path: 'input.url' },
      { key: 'reliability', label: 'Reliability', type: 'select', path: 'input.reliability', options: v.reliability.enumValues, value: 'UNKNOWN' },
      { key: 'text', label: 'Text (pasted; each non-empty line is a paragraph, ¶1 first)', path: 'input.text', type: 'textarea', rows: 10, required: true },
      reasonField(),
    ],
    async run(values, validateOnly) {
      const input = { id: values.id.trim(), title: values.title, text: values.text, reliability: values.reliability };
      for (const k of ['author', 'publisher', 'date', 'url']) if (values[k].trim()) input[k] = values[k].trim();
      const data = await gql(ADD_SOURCE, { input, reason: values.reason || null, validateOnly });
      return data.addSource;
    },
    onDone: (payload) => {
      vocabulary = null; // the new source is one to cite now
      flash = `Source added: ${payload.source.id}${payload.change ? ` (${payload.change.id})` : ''}. Cite it by paragraph from any entity's page.`;
      navigate(`/explore/source/${encodeURIComponent(payload.source.slug)}`);
    },
  });
  const text = f.el.querySelector('textarea[name=text]');
  const draw = () => preview.replaceChildren(...paragraphs(text.value).map((p) => h('li', {}, p)));
  text.addEventListener('input', draw);
  show('Add a source', h('h1', {}, 'Add a source'),
    h('p', { class: 'muted' }, 'A document the graph can quote. Evidence cites it by paragraph, and a quote must be found in the paragraph it cites.'),
    f.el, h('h2', {}, 'Its paragraphs, as they will be cited'), preview);
}

// As the server splits a source: its non-empty lines.
const paragraphs = (text) => text.split(/\r?\n/).filter((l) => l.trim() !== '');

export async function sourcePage(id) {
  const { source: s } = await gql(SOURCE, { id });
  if (!s) throw new Error(`no source with id "${id}"`);
  show(s.title, takeFlash(), h('h1', {}, s.title, ' ', h('span', { class: 'kind' }, 'source')),
    h('p', { class: 'muted' }, [s.author, s.publisher, s.date, `reliability ${s.reliability.toLowerCase()}`, `version ${s.version}`].filter(Boolean).join(' · ')),
    // A link only to the web: a javascript: or data: URL a curator typed is shown as text, never followed.
    s.url ? h('p', {}, /^https?:\/\//i.test(s.url) ? h('a', { href: s.url, rel: 'noopener noreferrer' }, s.url) : s.url) : null,
    h('p', {}, 'Its entity: ', link(`/explore/entity/${encodeURIComponent(s.slug)}`, s.slug)),
    h('ol', { class: 'paragraphs' }, s.paragraphs.map((p, i) => h('li', { id: `p${i + 1}` }, h('span', { class: 'muted' }, `¶${i + 1} `), p))));
}
