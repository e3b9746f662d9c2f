// Browser tests of the web console, in headless Debian Chromium through playwright-core.
//
//   cd web && npm ci
//   FORESIGHTD=build/foresightd FORESIGHT_WEB_ROOT=/tmp/webroot SCREENSHOT_DIR=/tmp/shots \
//     node --test web/tests/browser/
//
// FORESIGHTD: the server binary (default: build/foresightd of this repository).
// FORESIGHT_WEB_ROOT: the assembled web folder (web/assemble.sh OUT); when unset, the test
//   assembles one into a temporary folder itself.
// SCREENSHOT_DIR: where a PNG of each page goes (default ./screenshots).
// CHROMIUM: the browser (default /usr/bin/chromium).
//
// The test starts its own foresightd (--demo, a private PostgreSQL in a fresh temporary data
// directory, a free port), seeds activity through the API, drives the console as the demo
// analyst, a second analyst and the demo admin, and stops the server with SIGTERM at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '..', '..');
const repoDir = path.resolve(webDir, '..');
const FORESIGHTD = process.env.FORESIGHTD || path.join(repoDir, 'build', 'foresightd');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CONNECTION = 'demo-sales';

let server = null; // {proc, base, dataDir, passwords}
let webRoot = process.env.FORESIGHT_WEB_ROOT || '';
let assembledRoot = '';
let browser = null;
const pages = new Map(); // user → a signed-in page, reused across tests (sessionStorage is per tab)
const consoleErrors = []; // {page, text, url}
const tokens = {};

// ------------------------------------------------------------------ the server

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer() {
  assert.ok(fs.existsSync(FORESIGHTD), `FORESIGHTD (${FORESIGHTD}) does not exist: build foresightd or set FORESIGHTD`);
  if (!webRoot) {
    assembledRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'foresight-webroot-'));
    webRoot = path.join(assembledRoot, 'web');
    execFileSync(path.join(webDir, 'assemble.sh'), [webRoot], { stdio: 'inherit' });
  }
  assert.ok(fs.existsSync(path.join(webRoot, 'console', 'index.html')), `no console/index.html in ${webRoot}`);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'foresight-console-test-'));
  const proc = spawn(FORESIGHTD, [
    'serve', '--demo', '--bind', '127.0.0.1', '--port', String(port), '--data-dir', dataDir,
    '--web-root', webRoot, '--pbkdf2-iterations', '1000',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  server = { proc, base: `http://127.0.0.1:${port}`, dataDir, passwords: {}, exited: false, log: [] };
  proc.on('exit', () => { server.exited = true; });
  let buffered = '';
  const collect = (chunk) => {
    buffered += chunk.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = /^ {2}(\S+) \/ (\S+)\s*$/.exec(line);
      if (m) server.passwords[m[1]] = m[2];
      if (!line.startsWith('{"ts"') || /"level":"(warn|error)"/.test(line)) server.log.push(line);
      if (server.log.length > 200) server.log.shift();
    }
  };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exited) throw new Error('foresightd exited while starting:\n' + server.log.join('\n'));
    try {
      const r = await fetch(server.base + '/readyz');
      if (r.status === 200 && server.passwords.admin && server.passwords.analyst001) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('foresightd not ready after 60 s:\n' + server.log.join('\n'));
    await sleep(200);
  }
}

async function stopServer() {
  if (!server) return;
  const { proc, dataDir } = server;
  if (!server.exited) {
    proc.kill('SIGTERM');
    let timer;
    const stopped = await Promise.race([
      new Promise((resolve) => proc.once('exit', () => resolve(true))),
      new Promise((resolve) => { timer = setTimeout(() => resolve(false), 30_000); }),
    ]);
    clearTimeout(timer); // a pending timer would keep the runner alive for nothing
    if (!stopped && !server.exited) proc.kill('SIGKILL');
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (assembledRoot) fs.rmSync(assembledRoot, { recursive: true, force: true });
  server = null;
}

// If the runner is interrupted, do not leave the server behind.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    await stopServer().catch(() => {});
    process.exit(130);
  });
}
process.once('exit', () => {
  if (server && !server.exited) server.proc.kill('SIGKILL');
});

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// ------------------------------------------------------------------ seeding through the API

