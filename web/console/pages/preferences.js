// Preferences: GET/PUT /api/v1/activity/preferences. Metric and dimension names are offered
// from the connection's catalog (or, without one, from the user's learned patterns), plus free
// text for others; the server's 422 message is shown next to the field its `field` names.
import { api, describeError } from '../api.js';
import { h, mount, fieldError, showFieldError, toast, when } from '../dom.js';
import { catalogTerms, chosenConnection, knownConnections, defaultConnection } from '../connections.js';

const QUERY_TYPES = [
  ['comparison', 'Comparison'],
  ['trend', 'Trend'],
  ['ranking', 'Ranking'],
  ['aggregation', 'Aggregation'],
];
const LIST_FIELDS = ['preferred_metrics', 'excluded_metrics', 'preferred_dimensions'];

/** The field a server error names, without its index or member: excluded_metrics[2] → excluded_metrics. */
export function baseField(field) {
  return String(field || '').replace(/\[.*$/, '').split('.')[0];
}

export function renderPreferences(main, { session }) {
  let prefs = null;
  let terms = { metrics: [], dimensions: [], source: '' };
  const errors = {};
  const controls = {};
  const formError = h('p', { class: 'form-error', id: 'prefs-form-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'status', id: 'prefs-status', role: 'status' });
  const connInput = h('input', { id: 'prefs-connection', list: 'prefs-connection-list', autocomplete: 'off', spellcheck: 'false' });
  const connList = h('datalist', { id: 'prefs-connection-list' });
  const termsNote = h('p', { class: 'help', id: 'prefs-terms-note' });
  const body = h('div', { id: 'prefs-body' }, h('p', { class: 'status', text: 'Loading…' }));
  const save = h('button', { type: 'submit', class: 'primary', id: 'prefs-save', text: 'Save preferences' });
  const form = h('form', { class: 'card prefs', id: 'prefs-form', novalidate: true }, body, formError, h('div', { class: 'actions' }, save), status);

  function errorArea(name, control) {
    errors[name] = fieldError(control, `prefs-error-${name}`);
    errors[name].dataset.field = name;
    return errors[name];
  }

  function checkboxGroup(name, legend, options, selected, help) {
    const idBase = `prefs-${name}`;
    const boxes = options.map(([value, label]) => {
      const id = `${idBase}-${value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      return h('span', { class: 'check' },
        h('input', { type: 'checkbox', id, name, value, checked: selected.includes(value) }),
        h('label', { for: id, text: label }));
    });
    const fieldset = h('fieldset', { class: 'group', id: idBase, 'data-field': name },
      h('legend', { text: legend }),
      help ? h('p', { class: 'help', text: help }) : null,
      h('div', { class: 'checks' }, boxes.length ? boxes : h('span', { class: 'help', text: 'No names known; type them below.' })));
    controls[name] = fieldset;
    return fieldset;
  }

  function listField(name, legend, known, selected) {
    const knownNames = known.map((t) => t.name);
    const options = known.map((t) => [t.name, t.label === t.name ? t.name : `${t.label} (${t.name})`]);
    for (const v of selected) if (!knownNames.includes(v)) options.push([v, v]);
    const fieldset = checkboxGroup(name, legend, options, selected);
    const other = h('input', { id: `prefs-${name}-other`, type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-other': name });
    fieldset.append(h('div', { class: 'field' }, h('label', { for: other.id, text: 'Others, comma separated' }), other));
    fieldset.append(errorArea(name, other));
    return fieldset;
  }

  function listValue(name) {
    const checked = [...form.querySelectorAll(`input[type="checkbox"][name="${name}"]:checked`)].map((i) => i.value);
    const other = form.querySelector(`[data-other="${name}"]`);
    const extra = other ? other.value.split(',').map((s) => s.trim()).filter(Boolean) : [];
    return [...checked, ...extra];
  }

  function draw() {
    const p = prefs;
    const types = checkboxGroup('preferred_query_types', 'Preferred kinds of question', QUERY_TYPES, p.preferred_query_types || [],
      'Suggestions of these kinds come first.');
    types.append(errorArea('preferred_query_types', types));
    const advanced = h('input', { type: 'checkbox', id: 'prefs-show_advanced_queries', checked: p.show_advanced_queries });
    controls.show_advanced_queries = advanced;
    const max = h('input', { type: 'number', id: 'prefs-max_suggestions', min: '1', max: '12', step: '1', inputmode: 'numeric', value: String(p.max_suggestions ?? 6) });
    controls.max_suggestions = max;
    mount(body,
      h('div', { class: 'field inline' }, h('label', { for: connInput.id, text: 'Names from connection' }), connInput, connList),
      termsNote,
      types,
      listField('preferred_metrics', 'Preferred metrics', terms.metrics, p.preferred_metrics || []),
      listField('excluded_metrics', 'Excluded metrics (never suggested)', terms.metrics, p.excluded_metrics || []),
      listField('preferred_dimensions', 'Preferred dimensions', terms.dimensions, p.preferred_dimensions || []),
      h('div', { class: 'field check-field' }, advanced, h('label', { for: advanced.id, text: 'Show advanced (multi-step) questions' }),
        errorArea('show_advanced_queries', advanced)),
      h('div', { class: 'field' }, h('label', { for: max.id, text: 'How many suggestions (1–12)' }), max,
        errorArea('max_suggestions', max)),
      p.updated_at && p.version > 0 ? h('p', { class: 'help', text: `Last saved ${when(p.updated_at)}.` }) : null);
    termsNote.textContent = terms.source === 'catalog'
      ? 'Metric and dimension names come from the connection\'s catalog.'
      : 'This connection has no catalog: the names offered are those in your own learned questions. Type any others.';
  }

  async function loadTerms() {
    try {
      terms = await catalogTerms(connInput.value.trim());
    } catch (e) {
      if (e.sessionEnded) throw e;
      terms = { metrics: [], dimensions: [], source: 'none' };
    }
  }

  async function load() {
    try {
      const list = await knownConnections().catch((e) => { if (e.sessionEnded) throw e; return []; });
      mount(connList, list.map((c) => h('option', { value: c.id, text: c.name })));
      connInput.value = chosenConnection() || defaultConnection(list);
      prefs = await api('GET', '/api/v1/activity/preferences');
      await loadTerms();
      draw();
    } catch (e) {
      if (!e.sessionEnded) mount(body, h('p', { class: 'form-error', role: 'alert', text: 'Could not load your preferences: ' + describeError(e) }));
    }
  }

  connInput.addEventListener('change', async () => {
    if (!prefs) return;
    // Keep what is ticked or typed: redraw with the current choices as the selection.
    prefs = { ...prefs, ...collect() };
    for (const name of LIST_FIELDS) prefs[name] = listValue(name);
    try {
      await loadTerms();
      draw();
    } catch { /* the session ended */ }
  });

  function collect() {
    const out = {
      preferred_query_types: [...form.querySelectorAll('input[name="preferred_query_types"]:checked')].map((i) => i.value),
      show_advanced_queries: controls.show_advanced_queries.checked,
    };
    for (const name of LIST_FIELDS) out[name] = listValue(name);
    const raw = controls.max_suggestions.value.trim();
    out.max_suggestions = raw === '' ? NaN : Number(raw);
    return out;
  }

  function clearErrors() {
    for (const [name, el] of Object.entries(errors)) showFieldError(el, '', controls[name]);
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    formError.hidden = true;
    status.textContent = '';
  }

  /** The control holding the value a field like excluded_metrics[2] names, if any. */
  function controlFor(field, update) {
    const m = /^(\w+)\[(\d+)\]/.exec(field || '');
    if (!m || !LIST_FIELDS.includes(m[1])) return null;
    const value = update[m[1]][Number(m[2])];
    const checkbox = [...form.querySelectorAll(`input[type="checkbox"][name="${m[1]}"]`)].find((i) => i.value === value && i.checked);
    return checkbox || form.querySelector(`[data-other="${m[1]}"]`);
  }

  function showError(field, message, update = {}) {
    const name = baseField(field);
    const el = errors[name];
    if (el) {
      showFieldError(el, message, controls[name]);
      const exact = controlFor(field, update);
      if (exact) exact.setAttribute('aria-invalid', 'true');
      const focusable = exact || (controls[name].matches('input') ? controls[name] : controls[name].querySelector('input'));
      focusable?.focus();
    } else {
      formError.textContent = message;
      formError.hidden = false;
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!prefs) return;
    clearErrors();
    const update = collect();
    if (!Number.isInteger(update.max_suggestions) || update.max_suggestions < 1 || update.max_suggestions > 12) {
      showError('max_suggestions', 'Choose a whole number from 1 to 12.');
      return;
    }
    save.disabled = true;
    try {
      const r = await api('PUT', '/api/v1/activity/preferences', { body: update });
      prefs = r.preferences || prefs;
      draw();
      status.textContent = 'Saved. New suggestions follow these preferences at once.';
      toast('Preferences saved');
    } catch (err) {
      if (err.sessionEnded) return;
      let message = describeError(err);
      const m = /^(\w+)\[(\d+)\]/.exec(err.field || '');
      if (m && Array.isArray(update[m[1]])) {
        const v = String(update[m[1]][Number(m[2])] ?? '');
        if (v) message += ` (“${v.length > 40 ? v.slice(0, 40) + '…' : v}”)`;
      }
      showError(err.field, message, update);
    } finally {
      save.disabled = false;
    }
  });

  mount(main,
    h('h1', { text: 'Preferences' }),
    h('p', { class: 'lead', text: 'Shape the suggestions you get on the Ask page.' }),
    form);
  load();
}
