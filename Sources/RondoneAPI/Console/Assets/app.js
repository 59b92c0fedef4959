// The console's entry point: routes (`#/query`, `#/resources[/type[/id]]`,
// `#/metric/id`, `#/policies`, `#/status`) to pages, and the sign-in dialog. Each page
// module exports `mount(element, route)`, which may return a function called when the
// page is left.
import { credentials, setCredentials, clearCredentials, describeCredentials, api } from './api.js';
import * as query from './query.js';
import * as resources from './resources.js';
import * as policies from './policies.js';
import * as status from './status.js';

const PAGES = {
  query: query.mount,
  resources: resources.mount,
  metric: resources.mountMetric,
  policies: policies.mount,
  status: status.mount,
};

const main = document.getElementById('page');
let leave = null;

function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = hash.split('?');
  const [name = 'query', ...parts] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: PAGES[name] ? name : 'query', parts, params: new URLSearchParams(search) };
}

function render() {
  const route = parseRoute();
  if (leave) leave();
  leave = null;
  main.replaceChildren();
  main.dataset.page = route.name;
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.page === route.name || (route.name === 'metric' && link.dataset.page === 'resources'));
  }
  document.getElementById('who').textContent = describeCredentials();
  const result = PAGES[route.name](main, route);
  if (typeof result === 'function') leave = result;
}

// Sign-in.
const dialog = document.getElementById('sign-in');
const form = document.getElementById('sign-in-form');
const signInError = document.getElementById('sign-in-error');

function showMode() {
  const mode = form.elements.mode.value;
  form.querySelector('.mode-basic').hidden = mode !== 'basic';
  form.querySelector('.mode-keystone').hidden = mode !== 'keystone';
}

function askForCredentials(reason) {
  if (dialog.open) return;
  const c = credentials();
  if (c) {
    form.elements.mode.value = c.mode;
    form.elements.user.value = c.user ?? '';
    form.elements.userId.value = c.userId ?? '';
    form.elements.projectId.value = c.projectId ?? '';
    form.elements.roles.value = c.roles ?? '';
  }
  document.getElementById('sign-in-reason').textContent = reason;
  signInError.hidden = true;
  showMode();
  dialog.showModal();
}

form.addEventListener('change', showMode);
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = form.elements;
  const value = { mode: f.mode.value };
  if (value.mode === 'basic') Object.assign(value, { user: f.user.value.trim() || 'admin', password: f.password.value });
  if (value.mode === 'keystone') Object.assign(value, { userId: f.userId.value.trim(), projectId: f.projectId.value.trim(), roles: f.roles.value.trim() });
  const previous = credentials();
  setCredentials(value);
  try {
    // Any call that needs the caller tells whether the credentials are taken.
    await api('/v1/resource_type');
    f.password.value = '';
    dialog.close();
    render();
  } catch (error) {
    if (previous) setCredentials(previous);
    else clearCredentials();
    signInError.textContent = error.status === 401 ? 'Refused: unknown user, wrong password or missing headers (401).' : error.message;
    signInError.hidden = false;
  }
});
dialog.addEventListener('cancel', (e) => {
  if (!credentials()) e.preventDefault();
});

document.getElementById('sign-out').addEventListener('click', () => {
  clearCredentials();
  if (leave) leave();
  leave = null;
  main.replaceChildren();
  document.getElementById('who').textContent = '';
  askForCredentials('Signed out. Sign in again to call the API.');
});

window.addEventListener('rondone:unauthorized', () => askForCredentials('The server refused the credentials (401): sign in.'));
// No page calls the API before there are credentials (a call without them is a 401).
window.addEventListener('hashchange', () => {
  if (credentials()) render();
});

if (credentials()) render();
else askForCredentials('The console calls the API with your credentials (kept in this tab only).');