async function call(method, route, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(server.base + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text };
}

async function login(username, password) {
  const r = await call('POST', '/api/v1/auth/token', { body: { username, password } });
  assert.equal(r.status, 200, `login of ${username}: ${r.text}`);
  return r.json.access_token;
}

const PASSWORDS = { analyst002: 'analyst-two-pass', trader01: 'trader-one-pass' };

async function seed() {
  tokens.admin = await login('admin', server.passwords.admin);
  for (const [id, role, department] of [['analyst002', 'analyst', 'Finance'], ['trader01', 'trader', 'Markets']]) {
    const r = await call('POST', '/api/v1/users', { token: tokens.admin, body: { id, password: PASSWORDS[id], role, department, goals: ['seeded'] } });
    assert.equal(r.status, 201, `create ${id}: ${r.text}`);
  }
  tokens.analyst001 = await login('analyst001', server.passwords.analyst001);
  tokens.analyst002 = await login('analyst002', PASSWORDS.analyst002);
  tokens.trader01 = await login('trader01', PASSWORDS.trader01);

  const log = async (user, body) => {
    const r = await call('POST', '/api/v1/activity/log', { token: tokens[user], body });
    assert.equal(r.status, 200, `log for ${user}: ${r.text}`);
    return r.json.activity_id;
  };
  const query = (user, text, ms = 240) => log(user, {
    activity_type: 'query', query_text: text,
    response_data: { data: [], metadata: { generated_sql: 'SELECT 1', execution_time_ms: ms, row_count: 10 } },
    metadata: { connection_id: CONNECTION },
  });
  for (const q of ['Top 10 products by revenue', 'Top 5 products by profit', 'Compare profit across regions',
    'Show me revenue for Q1 2024', 'Top 10 products by revenue', 'Compare margin across regions',
    'Average price by product category', 'Show me volume by region', 'Show me margin for Q3 2024']) {
    await query('analyst001', q);
  }
  for (const q of ['Top 3 products by revenue', 'Compare profit across regions', 'Top 10 products by volume']) {
    await query('analyst002', q, 310);
  }
  for (const q of ['Top 10 stocks by volume', 'Show me price for Q2 2024']) {
    await query('trader01', q, 120);
  }
  // Suggestion lists served (impressions), clicks on them and ratings, for the dashboard.
  for (const user of ['analyst001', 'analyst002', 'trader01']) {
    const s = await call('POST', `/api/v1/connections/${CONNECTION}/suggestions/personalized?partial_query=top`, { token: tokens[user] });
    assert.equal(s.status, 200, s.text);
    assert.ok(s.json.suggestions.length > 0, `suggestions for ${user}: ${s.text}`);
    await log(user, { activity_type: 'suggestion_click', suggestion_clicked: s.json.suggestions[0].text, metadata: { connection_id: CONNECTION } });
  }
  await query('admin', 'Show me profit by quarter');
  await log('analyst001', { activity_type: 'feedback', feedback_rating: 5, query_text: 'Top 10 products by revenue', metadata: { connection_id: CONNECTION } });
  await log('analyst002', { activity_type: 'feedback', feedback_rating: 3, query_text: 'Top 10 products by volume', metadata: { connection_id: CONNECTION } });

  // The learners save patterns about once a second: wait until the analyst's (which the
  // preferences page offers metric names from) and the role's (for the dashboard) are there.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const p = await call('GET', '/api/v1/activity/patterns?limit=50', { token: tokens.analyst001 });
    const metrics = (p.json.user_patterns || []).flatMap((x) => (x.metadata && x.metadata.metrics) || []);
    const st = await call('GET', '/api/v1/activity/stats', { token: tokens.admin });
    if (metrics.includes('revenue') && (st.json.top_patterns_by_role || []).length > 0) break;
    if (Date.now() > deadline) assert.fail(`patterns not learned in time: ${p.text} / ${st.text}`);
    await sleep(300);
  }
}

