// Small DOM helpers. Server text only ever reaches the page through textContent or attribute
// values (never innerHTML), and no element gets a style attribute: the page's
// Content-Security-Policy forbids inline styles.

/**
 * h('button', {class: 'x', onclick: fn, type: 'button'}, 'text', child, ...)
 * Attributes: `class`, `text` (textContent), `on<event>` (listeners), `dataset`,
 * booleans (true sets, false/null/undefined skips), everything else via setAttribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'style') throw new Error('no style attributes (CSP)');
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A fresh id for label/aria wiring. */
export function nextId(prefix = 'id') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Formats an ISO 8601 time for people (the locale's date and time), or '' for null. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** A table from rows and column specs [{label, value: row => text|Node}]. */
export function table(columns, rows, { caption, empty = 'Nothing yet.' } = {}) {
  if (!rows.length) return h('p', { class: 'empty', text: empty });
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', { text: caption }) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c.label })))),
      h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => {
        const v = c.value(r);
        return h('td', { 'data-label': c.label }, v instanceof Node ? v : (v ?? ''));
      }))))));
}

/** A message area for a form field: wires aria-describedby on the control. */
export function fieldError(control, errorId) {
  const el = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
  if (control) {
    const ids = (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    ids.push(errorId);
    control.setAttribute('aria-describedby', ids.join(' '));
  }
  return el;
}

export function showFieldError(el, message, control) {
  el.textContent = message || '';
  el.hidden = !message;
  if (control) {
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
}

let toastTimer = 0;
/** A short polite status message at the bottom of the screen. */
export function toast(message) {
  const t = document.getElementById('toast');
  if (!t) return;
  t.textContent = message;
  t.classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('visible'), 4000);
}
