// My patterns: GET /api/v1/activity/patterns, and the export (format=csv|json) downloaded as a
// Blob through an authorised fetch, so the token never appears in a URL.
import { api, describeError } from '../api.js';
import { h, mount, table, when } from '../dom.js';

function percent(x) {
  return typeof x === 'number' ? `${Math.round(x * 100)}%` : '';
}

function patternTable(rows, caption) {
  return table([
    { label: 'Template', value: (p) => h('code', { text: p.query_template }) },
    { label: 'Type', value: (p) => (p.metadata && p.metadata.query_type) || '' },
    { label: 'Times', value: (p) => String(p.frequency ?? '') },
    { label: 'Success', value: (p) => percent(p.success_rate) },
    { label: 'Avg time', value: (p) => (typeof p.avg_response_time === 'number' ? `${p.avg_response_time.toFixed(2)} s` : '') },
    { label: 'Example', value: (p) => (p.metadata && p.metadata.example_query) || '' },
    { label: 'Last used', value: (p) => when(p.last_used) },
  ], rows, { caption, empty: 'No patterns learned yet.' });
}

export async function download(path, format, filename) {
  const blob = await api('GET', path, { query: { format }, as: 'blob' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, class: 'visually-hidden', text: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function renderPatterns(main) {
  const limit = h('select', { id: 'patterns-limit' },
    ['5', '10', '25', '100'].map((n) => h('option', { value: n, text: n, selected: n === '10' })));
  const result = h('div', { id: 'patterns-result', 'aria-live': 'polite' });
  const exportStatus = h('p', { class: 'status', role: 'status', id: 'patterns-export-status' });

  async function load() {
    mount(result, h('p', { class: 'status', text: 'Loading…' }));
    try {
      const r = await api('GET', '/api/v1/activity/patterns', { query: { limit: limit.value } });
      mount(result,
        h('h2', { text: `Yours (${r.user_pattern_count ?? (r.user_patterns || []).length})` }),
        patternTable(r.user_patterns || [], 'Templates learned from your questions'),
        h('h2', { text: `Your role's (${r.role_pattern_count ?? (r.role_patterns || []).length})` }),
        patternTable(r.role_patterns || [], 'Templates common in your role'));
    } catch (e) {
      if (!e.sessionEnded) mount(result, h('p', { class: 'form-error', role: 'alert', text: 'Could not load patterns: ' + describeError(e) }));
    }
  }

  const exporter = (format) => async () => {
    exportStatus.textContent = `Preparing ${format.toUpperCase()}…`;
    try {
      await download('/api/v1/activity/patterns/export', format, `patterns.${format}`);
      exportStatus.textContent = `Downloaded patterns.${format}.`;
    } catch (e) {
      if (!e.sessionEnded) exportStatus.textContent = 'Export failed: ' + describeError(e);
    }
  };

  limit.addEventListener('change', load);
  mount(main,
    h('h1', { text: 'My patterns' }),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: limit.id, text: 'Per kind' }), limit),
      h('button', { type: 'button', id: 'patterns-export-csv', text: 'Export CSV', onclick: exporter('csv') }),
      h('button', { type: 'button', id: 'patterns-export-json', text: 'Export JSON', onclick: exporter('json') })),
    exportStatus,
    result);
  load();
}