// ------------------------------------------------------------------ the browser

async function newPage(label, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  // Content-Security-Policy violations, also those the console would not show.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push({ page: label, text: msg.text(), url: msg.location().url || '' });
  });
  page.on('pageerror', (err) => consoleErrors.push({ page: label, text: 'pageerror: ' + err.message, url: '' }));
  return page;
}

async function signInThroughUi(page, username, password) {
  await page.goto(server.base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#topbar').waitFor({ state: 'visible' });
}

/** A page signed in as `user`, made once and reused. */
async function pageFor(user) {
  if (pages.has(user)) return pages.get(user);
  const page = await newPage(user);
  await signInThroughUi(page, user, server.passwords[user] || PASSWORDS[user]);
  pages.set(user, page);
  return page;
}

async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => location.hash === h && document.querySelector('#main').dataset.page !== undefined, hash);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name + '.png'), fullPage: true });
}

/** Types into the Ask box and waits for the suggestions answering exactly that text. */
async function suggestionsFor(page, text) {
  const input = page.locator('#ask-input');
  await input.fill('');
  await input.pressSequentially(text, { delay: 30 });
  await page.locator('#ask-panel').waitFor({ state: 'visible' });
  await page.waitForTimeout(600); // past the debounce, so the list answers the whole text
  await page.locator('#ask-panel').waitFor({ state: 'visible' });
  return page.locator('#ask-suggestions [role="option"] .option-text').allTextContents();
}

// Console errors the tests cause on purpose: the browser logs every 4xx answer of a fetch.
const EXPECTED_NETWORK_ERRORS = [
  { status: 401, path: '/api/v1/auth/token' }, // the wrong password
  { status: 401, path: '/api/v1/activity/history' }, // the token revoked by a password reset
  { status: 422, path: '/api/v1/activity/preferences' }, // the refused preference
  { status: 422, path: '/api/v1/users' }, // the refused password
  { status: 422, path: '/api/v1/connections/demo-sales' }, // the refused catalog
];
function unexpectedErrors() {
  return consoleErrors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(e.text);
    if (!m) return true;
    const p = e.url ? new URL(e.url).pathname : '';
    return !EXPECTED_NETWORK_ERRORS.some((x) => x.status === Number(m[1]) && x.path === p);
  });
}

before(async () => {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const t0 = Date.now();
  await startServer();
  const t1 = Date.now();
  await seed();
  const t2 = Date.now();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  console.log(`# server ready in ${t1 - t0} ms, seeded in ${t2 - t1} ms, browser started in ${Date.now() - t2} ms`);
}, { timeout: 120_000 });

after(async () => {
  const t0 = Date.now();
  try {
    if (browser) await browser.close();
  } finally {
    const t1 = Date.now();
    await stopServer();
    console.log(`# browser closed in ${t1 - t0} ms, server stopped in ${Date.now() - t1} ms`);
  }
}, { timeout: 60_000 });

// ------------------------------------------------------------------ the tests

test('sign in: a wrong password shows the server\'s error, the right one opens the app', async () => {
  const page = await newPage('analyst001');
  await page.goto(server.base + '/');
  await shot(page, 'signin');
  await page.getByLabel('Username').fill('analyst001');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const error = page.locator('#signin-error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.textContent(), /invalid username or password/);
  assert.equal(await page.locator('#topbar').isVisible(), false);
  await shot(page, 'signin-error');

  await page.getByLabel('Password').fill(server.passwords.analyst001);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#ask-input').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#whoami').textContent(), 'analyst001');
  assert.equal(new URL(page.url()).hash, '#/ask');
  // The token is in sessionStorage, never in the address.
  assert.ok(!page.url().includes('eyJ'));
  pages.set('analyst001', page);
});

test('Ask: typing shows personalised suggestions with icon, type, description and source badge', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/ask');
  // The analyst may not list catalogs; the connection comes from their own history.
  await page.waitForFunction(() => document.querySelector('#ask-connection').value === 'demo-sales');
  const texts = await suggestionsFor(page, 'top');
  assert.ok(texts.length > 0, 'no suggestions');
  assert.ok(texts.some((t) => /^top/i.test(t)), `no suggestion starts with "top": ${texts}`);
  const first = page.locator('#ask-suggestions [role="option"]').first();
  assert.ok((await first.locator('.icon').textContent()).trim().length > 0, 'icon');
  assert.ok((await first.locator('.badge.type').textContent()).trim().length > 0, 'type');
  assert.ok((await first.locator('.option-desc').textContent()).trim().length > 0, 'description');
  assert.match(await page.locator('#ask-source').textContent(), /^(cached|patterns|llm|llm fallback)$/);
  assert.equal(await page.locator('#ask-input').getAttribute('aria-expanded'), 'true');
  await shot(page, 'ask');

  // Escape closes the list.
  await page.keyboard.press('Escape');
  await page.locator('#ask-panel').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('#ask-input').getAttribute('aria-expanded'), 'false');
});

