// A curator's form: labelled fields, Check (validateOnly) beside Save, and
// the write service's userErrors shown beside the field their path names,
// in live regions that screen readers announce.

import { APIError, h } from './lib.js';

// fields: { key, label, path (e.g. 'input.description', or several), type
// ('text', 'password', 'textarea', 'select', 'radio', 'readonly'), options
// ([{name, description}]), value, required, help }. run(values,
// validateOnly) sends the mutation and returns its payload; the payload's
// userErrors are put beside the field whose path is theirs (the longest
// that is a prefix of theirs), or at the top of the form when none is.

let formSeq = 0;

export function curatorForm({ name, title, fields, run, submit = 'Save', check = true, onDone }) {
  const uid = `${name}-${++formSeq}`;
  const byKey = new Map();
  const rows = fields.map((f) => {
    const id = `${uid}-${f.key}`;
    const errId = `${id}-error`;
    const described = [f.help && `${id}-help`, errId].filter(Boolean).join(' ');
    let control;
    if (f.type === 'textarea') {
      control = h('textarea', { id, name: f.key, rows: f.rows || 3, required: f.required, 'aria-describedby': described });
      control.value = f.value ?? '';
    } else if (f.type === 'select') {
      control = h('select', { id, name: f.key, required: f.required, 'aria-describedby': described },
        f.optional ? h('option', { value: '' }, '—') : null,
        f.options.map((o) => h('option', { value: o.name, title: o.description, selected: o.name === f.value }, o.label || o.name)));
    } else if (f.type === 'radio') {
      control = h('div', { role: 'radiogroup', id, 'aria-labelledby': `${id}-label`, 'aria-describedby': described },
        f.options.map((o) => h('label', { class: 'choice', title: o.description },
          h('input', { type: 'radio', name: f.key, value: o.name, checked: o.name === (f.value ?? f.options[0].name) }),
          ` ${o.label || o.name}`)));
    } else if (f.type === 'readonly') {
      control = h('output', { id, name: f.key, 'aria-describedby': described }, String(f.value));
    } else {
      control = h('input', { id, name: f.key, type: f.type || 'text', value: f.value ?? '', required: f.required,
        autocomplete: f.type === 'password' ? 'off' : null, list: f.list, 'aria-describedby': described });
    }
    const error = h('p', { class: 'field-error', id: errId, 'aria-live': 'polite' });
    const label = f.type === 'radio'
      ? h('span', { class: 'label', id: `${id}-label` }, f.label)
      : h('label', { for: id, class: 'label' }, f.label);
    const row = h('div', { class: 'field', 'data-field': f.key }, label, control,
      f.help ? h('p', { class: 'help muted', id: `${id}-help` }, f.help) : null, error);
    byKey.set(f.key, { spec: f, control, error, row });
    return row;
  });
  const top = h('p', { class: 'form-error', role: 'alert' });
  const status = h('p', { class: 'form-status', role: 'status' });
  const el = h('form', { class: 'curate', 'data-form': name, 'aria-labelledby': title ? `${uid}-title` : null, novalidate: true },
    title ? h('h3', { id: `${uid}-title` }, title) : null, top, rows, status,
    h('div', { class: 'actions' },
      check ? h('button', { type: 'button', class: 'check', onclick: () => go(true) }, 'Check') : null,
      h('button', { type: 'submit', class: 'save' }, submit)));
  el.addEventListener('submit', (e) => { e.preventDefault(); go(false); });

  const values = () => {
    const fd = new FormData(el);
    return Object.fromEntries(fields.map((f) => [f.key, f.type === 'readonly' ? f.value : (fd.get(f.key) ?? '')]));
  };

  function clear() {
    top.textContent = '';
    status.textContent = '';
    for (const { control, error, row } of byKey.values()) {
      error.textContent = '';
      control.removeAttribute('aria-invalid');
      row.classList.remove('invalid');
    }
  }

  function fieldFor(path) {
    const p = path.join('.');
    let best = null, len = -1;
    for (const entry of byKey.values()) {
      for (const fp of [].concat(entry.spec.path || entry.spec.key)) {
        if ((p === fp || p.startsWith(`${fp}.`)) && fp.length > len) { best = entry; len = fp.length; }
      }
    }
    return best;
  }

  function showErrors(errors, payload) {
    for (const ue of errors) {
      let msg = `${ue.message} (${ue.code})`;
      if (ue.code === 'VERSION_CONFLICT' && payload?.version != null) {
        msg += ` The current version is ${payload.version}: reload the page to see what changed, then edit that.`;
      }
      const entry = fieldFor(ue.path || []);
      if (entry) {
        entry.error.textContent = entry.error.textContent ? `${entry.error.textContent} ${msg}` : msg;
        entry.control.setAttribute('aria-invalid', 'true');
        entry.row.classList.add('invalid');
      } else {
        top.textContent = top.textContent ? `${top.textContent} ${msg}` : msg;
      }
    }
    const first = [...byKey.values()].find((e) => e.error.textContent);
    (first?.control.querySelector?.('input') || first?.control)?.focus?.();
    el.dataset.state = 'invalid';
  }

  let busy = false;
  async function go(validateOnly) {
    if (busy) return;
    busy = true;
    clear();
    el.dataset.state = 'busy';
    const v = values();
    const missing = fields.filter((f) => f.required && !String(v[f.key]).trim());
    try {
      if (missing.length) {
        showErrors(missing.map((f) => ({ path: [].concat(f.path || f.key)[0].split('.'), code: 'REQUIRED', message: `${f.label} is needed.` })));
        return;
      }
      const payload = await run(v, validateOnly);
      if (payload?.nothing) {
        status.textContent = payload.nothing;
        el.dataset.state = 'unchanged';
      } else if (payload?.userErrors?.length) {
        showErrors(payload.userErrors, payload);
      } else if (validateOnly) {
        status.textContent = 'Checked: every check passes. Nothing was written.';
        el.dataset.state = 'checked';
      } else {
        el.dataset.state = 'saved';
        onDone?.(payload, v);
      }
    } catch (err) {
      top.textContent = describe(err);
      el.dataset.state = 'failed';
    } finally {
      busy = false;
    }
  }
  return { el };
}

// What a refused request means, in words a curator can act on.
function describe(err) {
  if (err instanceof APIError) {
    if (err.code === 'FORBIDDEN') return `FORBIDDEN: ${err.message}. This key may read but not write; writes need a key with the curator role.`;
    if (err.code === 'UNAUTHENTICATED') return `UNAUTHENTICATED: the key was refused (${err.message}). Sign out and sign in with a valid key.`;
  }
  return err.message;
}

