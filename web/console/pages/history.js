// My history: GET /api/v1/activity/history, newest first, filtered by type, paged with
// limit and before_id (the answer's next_before_id is the next page's before_id).
import { api, describeError } from '../api.js';
import { h, mount, table, when } from '../dom.js';

const TYPES = ['query', 'chat', 'suggestion_click', 'feedback'];

export function renderHistory(main) {
  const type = h('select', { id: 'history-type', name: 'activity_type' },
    h('option', { value: '', text: 'All activities' }),
    TYPES.map((t) => h('option', { value: t, text: t.replace('_', ' ') })));
  const limit = h('select', { id: 'history-limit', name: 'limit' },
    ['10', '25', '50', '100'].map((n) => h('option', { value: n, text: n, selected: n === '25' })));
  const result = h('div', { id: 'history-result', 'aria-live': 'polite' });
  const newer = h('button', { type: 'button', id: 'history-newer', text: '← Newer', disabled: true });
  const older = h('button', { type: 'button', id: 'history-older', text: 'Older →', disabled: true });
  const pageInfo = h('span', { class: 'page-info', id: 'history-page' });
  // before_id of each page shown so far ('' for the first), so "Newer" can step back.
  let stack = [''];
  let nextBefore = null;
  let controller = null;

  async function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    const before = stack[stack.length - 1];
    mount(result, h('p', { class: 'status', text: 'Loading…' }));
    try {
      const r = await api('GET', '/api/v1/activity/history', {
        query: { activity_type: type.value, limit: limit.value, before_id: before },
        signal: controller.signal,
      });
      nextBefore = r.next_before_id ?? null;
      const rows = r.activities || [];
      mount(result, table([
        { label: 'When', value: (a) => h('time', { datetime: a.created_at, text: when(a.created_at) }) },
        { label: 'Type', value: (a) => h('span', { class: 'badge type', text: a.activity_type }) },
        { label: 'Text', value: (a) => a.query_text ?? a.suggestion_clicked ?? '' },
        { label: 'Rating', value: (a) => (a.feedback_rating ? '★'.repeat(a.feedback_rating) + ` (${a.feedback_rating})` : '') },
        { label: 'Connection', value: (a) => (a.metadata && a.metadata.connection_id) || '' },
        { label: 'Id', value: (a) => String(a.id) },
      ], rows, { caption: 'Your activities, newest first', empty: 'No activities here.' }));
      older.disabled = nextBefore === null;
      newer.disabled = stack.length <= 1;
      pageInfo.textContent = `Page ${stack.length} · ${rows.length} shown`;
    } catch (e) {
      if (e.name === 'AbortError' || e.sessionEnded) return;
      mount(result, h('p', { class: 'form-error', role: 'alert', text: 'Could not load your history: ' + describeError(e) }));
    }
  }

  const restart = () => { stack = ['']; load(); };
  type.addEventListener('change', restart);
  limit.addEventListener('change', restart);
  older.addEventListener('click', () => { if (nextBefore !== null) { stack.push(String(nextBefore)); load(); } });
  newer.addEventListener('click', () => { if (stack.length > 1) { stack.pop(); load(); } });

  mount(main,
    h('h1', { text: 'My history' }),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: type.id, text: 'Type' }), type),
      h('div', { class: 'field inline' }, h('label', { for: limit.id, text: 'Per page' }), limit),
      h('button', { type: 'button', text: 'Refresh', onclick: load })),
    result,
    h('div', { class: 'pager' }, newer, pageInfo, older));
  load();
  return () => controller && controller.abort();
}
