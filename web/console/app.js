// The console's shell: hash routing (#/ask, #/history, ...), the navigation, sign-in and
// sign-out. Each page is a module exporting render(main, ctx) and optionally a cleanup it returns.
import { currentSession, endSession, onSessionEnd } from './api.js';
import { h, mount } from './dom.js';
import { renderSignIn } from './pages/signin.js';
import { renderAsk } from './pages/ask.js';
import { renderHistory } from './pages/history.js';
import { renderPatterns } from './pages/patterns.js';
import { renderPreferences } from './pages/preferences.js';
import { renderUsers, renderCatalogs, renderStats } from './pages/admin.js';

const routes = {
  ask: { title: 'Ask', render: renderAsk },
  history: { title: 'My history', render: renderHistory },
  patterns: { title: 'My patterns', render: renderPatterns },
  preferences: { title: 'Preferences', render: renderPreferences },
  'admin/users': { title: 'Users', render: renderUsers, admin: true },
  'admin/catalogs': { title: 'Connection catalogs', render: renderCatalogs, admin: true },
  'admin/stats': { title: 'Stats', render: renderStats, admin: true },
};

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const nav = document.getElementById('nav');
const navToggle = document.getElementById('nav-toggle');
let cleanup = null;
let signInMessage = '';
let afterSignIn = '';

function routeName() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path] = raw.split('?');
  return path;
}

function setNavOpen(open) {
  nav.classList.toggle('open', open);
  navToggle.setAttribute('aria-expanded', String(open));
}

navToggle.addEventListener('click', () => setNavOpen(!nav.classList.contains('open')));
nav.addEventListener('click', (e) => {
  if (e.target.closest('a')) setNavOpen(false);
});
nav.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && nav.classList.contains('open')) {
    setNavOpen(false);
    navToggle.focus();
  }
});
document.getElementById('sign-out').addEventListener('click', () => {
  endSession('You signed out.');
});

onSessionEnd((message) => {
  signInMessage = message;
  const name = routeName();
  if (name && name !== 'signin') afterSignIn = name;
  render();
});

function updateChrome(s, name) {
  topbar.hidden = !s;
  if (!s) return;
  document.getElementById('whoami').textContent = s.username + (s.isAdmin ? ' (admin)' : '');
  for (const li of document.querySelectorAll('.admin-only')) li.hidden = !s.isAdmin;
  for (const a of nav.querySelectorAll('a[data-route]')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function render() {
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup must not stop navigation */ }
    cleanup = null;
  }
  const s = currentSession();
  let name = routeName();
  if (!s) {
    updateChrome(null, '');
    document.title = 'Sign in · Foresight';
    const message = signInMessage;
    signInMessage = '';
    renderSignIn(main, {
      message,
      onSignedIn: () => {
        const target = afterSignIn || 'ask';
        afterSignIn = '';
        if (routeName() === target) render();
        else location.hash = '#/' + target;
      },
    });
    return;
  }
  if (!routes[name]) {
    if (name && name !== 'signin') {
      // An unknown page: say so rather than guess.
      updateChrome(s, '');
      document.title = 'Not found · Foresight';
      mount(main, h('h1', { text: 'Page not found' }),
        h('p', {}, 'There is no page here. ', h('a', { href: '#/ask', text: 'Go to Ask' })));
      return;
    }
    location.replace('#/ask');
    return;
  }
  const route = routes[name];
  updateChrome(s, name);
  document.title = route.title + ' · Foresight';
  if (route.admin && !s.isAdmin) {
    mount(main, h('h1', { text: 'Not allowed' }),
      h('p', { class: 'notice', text: 'This page is for administrators only.' }),
      h('p', {}, h('a', { href: '#/ask', text: 'Back to Ask' })));
    main.dataset.page = 'not-allowed';
    return;
  }
  main.dataset.page = name.replace('/', '-');
  mount(main);
  cleanup = route.render(main, { session: s }) || null;
  // Move focus to the new page (for screen readers), unless the page focused a control itself.
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', render);
render();