test('Ask: an answer to an older keystroke never replaces the newer one', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/ask');
  await page.waitForFunction(() => document.querySelector('#ask-connection').value === 'demo-sales');
  const route = '**/suggestions/personalized*';
  // The answer for "comp" is held back and, when it comes, names a suggestion no server makes.
  await page.route(route, async (r) => {
    const q = new URL(r.request().url()).searchParams.get('partial_query');
    if (q !== 'comp') return r.continue();
    await sleep(1500);
    try {
      await r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ connection_id: CONNECTION, partial_query: q, suggestions: [{ text: 'STALE ANSWER', type: 'complete', description: 'stale', icon: 'x' }], source: 'patterns', user_patterns: [], role_patterns: [], count: 1 }) });
    } catch { /* the console gave up on it (aborted): also fine */ }
  });
  try {
    const input = page.locator('#ask-input');
    await input.fill('');
    await input.pressSequentially('comp', { delay: 20 });
    await page.waitForTimeout(400); // the debounced request for "comp" is out
    await input.pressSequentially('are', { delay: 20 });
    await page.waitForTimeout(2200); // the held-back answer has arrived by now
    const texts = await page.locator('#ask-suggestions [role="option"] .option-text').allTextContents();
    assert.ok(!texts.includes('STALE ANSWER'), `stale answer shown: ${texts}`);
    assert.ok(texts.length > 0 && texts.every((t) => /compare/i.test(t)), `suggestions for "compare": ${texts}`);
  } finally {
    await page.unroute(route);
    await page.keyboard.press('Escape');
  }
});

test('Ask: arrow keys and Enter choose a suggestion, logged as suggestion_click in My history', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/ask');
  await page.waitForFunction(() => document.querySelector('#ask-connection').value === 'demo-sales');
  const texts = await suggestionsFor(page, 'compare');
  assert.ok(texts.length >= 2, `need two suggestions: ${texts}`);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const activeId = await page.locator('#ask-input').getAttribute('aria-activedescendant');
  assert.equal(activeId, 'ask-option-1');
  assert.equal(await page.locator('#ask-option-1').getAttribute('aria-selected'), 'true');
  const chosen = await page.locator('#ask-option-1 .option-text').textContent();
  await page.keyboard.press('Enter');
  await page.locator('#ask-status', { hasText: 'Chose' }).waitFor();
  assert.equal(await page.locator('#ask-input').inputValue(), chosen);
  assert.equal(await page.locator('#ask-panel').isVisible(), false);

  await go(page, '#/history');
  await page.getByLabel('Type').selectOption('suggestion_click');
  const firstRow = page.locator('#history-result tbody tr').first();
  await page.waitForFunction(() => {
    const cell = document.querySelector('#history-result tbody tr td[data-label="Type"]');
    return cell && cell.textContent === 'suggestion_click';
  });
  assert.equal(await firstRow.locator('td[data-label="Text"]').textContent(), chosen);
  assert.equal(await firstRow.locator('td[data-label="Connection"]').textContent(), CONNECTION);
  await shot(page, 'history');

  // Paging: ten at a time, "Older" continues below the last id shown, "Newer" comes back.
  const ids = () => page.locator('#history-result td[data-label="Id"]').allTextContents();
  await page.getByLabel('Type').selectOption('');
  await page.getByLabel('Per page').selectOption('10');
  await page.locator('#history-page', { hasText: 'Page 1 · 10 shown' }).waitFor();
  const first = (await ids()).map(Number);
  await page.getByRole('button', { name: 'Older →' }).click();
  await page.locator('#history-page', { hasText: 'Page 2' }).waitFor();
  const second = (await ids()).map(Number);
  assert.ok(second.length > 0 && Math.max(...second) < Math.min(...first), `${first} then ${second}`);
  await page.getByRole('button', { name: '← Newer' }).click();
  await page.locator('#history-page', { hasText: 'Page 1' }).waitFor();
  assert.deepEqual((await ids()).map(Number), first);
});

