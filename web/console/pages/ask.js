// Ask: a query box with live personalised suggestions (an ARIA combobox with a listbox), logging
// of suggestion clicks, queries (with optional result metadata) and feedback.
import { api, describeError } from '../api.js';
import { h, mount, fieldError, showFieldError, toast } from '../dom.js';
import { knownConnections, defaultConnection, chooseConnection, chosenConnection } from '../connections.js';

const DEBOUNCE_MS = 200;
const SOURCE_LABELS = {
  cached: 'cached',
  patterns: 'patterns',
  llm_with_patterns: 'llm',
  llm_fallback: 'llm fallback',
};

export function renderAsk(main, { session }) {
  let timer = 0;
  let seq = 0; // the newest request; answers to older ones are dropped
  let controller = null;
  let items = [];
  let active = -1;
  let open = false;
  let lastLogged = null; // {id, text, connection}
  let lastSource = '';

  const connInput = h('input', { id: 'ask-connection', name: 'connection', list: 'ask-connection-list', autocomplete: 'off', spellcheck: 'false', required: true });
  const connList = h('datalist', { id: 'ask-connection-list' });
  const connHelp = h('p', { class: 'help', id: 'ask-connection-help' });
  connInput.setAttribute('aria-describedby', connHelp.id);
  const connError = fieldError(connInput, 'ask-connection-error');

  const input = h('input', {
    id: 'ask-input', name: 'query', type: 'text', autocomplete: 'off', spellcheck: 'false',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
    'aria-controls': 'ask-suggestions', placeholder: 'e.g. show me profit by region',
  });
  const queryError = fieldError(input, 'ask-query-error');
  const listbox = h('ul', { id: 'ask-suggestions', role: 'listbox', 'aria-label': 'Suggestions', class: 'suggestions' });
  const sourceBadge = h('span', { class: 'badge source', id: 'ask-source' });
  const panelMeta = h('p', { class: 'suggest-meta' });
  const panel = h('div', { class: 'suggest-panel', id: 'ask-panel', hidden: true }, panelMeta, listbox);
  const status = h('p', { class: 'status', id: 'ask-status', role: 'status', 'aria-live': 'polite' });

  const metadata = h('textarea', { id: 'ask-metadata', name: 'metadata', rows: '5', spellcheck: 'false', placeholder: '{"metadata": {"generated_sql": "SELECT …", "execution_time_ms": 245, "row_count": 20}}' });
  const metadataHelp = h('p', { class: 'help', id: 'ask-metadata-help', text: 'Optional. A JSON object: either {"data": [...], "metadata": {...}} as the query answered, or just its metadata object.' });
  metadata.setAttribute('aria-describedby', metadataHelp.id);
  const metadataError = fieldError(metadata, 'ask-metadata-error');
  const submit = h('button', { type: 'submit', class: 'primary', id: 'ask-submit', text: 'Log query' });

  const feedback = h('section', { class: 'card feedback', id: 'ask-feedback', 'aria-labelledby': 'ask-feedback-title', hidden: true });

  const form = h('form', { class: 'card ask', id: 'ask-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: connInput.id, text: 'Connection' }), connInput, connList, connHelp, connError),
    h('div', { class: 'field combobox' },
      h('label', { for: input.id, text: 'Your question' }),
      input, panel, queryError),
    status,
    h('details', { class: 'metadata' },
      h('summary', { text: 'Result metadata (optional)' }),
      h('div', { class: 'field' }, h('label', { for: metadata.id, text: 'Result metadata JSON' }), metadata, metadataHelp, metadataError)),
    h('div', { class: 'actions' }, submit));

  mount(main,
    h('h1', { text: 'Ask' }),
    h('p', { class: 'lead', text: 'Type a question: suggestions learned from your history appear as you type. Use the arrow keys and Enter to choose one.' }),
    form, feedback);

  // Connections.
  connInput.value = chosenConnection();
  knownConnections().then((list) => {
    mount(connList, list.map((c) => h('option', { value: c.id, text: c.name })));
    if (!connInput.value) {
      connInput.value = defaultConnection(list);
      if (document.activeElement === input && !items.length) schedule();
    }
    connHelp.textContent = list.length
      ? 'The connection catalogs on this server; you may type another id.'
      : 'Type the id of a connection (your administrator can tell you).';
  }).catch((e) => {
    if (!e.sessionEnded) connHelp.textContent = 'Could not list connections: ' + describeError(e);
  });
  connInput.addEventListener('change', () => {
    chooseConnection(connInput.value.trim());
    showFieldError(connError, '', connInput);
    seq += 1; // answers for the previous connection are stale
    close();
  });

  function setOpen(next) {
    open = next && items.length > 0;
    panel.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (!open) setActive(-1);
  }
  function close() { setOpen(false); }

  function setActive(i) {
    active = i;
    const options = listbox.querySelectorAll('[role="option"]');
    options.forEach((el, j) => {
      el.setAttribute('aria-selected', String(j === i));
      el.classList.toggle('active', j === i);
    });
    if (i >= 0 && options[i]) {
      input.setAttribute('aria-activedescendant', options[i].id);
      options[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function renderList(answer) {
    items = Array.isArray(answer.suggestions) ? answer.suggestions : [];
    lastSource = String(answer.source || '');
    const label = SOURCE_LABELS[answer.source] || String(answer.source || 'unknown');
    sourceBadge.textContent = label;
    sourceBadge.dataset.source = label.split(' ')[0];
    sourceBadge.title = 'source: ' + (answer.source || 'unknown');
    mount(panelMeta,
      `${items.length} suggestion${items.length === 1 ? '' : 's'} · source `, sourceBadge);
    mount(listbox, items.map((s, i) => {
      const li = h('li', { role: 'option', id: `ask-option-${i}`, 'aria-selected': 'false', class: 'option', dataset: { index: String(i) } },
        h('span', { class: 'icon', 'aria-hidden': 'true', text: s.icon || '•' }),
        h('span', { class: 'option-body' },
          h('span', { class: 'option-text', text: s.text || '' }),
          h('span', { class: 'option-desc', text: s.description || '' })),
        h('span', { class: 'badge type', text: s.type || '' }));
      // mousedown, not click: choosing must not blur the input first.
      li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(i); });
      return li;
    }));
    if (!items.length) status.textContent = 'No suggestions for that yet.';
    setOpen(document.activeElement === input);
  }

  async function fetchSuggestions() {
    const connection = connInput.value.trim();
    if (!connection) {
      if (input.value.trim()) showFieldError(connError, 'Choose a connection first.', connInput);
      return;
    }
    const mine = ++seq;
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const answer = await api('POST', `/api/v1/connections/${encodeURIComponent(connection)}/suggestions/personalized`, {
        query: { partial_query: input.value },
        signal: controller.signal,
      });
      if (mine !== seq) return; // a newer keystroke's answer is on its way
      showFieldError(connError, '', connInput);
      renderList(answer);
    } catch (e) {
      if (mine !== seq || e.name === 'AbortError' || e.sessionEnded) return;
      items = [];
      close();
      if (e.field === 'connection_id' || e.status === 404) showFieldError(connError, describeError(e), connInput);
      else status.textContent = 'Suggestions unavailable: ' + describeError(e);
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
  }

  async function choose(i) {
    const s = items[i];
    if (!s) return;
    input.value = s.text;
    close();
    clearTimeout(timer);
    seq += 1; // drop any answer still coming for the old text
    const connection = connInput.value.trim();
    try {
      const r = await api('POST', '/api/v1/activity/log', {
        body: {
          activity_type: 'suggestion_click',
          suggestion_clicked: s.text,
          metadata: { connection_id: connection, suggestion_type: s.type || '', source: lastSource || undefined },
        },
      });
      status.textContent = `Chose “${s.text}” (logged as activity ${r.activity_id}). Press Enter to log the query.`;
    } catch (e) {
      if (!e.sessionEnded) status.textContent = 'Could not log the click: ' + describeError(e);
    }
  }

  input.addEventListener('input', () => {
    showFieldError(queryError, '', input);
    schedule();
  });
  input.addEventListener('focus', () => {
    if (items.length) setOpen(true);
    else schedule();
  });
  input.addEventListener('blur', () => close());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        if (items.length) setOpen(true);
        else { fetchSuggestions(); return; }
      }
      const n = items.length;
      if (!n) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
    } else if (e.key === 'Enter' && open && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      close();
    }
  });

  function parseMetadata() {
    const text = metadata.value.trim();
    if (!text) return { ok: true, value: undefined };
    let v;
    try {
      v = JSON.parse(text);
    } catch (err) {
      return { ok: false, message: 'Not valid JSON: ' + err.message };
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, message: 'Must be a JSON object ({…}), not ' + (Array.isArray(v) ? 'an array' : String(v === null ? 'null' : typeof v)) + '.' };
    return { ok: true, value: ('data' in v || 'metadata' in v) ? v : { data: [], metadata: v } };
  }
  metadata.addEventListener('input', () => showFieldError(metadataError, '', metadata));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // Suggestions still on their way answer text that is being submitted: drop them.
    clearTimeout(timer);
    seq += 1;
    if (controller) controller.abort();
    close();
    const text = input.value.trim();
    const connection = connInput.value.trim();
    let bad = false;
    showFieldError(queryError, text ? '' : 'Type a question first.', input);
    if (!text) bad = true;
    showFieldError(connError, connection ? '' : 'Choose a connection first.', connInput);
    if (!connection) bad = true;
    const parsed = parseMetadata();
    showFieldError(metadataError, parsed.ok ? '' : parsed.message, metadata);
    if (!parsed.ok) {
      metadata.closest('details').open = true;
      bad = true;
    }
    if (bad) {
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    submit.disabled = true;
    try {
      const body = { activity_type: 'query', query_text: text, metadata: { connection_id: connection } };
      if (parsed.value) body.response_data = parsed.value;
      const r = await api('POST', '/api/v1/activity/log', { body });
      chooseConnection(connection);
      lastLogged = { id: r.activity_id, text, connection };
      status.textContent = `Logged your query (activity ${r.activity_id}).`;
      input.value = '';
      metadata.value = '';
      items = [];
      showFeedback();
    } catch (err) {
      if (err.sessionEnded) return;
      const target = { response_data: [metadataError, metadata], query_text: [queryError, input], metadata: [metadataError, metadata] }[err.field];
      if (target) {
        showFieldError(target[0], describeError(err), target[1]);
        if (target[1] === metadata) metadata.closest('details').open = true;
      } else {
        status.textContent = 'Could not log the query: ' + describeError(err);
      }
    } finally {
      submit.disabled = false;
    }
  });

  function showFeedback() {
    const q = lastLogged;
    const fbStatus = h('p', { class: 'status', role: 'status', id: 'ask-feedback-status' });
    const send = async (rating, comment) => {
      try {
        const metadataBody = { connection_id: q.connection, activity_id: q.id };
        if (comment) metadataBody.comment = comment;
        await api('POST', '/api/v1/activity/log', {
          body: { activity_type: 'feedback', feedback_rating: rating, query_text: q.text, metadata: metadataBody },
        });
        fbStatus.textContent = `Thanks: rated ${rating} of 5.`;
        toast('Feedback sent');
      } catch (e) {
        if (!e.sessionEnded) fbStatus.textContent = 'Could not send feedback: ' + describeError(e);
      }
    };
    const stars = [1, 2, 3, 4, 5].map((n) => {
      const id = `ask-star-${n}`;
      return h('span', { class: 'star' },
        h('input', { type: 'radio', name: 'rating', id, value: String(n) }),
        h('label', { for: id, 'aria-label': `${n} star${n > 1 ? 's' : ''}`, text: '★'.repeat(n) }));
    });
    const comment = h('input', { id: 'ask-feedback-comment', type: 'text', maxlength: '500' });
    const starForm = h('form', { class: 'stars-form' },
      h('fieldset', { class: 'stars' }, h('legend', { text: 'Or rate 1 to 5 stars' }), stars),
      h('div', { class: 'field' }, h('label', { for: comment.id, text: 'Comment (optional)' }), comment),
      h('button', { type: 'submit', text: 'Send rating' }));
    starForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const picked = starForm.querySelector('input[name="rating"]:checked');
      if (!picked) { fbStatus.textContent = 'Pick a number of stars first.'; return; }
      send(Number(picked.value), comment.value.trim());
    });
    mount(feedback,
      h('h2', { id: 'ask-feedback-title', text: 'Was the answer useful?' }),
      h('p', { class: 'quoted', text: q.text }),
      h('div', { class: 'thumbs' },
        h('button', { type: 'button', id: 'ask-thumbs-up', 'aria-label': 'Thumbs up (rating 5)', onclick: () => send(5) }, '👍'),
        h('button', { type: 'button', id: 'ask-thumbs-down', 'aria-label': 'Thumbs down (rating 1)', onclick: () => send(1) }, '👎')),
      starForm, fbStatus);
    feedback.hidden = false;
  }

  input.focus();
  return () => {
    clearTimeout(timer);
    seq += 1;
    if (controller) controller.abort();
  };
}
