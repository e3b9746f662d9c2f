// Admin pages: users (create, reset a password), connection catalogs (list, view, edit as JSON)
// and the stats dashboard (Chart.js, loaded as the global `Chart` from /vendor).
import { api, describeError } from '../api.js';
import { h, mount, table, when, fieldError, showFieldError, toast } from '../dom.js';
import { baseField } from './preferences.js';

// ---------------------------------------------------------------- users

function textField(id, label, attrs = {}) {
  const input = h('input', { id, name: id.replace(/^.*?-/, ''), type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const err = fieldError(input, id + '-error');
  return { input, err, el: h('div', { class: 'field' }, h('label', { for: id, text: label }), input, err) };
}

export function renderUsers(main) {
  // Create a user.
  const f = {
    id: textField('user-id', 'User id', { required: true, autocapitalize: 'none' }),
    username: textField('user-username', 'Username (optional, defaults to the id)', { autocapitalize: 'none' }),
    password: textField('user-password', 'Password (at least 8 characters)', { type: 'password', autocomplete: 'new-password', required: true }),
    role: textField('user-role', 'Role (e.g. analyst, trader, executive)', { required: true }),
    department: textField('user-department', 'Department (optional)'),
    goals: textField('user-goals', 'Goals (optional, comma separated)'),
  };
  const isAdmin = h('input', { type: 'checkbox', id: 'user-is_admin' });
  const createError = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'user-create-error' });
  const createStatus = h('p', { class: 'status', role: 'status', id: 'user-create-status' });
  const create = h('form', { class: 'card', id: 'user-create', novalidate: true },
    h('h2', { text: 'Create a user' }),
    Object.values(f).map((x) => x.el),
    h('div', { class: 'field check-field' }, isAdmin, h('label', { for: isAdmin.id, text: 'Administrator' })),
    createError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Create user' })),
    createStatus);
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const x of Object.values(f)) showFieldError(x.err, '', x.input);
    createError.hidden = true;
    createStatus.textContent = '';
    const body = { id: f.id.input.value.trim(), password: f.password.input.value, role: f.role.input.value.trim(), is_admin: isAdmin.checked };
    if (f.username.input.value.trim()) body.username = f.username.input.value.trim();
    if (f.department.input.value.trim()) body.department = f.department.input.value.trim();
    const goals = f.goals.input.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (goals.length) body.goals = goals;
    try {
      const u = await api('POST', '/api/v1/users', { body });
      createStatus.textContent = `Created ${u.id} (${u.role}${u.is_admin ? ', admin' : ''}).`;
      create.reset();
      toast('User created');
      loadAudit();
    } catch (err) {
      if (err.sessionEnded) return;
      const target = f[baseField(err.field)] || (err.status === 409 ? f.id : null);
      if (target) {
        showFieldError(target.err, describeError(err), target.input);
        target.input.focus();
      } else {
        createError.textContent = describeError(err);
        createError.hidden = false;
      }
    }
  });

  // Reset a password.
  const r = {
    id: textField('reset-id', 'User id', { required: true, autocapitalize: 'none' }),
    password: textField('reset-password', 'New password (at least 8 characters)', { type: 'password', autocomplete: 'new-password', required: true }),
  };
  const resetError = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'reset-error' });
  const resetStatus = h('p', { class: 'status', role: 'status', id: 'reset-status' });
  const reset = h('form', { class: 'card', id: 'user-reset', novalidate: true },
    h('h2', { text: 'Reset a password' }),
    h('p', { class: 'help', text: 'The user\'s tokens issued before the change stop working at once.' }),
    r.id.el, r.password.el, resetError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Set password' })),
    resetStatus);
  reset.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldError(r.id.err, '', r.id.input);
    showFieldError(r.password.err, '', r.password.input);
    resetError.hidden = true;
    resetStatus.textContent = '';
    const id = r.id.input.value.trim();
    if (!id) { showFieldError(r.id.err, 'Enter the user id.', r.id.input); r.id.input.focus(); return; }
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(id)}/password`, { body: { password: r.password.input.value } });
      resetStatus.textContent = `Password of ${id} changed.`;
      reset.reset();
      loadAudit();
    } catch (err) {
      if (err.sessionEnded) return;
      const target = r[baseField(err.field)] || (err.status === 404 ? r.id : null);
      if (target) showFieldError(target.err, describeError(err), target.input);
      else { resetError.textContent = describeError(err); resetError.hidden = false; }
    }
  });

  const audit = h('div', { id: 'users-audit' });
  async function loadAudit() {
    try {
      const a = await api('GET', '/api/v1/audit', { query: { limit: 50 } });
      const rows = (a.entries || []).filter((x) => x.action !== 'catalog_changed');
      mount(audit, table([
        { label: 'When', value: (x) => when(x.created_at) },
        { label: 'Action', value: (x) => x.action.replace('_', ' ') },
        { label: 'User', value: (x) => x.target },
        { label: 'Role', value: (x) => (x.detail && x.detail.role) || '' },
        { label: 'By', value: (x) => x.actor },
      ], rows, { caption: 'Recent user changes (from the audit trail)', empty: 'No user changes yet.' }));
    } catch (e) {
      if (!e.sessionEnded) mount(audit, h('p', { class: 'form-error', text: 'Could not load the audit trail: ' + describeError(e) }));
    }
  }

  mount(main, h('h1', { text: 'Users' }),
    h('div', { class: 'grid two' }, create, reset),
    h('section', { class: 'card' }, h('h2', { text: 'Recent changes' }), audit));
  loadAudit();
}

// ---------------------------------------------------------------- catalogs

export function renderCatalogs(main) {
  const list = h('div', { id: 'catalogs-list' });
  const idInput = h('input', { id: 'catalog-id', type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
  const idError = fieldError(idInput, 'catalog-id-error');
  const json = h('textarea', { id: 'catalog-json', rows: '18', spellcheck: 'false', class: 'code' });
  const jsonHelp = h('p', { class: 'help', id: 'catalog-json-help', text: 'The catalog as JSON: {"name": ..., "metrics": [{"name", "display_name", "description", "aggregation"}], "dimensions": [{"name", "display_name", "type"}], "entities": [{"name", "display_name"}]}.' });
  json.setAttribute('aria-describedby', jsonHelp.id);
  const jsonError = fieldError(json, 'catalog-json-error');
  const status = h('p', { class: 'status', role: 'status', id: 'catalog-status' });
  const editorTitle = h('h2', { id: 'catalog-editor-title', text: 'New catalog' });
  const editor = h('form', { class: 'card', id: 'catalog-editor', novalidate: true, 'aria-labelledby': editorTitle.id },
    editorTitle,
    h('div', { class: 'field' }, h('label', { for: idInput.id, text: 'Connection id' }), idInput, idError),
    h('div', { class: 'field' }, h('label', { for: json.id, text: 'Catalog JSON' }), json, jsonHelp, jsonError),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'catalog-save', text: 'Save catalog' }),
      h('button', { type: 'button', id: 'catalog-new', text: 'New catalog', onclick: () => openNew() })),
    status);

  const template = { name: 'My database', metrics: [{ name: 'profit', display_name: 'Profit', description: 'Net profit', aggregation: 'sum' }], dimensions: [{ name: 'region', display_name: 'Region', type: 'string' }], entities: [{ name: 'product', display_name: 'Products' }] };

  function clear() {
    showFieldError(idError, '', idInput);
    showFieldError(jsonError, '', json);
    status.textContent = '';
  }
  function openNew() {
    clear();
    editorTitle.textContent = 'New catalog';
    idInput.readOnly = false;
    idInput.value = '';
    json.value = JSON.stringify(template, null, 2);
    idInput.focus();
  }
  async function open(id) {
    clear();
    try {
      const c = await api('GET', '/api/v1/connections/' + encodeURIComponent(id));
      editorTitle.textContent = `Catalog ${c.connection_id} (version ${c.version})`;
      idInput.value = c.connection_id;
      idInput.readOnly = true;
      json.value = JSON.stringify({ name: c.name, metrics: c.metrics, dimensions: c.dimensions, entities: c.entities }, null, 2);
      json.focus();
    } catch (e) {
      if (!e.sessionEnded) status.textContent = 'Could not open it: ' + describeError(e);
    }
  }

  async function load() {
    try {
      const r = await api('GET', '/api/v1/connections');
      mount(list, table([
        { label: 'Id', value: (c) => h('button', { type: 'button', class: 'link-button', 'data-catalog': c.connection_id, text: c.connection_id, onclick: () => open(c.connection_id) }) },
        { label: 'Name', value: (c) => c.name },
        { label: 'Metrics', value: (c) => String((c.metrics || []).length) },
        { label: 'Dimensions', value: (c) => String((c.dimensions || []).length) },
        { label: 'Entities', value: (c) => String((c.entities || []).length) },
        { label: 'Version', value: (c) => String(c.version) },
        { label: 'Updated', value: (c) => when(c.updated_at) },
      ], r.connections || [], { caption: 'Connection catalogs (choose one to edit it)', empty: 'No catalogs yet.' }));
    } catch (e) {
      if (!e.sessionEnded) mount(list, h('p', { class: 'form-error', text: 'Could not list catalogs: ' + describeError(e) }));
    }
  }

  editor.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear();
    const id = idInput.value.trim();
    if (!id) { showFieldError(idError, 'Enter a connection id.', idInput); idInput.focus(); return; }
    let body;
    try {
      body = JSON.parse(json.value);
    } catch (err) {
      showFieldError(jsonError, 'Not valid JSON: ' + err.message, json);
      json.focus();
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      showFieldError(jsonError, 'The catalog must be a JSON object ({…}).', json);
      json.focus();
      return;
    }
    try {
      const c = await api('PUT', '/api/v1/connections/' + encodeURIComponent(id), { body });
      status.textContent = `Saved ${c.connection_id}, version ${c.version}.`;
      editorTitle.textContent = `Catalog ${c.connection_id} (version ${c.version})`;
      idInput.readOnly = true;
      toast('Catalog saved');
      load();
    } catch (err) {
      if (err.sessionEnded) return;
      if (err.field === 'connection_id') showFieldError(idError, describeError(err), idInput);
      else if (err.status === 422 || err.status === 400) showFieldError(jsonError, (err.field ? err.field + ': ' : '') + describeError(err), json);
      else status.textContent = 'Could not save: ' + describeError(err);
    }
  });

  mount(main, h('h1', { text: 'Connection catalogs' }),
    h('section', { class: 'card' }, list), editor);
  openNew();
  load();
}

// ---------------------------------------------------------------- stats

const TYPE_COLOURS = { query: '#2f6fde', chat: '#8a4fd8', suggestion_click: '#1f9d6b', feedback: '#e08a1e' };
const PALETTE = ['#2f6fde', '#1f9d6b', '#e08a1e', '#8a4fd8', '#d9455f', '#3aa6b9', '#7a8594'];

function colourFor(type, i) {
  return TYPE_COLOURS[type] || PALETTE[i % PALETTE.length];
}

/**
 * Activity per day and type → {labels, datasets}: every UTC day of the window (today and the
 * `days` - 1 before; the server leaves out days without activity), so the x axis is true to time.
 */
export function activityByDay(rows, days = 14, now = new Date()) {
  const dayMs = 86400000;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let first = today - (days - 1) * dayMs;
  let last = today;
  for (const r of rows) {
    const t = Date.parse(r.day + 'T00:00:00Z');
    if (Number.isNaN(t)) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const labels = [];
  for (let t = first; t <= last; t += dayMs) labels.push(new Date(t).toISOString().slice(0, 10));
  const types = [...new Set(rows.map((r) => r.activity_type))];
  const datasets = types.map((t, i) => ({
    label: t,
    backgroundColor: colourFor(t, i),
    data: labels.map((day) => rows.filter((r) => r.day === day && r.activity_type === t).reduce((s, r) => s + Number(r.count || 0), 0)),
  }));
  return { labels, datasets };
}

export function renderStats(main) {
  const charts = [];
  const body = h('div', { id: 'stats-body' }, h('p', { class: 'status', text: 'Loading…' }));
  const refresh = h('button', { type: 'button', id: 'stats-refresh', text: 'Refresh' });

  function chartCard(id, title, summary, config, tableEl) {
    const canvas = h('canvas', { id, role: 'img', 'aria-label': title + '. ' + summary });
    const card = h('section', { class: 'card chart-card', 'aria-labelledby': id + '-title' },
      h('h2', { id: id + '-title', text: title }),
      h('p', { class: 'help', text: summary }),
      h('div', { class: 'chart-box' }, canvas),
      tableEl ? h('details', {}, h('summary', { text: 'As a table' }), tableEl) : null);
    return { card, canvas, config };
  }

  function draw(s) {
    for (const c of charts.splice(0)) c.destroy();
    const cards = [];
    const base = { responsive: true, maintainAspectRatio: false, animation: false };

    // Cache hit rate.
    const cache = s.cache || {};
    cards.push(chartCard('chart-cache', 'Suggestion cache',
      `Hit rate of cache entries (24 h): ${fmt(cache.cache_hit_rate_percent)}%. Requests answered from the cache since start: ${fmt(cache.request_hit_rate_percent)}% (${cache.hits_since_start ?? 0} hits, ${cache.misses_since_start ?? 0} misses).`,
      {
        type: 'doughnut',
        data: { labels: ['Hits', 'Misses', 'Shared misses'], datasets: [{ label: 'Requests since start', data: [cache.hits_since_start || 0, cache.misses_since_start || 0, cache.shared_misses_since_start || 0], backgroundColor: ['#1f9d6b', '#d9455f', '#e08a1e'] }] },
        options: { ...base },
      }));

    // Activity over time, or by type for the last 7 days.
    if (Array.isArray(s.activity_by_day_14d)) {
      const d = activityByDay(s.activity_by_day_14d);
      cards.push(chartCard('chart-activity', 'Activity by type, last 14 days',
        `${s.activity_by_day_14d.reduce((n, r) => n + Number(r.count || 0), 0)} activities, by UTC day.`,
        { type: 'bar', data: d, options: { ...base, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } },
        table([{ label: 'Day', value: (r) => r.day }, { label: 'Type', value: (r) => r.activity_type }, { label: 'Count', value: (r) => String(r.count) }], s.activity_by_day_14d)));
    } else {
      const rows = s.activity_breakdown_7d || [];
      cards.push(chartCard('chart-activity', 'Activity by type, last 7 days',
        `${rows.reduce((n, r) => n + Number(r.count || 0), 0)} activities (per-day figures are not available from this server).`,
        {
          type: 'bar',
          data: {
            labels: rows.map((r) => r.activity_type),
            datasets: [
              { label: 'Activities', data: rows.map((r) => r.count), backgroundColor: rows.map((r, i) => colourFor(r.activity_type, i)) },
              { label: 'Distinct users', data: rows.map((r) => r.unique_users), backgroundColor: '#7a8594' },
            ],
          },
          options: { ...base, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
        },
        table([{ label: 'Type', value: (r) => r.activity_type }, { label: 'Count', value: (r) => String(r.count) }, { label: 'Users', value: (r) => String(r.unique_users) }], rows)));
    }

    // Top patterns per role.
    const top = s.top_patterns_by_role || [];
    cards.push(chartCard('chart-patterns', 'Top patterns per role',
      top.length ? `${top.length} shared templates.` : 'No template is shared by enough users of one role yet.',
      {
        type: 'bar',
        data: {
          labels: top.map((p) => [...wrapWords(p.query_template, 22), `(${p.role})`]),
          datasets: [{ label: 'Frequency', data: top.map((p) => p.frequency), backgroundColor: top.map((p, i) => PALETTE[i % PALETTE.length]) }],
        },
        options: { ...base, indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
      },
      table([{ label: 'Role', value: (p) => p.role }, { label: 'Template', value: (p) => p.query_template }, { label: 'Frequency', value: (p) => String(p.frequency) }, { label: 'Success', value: (p) => (p.success_rate == null ? '' : `${Math.round(p.success_rate * 100)}%`) }], top)));

    // Click-through per user.
    const ctr = s.click_through_30d || [];
    cards.push(chartCard('chart-ctr', 'Click-through per user, last 30 days',
      'Suggestion clicks per suggestion list served (impressions).',
      {
        type: 'bar',
        data: {
          labels: ctr.map((u) => u.user_id),
          datasets: [{ label: 'Click-through %', data: ctr.map((u) => (u.click_through_rate == null ? 0 : Math.round(u.click_through_rate * 1000) / 10)), backgroundColor: '#2f6fde' }],
        },
        options: { ...base, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, suggestedMax: 100 } } },
      },
      table([{ label: 'User', value: (u) => u.user_id }, { label: 'Queries', value: (u) => String(u.total_queries) }, { label: 'Clicks', value: (u) => String(u.clicked_suggestions) }, { label: 'Impressions', value: (u) => String(u.impressions ?? '') }, { label: 'Rate', value: (u) => (u.click_through_rate == null ? '–' : `${(u.click_through_rate * 100).toFixed(1)}%`) }], ctr)));

    // LLM calls and cost.
    const llm = s.llm || {};
    const keys = [['calls', 'Calls'], ['successes', 'Successes'], ['errors', 'Errors'], ['refused', 'Refused'], ['retries', 'Retries'], ['budget_refusals', 'Over budget']];
    cards.push(chartCard('chart-llm', 'LLM calls and estimated cost',
      `${llm.configured ? `Model ${llm.model}${llm.enabled ? '' : ' (switched off)'}` : 'No LLM configured: suggestions come from patterns only'}. Estimated cost US$${Number(llm.estimated_cost_usd || 0).toFixed(4)}; tokens in ${llm.tokens_in ?? 0}, out ${llm.tokens_out ?? 0}; breaker ${llm.breaker || 'n/a'}.`,
      {
        type: 'bar',
        data: { labels: keys.map((k) => k[1]), datasets: [{ label: 'Since start', data: keys.map((k) => Number(llm[k[0]] || 0)), backgroundColor: PALETTE.slice(0, keys.length) }] },
        options: { ...base, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }));

    mount(body, h('div', { class: 'grid charts' }, cards.map((c) => c.card)));
    if (typeof window.Chart !== 'function') {
      body.prepend(h('p', { class: 'form-error', text: 'The chart library did not load; the figures are in the tables.' }));
      return;
    }
    for (const c of cards) charts.push(new window.Chart(c.canvas, c.config));
  }

  async function load() {
    try {
      draw(await api('GET', '/api/v1/activity/stats'));
    } catch (e) {
      if (!e.sessionEnded) mount(body, h('p', { class: 'form-error', role: 'alert', text: 'Could not load the stats: ' + describeError(e) }));
    }
  }
  refresh.addEventListener('click', load);

  mount(main, h('div', { class: 'page-head' }, h('h1', { text: 'Stats' }), refresh), body);
  load();
  return () => { for (const c of charts.splice(0)) c.destroy(); };
}

/** Splits text into lines of at most `width` characters, at spaces (a long word stays whole). */
export function wrapWords(text, width) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? line + ' ' + word : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function fmt(x) {
  return typeof x === 'number' ? (Math.round(x * 10) / 10).toString() : '0';
}