test('Ask: submitting logs a query (metadata JSON checked first) and a rating logs feedback', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/ask');
  await page.waitForFunction(() => document.querySelector('#ask-connection').value === 'demo-sales');
  await page.locator('#ask-input').fill('Show me profit by region');
  await page.keyboard.press('Escape');
  await page.locator('details.metadata summary').click();
  await page.locator('#ask-metadata').fill('{"row_count": 4,');
  await page.locator('#ask-submit').click();
  await page.locator('#ask-metadata-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#ask-metadata-error').textContent(), /Not valid JSON/);
  await page.locator('#ask-metadata').fill('{"row_count": 4, "execution_time_ms": 120}');
  await page.locator('#ask-submit').click();
  await page.locator('#ask-status', { hasText: 'Logged your query' }).waitFor();
  await page.locator('#ask-thumbs-up').click();
  await page.locator('#ask-feedback-status', { hasText: 'rated 5' }).waitFor();
  await shot(page, 'ask-feedback');

  const h = await call('GET', '/api/v1/activity/history?limit=2', { token: tokens.analyst001 });
  const [feedback, query] = h.json.activities;
  assert.equal(feedback.activity_type, 'feedback');
  assert.equal(feedback.feedback_rating, 5);
  assert.equal(query.activity_type, 'query');
  assert.equal(query.query_text, 'Show me profit by region');
  assert.equal(query.response_data.metadata.row_count, 4);
});

test('Preferences: excluding a metric removes it from the suggestions', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/ask');
  await page.waitForFunction(() => document.querySelector('#ask-connection').value === 'demo-sales');
  const before = await suggestionsFor(page, 'top');
  assert.ok(before.some((t) => /revenue/i.test(t)), `expected a revenue suggestion first: ${before}`);
  await page.keyboard.press('Escape');

  await go(page, '#/preferences');
  const box = page.locator('#prefs-excluded_metrics-revenue');
  await box.waitFor();
  await box.check();
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await page.locator('#prefs-status', { hasText: 'Saved' }).waitFor();
  await shot(page, 'preferences');

  try {
    await go(page, '#/ask');
    await page.waitForFunction(() => document.querySelector('#ask-connection').value === 'demo-sales');
    const after = await suggestionsFor(page, 'top');
    assert.ok(after.length > 0, 'no suggestions left');
    assert.ok(!after.some((t) => /revenue/i.test(t)), `revenue still suggested: ${after}`);
    await page.keyboard.press('Escape');
  } finally {
    await call('PUT', '/api/v1/activity/preferences', { token: tokens.analyst001, body: { excluded_metrics: [] } });
  }
});

