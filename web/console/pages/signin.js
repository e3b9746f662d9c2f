// Sign in with a username and password (POST /api/v1/auth/token).
import { signIn, describeError } from '../api.js';
import { h, mount } from '../dom.js';

export function renderSignIn(main, { message, onSignedIn }) {
  main.dataset.page = 'signin';
  const user = h('input', { id: 'signin-username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', id: 'signin-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary', text: 'Sign in' });
  const form = h('form', { class: 'card signin', novalidate: true, 'aria-describedby': 'signin-error' },
    h('h1', { text: 'Sign in to Foresight' }),
    message ? h('p', { class: 'notice', id: 'signin-message', role: 'status', text: message }) : null,
    h('div', { class: 'field' }, h('label', { for: user.id, text: 'Username' }), user),
    h('div', { class: 'field' }, h('label', { for: pass.id, text: 'Password' }), pass),
    error,
    button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!user.value.trim() || !pass.value) {
      error.textContent = 'Enter your username and password.';
      error.hidden = false;
      (user.value.trim() ? pass : user).focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      await signIn(user.value.trim(), pass.value);
      pass.value = '';
      onSignedIn();
    } catch (err) {
      error.textContent = describeError(err);
      error.hidden = false;
      pass.select();
      pass.focus();
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });
  mount(main, form);
  user.focus();
}