test('Preferences: the server\'s 422 is shown next to the field it names', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/preferences');
  // The client does not limit the length of a typed name; the server refuses over 100 characters.
  const other = page.locator('#prefs-excluded_metrics-other');
  await other.waitFor();
  await other.fill('x'.repeat(101));
  await page.getByRole('button', { name: 'Save preferences' }).click();
  const err = page.locator('#prefs-error-excluded_metrics');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /excluded_metrics\[0\] is longer than 100 characters/);
  assert.equal(await err.evaluate((el) => el.closest('fieldset').dataset.field), 'excluded_metrics');
  assert.equal(await other.getAttribute('aria-invalid'), 'true');
  assert.ok((await other.getAttribute('aria-describedby')).includes('prefs-error-excluded_metrics'));
  for (const f of ['preferred_metrics', 'preferred_dimensions', 'max_suggestions', 'preferred_query_types']) {
    assert.equal(await page.locator('#prefs-error-' + f).isVisible(), false, f);
  }
  assert.equal(await page.locator('#prefs-form-error').isVisible(), false);
  await shot(page, 'preferences-422');
});

test('My patterns: lists the learned templates and exports CSV and JSON through an authorised download', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/patterns');
  await page.locator('#patterns-result tbody tr').first().waitFor();
  assert.ok(await page.getByText('top {N} {entity} by {metric}').first().isVisible());
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#patterns-export-csv').click()]);
  assert.equal(csv.suggestedFilename(), 'patterns.csv');
  assert.match(fs.readFileSync(await csv.path(), 'utf8'), /^id,pattern_type,target_id,query_template/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#patterns-export-json').click()]);
  assert.equal(json.suggestedFilename(), 'patterns.json');
  assert.ok(JSON.parse(fs.readFileSync(await json.path(), 'utf8')).user_patterns.length > 0);
  assert.ok(!csv.url().includes('eyJ') && !json.url().includes('eyJ'), 'no token in a download URL');
  await shot(page, 'patterns');
});

test('a non-admin sees no admin navigation and gets "Not allowed" by typing the address', async () => {
  const page = await pageFor('analyst001');
  await go(page, '#/ask');
  for (const name of ['Users', 'Catalogs', 'Stats']) {
    assert.equal(await page.locator('#nav').getByRole('link', { name, exact: true }).isVisible(), false, name);
  }
  await go(page, '#/admin/stats');
  await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  assert.equal(await page.locator('canvas').count(), 0);
  await shot(page, 'not-allowed');
});

test('admin: the stats dashboard draws its charts with data', async () => {
  const page = await pageFor('admin');
  assert.equal(await page.locator('#whoami').textContent(), 'admin (admin)');
  await page.locator('#nav').getByRole('link', { name: 'Stats' }).click();
  await page.locator('#chart-llm').waitFor();
  const charts = await page.evaluate(() => [...document.querySelectorAll('#stats-body canvas')].map((c) => {
    const chart = window.Chart.getChart(c);
    return {
      id: c.id,
      drawn: Boolean(chart) && c.width > 0 && c.height > 0,
      datasets: chart ? chart.data.datasets.length : 0,
      points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
      total: chart ? chart.data.datasets.reduce((n, d) => n + d.data.reduce((s, v) => s + Number(v || 0), 0), 0) : 0,
      title: document.getElementById(c.id + '-title').textContent,
    };
  }));
  const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
  assert.deepEqual(Object.keys(byId).sort(), ['chart-activity', 'chart-cache', 'chart-ctr', 'chart-llm', 'chart-patterns']);
  for (const c of charts) {
    assert.ok(c.drawn, `${c.id} not drawn`);
    assert.ok(c.datasets > 0 && c.points > 0, `${c.id} has no data`);
  }
  // Seeded: 15 queries, 3 clicks, 2 ratings; analysts share templates; clicks follow impressions.
  assert.ok(byId['chart-activity'].total >= 20, JSON.stringify(byId['chart-activity']));
  assert.ok(byId['chart-patterns'].total > 0, JSON.stringify(byId['chart-patterns']));
  assert.ok(byId['chart-ctr'].total > 0, JSON.stringify(byId['chart-ctr']));
  assert.ok(byId['chart-cache'].total > 0, JSON.stringify(byId['chart-cache']));
  const stats = await call('GET', '/api/v1/activity/stats', { token: tokens.admin });
  const perDay = Array.isArray(stats.json.activity_by_day_14d);
  assert.match(byId['chart-activity'].title, perDay ? /last 14 days/ : /last 7 days/);
  await shot(page, 'stats');
});

test('admin: activity is drawn per day and type when the server gives activity_by_day_14d', async () => {
  const page = await pageFor('admin');
  const route = '**/api/v1/activity/stats';
  const today = new Date().toISOString().slice(0, 10);
  const twoDaysAgo = new Date(Date.now() - 2 * 86400000).toISOString().slice(0, 10);
  // Servers before that key answer only the 7-day breakdown: add per-day rows to theirs.
  await page.route(route, async (r) => {
    const res = await r.fetch();
    const body = await res.json();
    if (!Array.isArray(body.activity_by_day_14d)) {
      body.activity_by_day_14d = [
        { day: twoDaysAgo, activity_type: 'query', count: 3 },
        ...(body.activity_breakdown_7d || []).map((x) => ({ day: today, activity_type: x.activity_type, count: x.count })),
      ];
    }
    await r.fulfill({ response: res, json: body });
  });
  try {
    await go(page, '#/admin/catalogs');
    await go(page, '#/admin/stats');
    await page.locator('#chart-activity').waitFor();
    const expected = (await call('GET', '/api/v1/activity/stats', { token: tokens.admin })).json;
    const chart = await page.evaluate(() => {
      const c = window.Chart.getChart(document.getElementById('chart-activity'));
      return { labels: c.data.labels, types: c.data.datasets.map((d) => d.label), stacked: Boolean(c.options.scales.y.stacked),
        total: c.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0) };
    });
    assert.match(await page.locator('#chart-activity-title').textContent(), /last 14 days/);
    assert.ok(chart.stacked);
    assert.ok(chart.labels.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)), JSON.stringify(chart.labels));
    assert.ok(chart.types.includes('query') && chart.types.includes('suggestion_click'), JSON.stringify(chart.types));
    // Every day of the window, today (UTC) last, also the days without activity.
    assert.equal(chart.labels.length, 14, JSON.stringify(chart.labels));
    assert.equal(chart.labels[13], today);
    if (!Array.isArray(expected.activity_by_day_14d)) {
      assert.equal(chart.total, 3 + expected.activity_breakdown_7d.reduce((n, x) => n + x.count, 0));
    } else {
      assert.equal(chart.total, expected.activity_by_day_14d.reduce((n, x) => n + x.count, 0));
    }
    await shot(page, 'stats-per-day');
  } finally {
    await page.unroute(route);
  }
});

test('admin: users and catalogs (client-side JSON errors, the server\'s 422 by field)', async () => {
  const page = await pageFor('admin');
  await go(page, '#/admin/users');
  await page.locator('#user-id').fill('viewer9');
  await page.locator('#user-password').fill('short');
  await page.locator('#user-role').fill('executive');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#user-password-error', { hasText: 'at least 8 characters' }).waitFor();
  await page.locator('#user-password').fill('long-enough-pass');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#user-create-status', { hasText: 'Created viewer9' }).waitFor();
  await page.locator('#users-audit td', { hasText: 'viewer9' }).first().waitFor();
  await shot(page, 'admin-users');

  await go(page, '#/admin/catalogs');
  await page.locator('[data-catalog="demo-sales"]').click();
  await page.waitForFunction(() => document.querySelector('#catalog-json').value.includes('"revenue"'));
  await page.locator('#catalog-json').fill('{"name": "broken",');
  await page.getByRole('button', { name: 'Save catalog' }).click();
  await page.locator('#catalog-json-error', { hasText: 'Not valid JSON' }).waitFor();
  await page.locator('#catalog-json').fill('{"name": "Demo", "metrics": [{"display_name": "No name"}]}');
  await page.getByRole('button', { name: 'Save catalog' }).click();
  await page.locator('#catalog-json-error', { hasText: 'metrics[0].name' }).waitFor();
  await shot(page, 'admin-catalogs');
});

test('a phone-sized screen (390x844) has a usable, collapsible navigation', async () => {
  const page = await newPage('phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signInThroughUi(page, 'admin', server.passwords.admin);
  await page.locator('#ask-input').waitFor();
  const toggle = page.getByRole('button', { name: 'Menu' });
  assert.ok(await toggle.isVisible());
  assert.equal(await page.locator('#nav').isVisible(), false, 'the nav is collapsed');
  await shot(page, 'phone-ask');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const links = page.locator('#nav a');
  for (let i = 0; i < await links.count(); i++) {
    const box = await links.nth(i).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.height >= 32, `link ${i} fits and is tappable: ${JSON.stringify(box)}`);
  }
  await shot(page, 'phone-nav');
  await page.locator('#nav').getByRole('link', { name: 'My history' }).click();
  await page.locator('#history-result').waitFor();
  assert.equal(await page.locator('#nav').isVisible(), false, 'the nav closes after choosing');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 390, `page wider than the screen: ${overflow}`);
  await page.locator('#history-result tbody tr').first().waitFor();
  await shot(page, 'phone-history');
  await page.context().close();
});

test('keyboard alone: sign in, reach the navigation and sign out with Tab and Enter', async () => {
  const page = await newPage('keyboard');
  await page.goto(server.base + '/');
  await page.locator('#signin-username').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-username');
  await page.keyboard.type('analyst002');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORDS.analyst002);
  await page.keyboard.press('Enter');
  await page.locator('#ask-input').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ask-input');
  // Shift+Tab walks back through the page into the navigation, to a focus-visible link.
  let reached = '';
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Shift+Tab');
    reached = await page.evaluate(() => (document.activeElement.id === 'sign-out' ? 'sign-out' : ''));
  }
  assert.equal(reached, 'sign-out');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  await page.locator('#signin-message', { hasText: 'You signed out' }).waitFor();
  await page.context().close();
});

test('a token that stops working returns to sign-in with the reason, then to the page asked for', async () => {
  const page = await newPage('trader01');
  await signInThroughUi(page, 'trader01', PASSWORDS.trader01);
  await page.locator('#ask-input').waitFor();
  await sleep(1100); // the revocation counts whole seconds: be a second past the token's issue
  const reset = await call('PUT', '/api/v1/users/trader01/password', { token: tokens.admin, body: { password: 'trader-new-pass' } });
  assert.equal(reset.status, 200, reset.text);
  await go(page, '#/history');
  const message = page.locator('#signin-message');
  await message.waitFor();
  assert.match(await message.textContent(), /signed out .*password changed/i);
  assert.equal(await page.locator('#topbar').isVisible(), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('foresight.session')), null);
  await shot(page, 'signin-expired');
  await page.getByLabel('Username').fill('trader01');
  await page.getByLabel('Password').fill('trader-new-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#history-result').waitFor();
  assert.equal(new URL(page.url()).hash, '#/history');
  await page.context().close();
});

test('no console errors or CSP violations on any page', async () => {
  const visits = [['analyst001', ['#/ask', '#/history', '#/patterns', '#/preferences', '#/admin/users']],
    ['admin', ['#/ask', '#/history', '#/patterns', '#/preferences', '#/admin/users', '#/admin/catalogs', '#/admin/stats']]];
  for (const [user, hashes] of visits) {
    const page = await pageFor(user);
    for (const hash of hashes) {
      // A full load of each page, so each one's scripts and styles are checked from the start.
      await page.goto(server.base + '/' + hash);
      await page.reload();
      await page.locator('#topbar').waitFor({ state: 'visible' });
      await page.waitForLoadState('networkidle');
      const violations = await page.evaluate(() => window.__cspViolations);
      assert.deepEqual(violations, [], `${user} ${hash}`);
    }
  }
  const docs = await newPage('docs');
  await docs.goto(server.base + '/docs');
  await docs.locator('.swagger-ui').first().waitFor();
  await shot(docs, 'docs');
  await docs.context().close();
  assert.deepEqual(unexpectedErrors(), [], 'console errors: ' + JSON.stringify(consoleErrors, null, 1));
  // Everything the tests meant to refuse was refused, and nothing else.
  assert.deepEqual(server.log.filter((l) => /"level":"error"/.test(l)), []);
});
