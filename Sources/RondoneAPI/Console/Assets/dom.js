// Small DOM helpers. Elements are built with createElement and textContent only (never
// innerHTML), so nothing the API returns is ever parsed as markup, and no inline style
// attribute is written (the Content-Security-Policy refuses those; .style is allowed).

/** `h('div', {class: 'x', onclick: f, dataset: {k: 'v'}}, child, 'text', …)`. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Removes every child of `el`. */
export function clear(el) {
  el.replaceChildren();
  return el;
}

/** An error box with the API's message (or any error's). */
export function errorBox(error) {
  return h('div', { class: 'error', role: 'alert', text: messageOf(error) });
}

export function messageOf(error) {
  if (error && error.message) return error.message;
  return String(error);
}

/** Shows `error` in `slot` (an element kept for errors), or clears it with null. */
export function showError(slot, error) {
  clear(slot);
  if (error) slot.append(errorBox(error));
}

/** A definition list of `[key, value]` pairs. */
export function keyValues(pairs) {
  const dl = h('dl', { class: 'kv' });
  for (const [key, value] of pairs) {
    dl.append(h('dt', { text: key }), h('dd', { text: formatValue(value) }));
  }
  return dl;
}

export function formatValue(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A plain table with `columns` (`[title, row => text or Node]`). */
export function plainTable(columns, rows, onRowClick) {
  const table = h('table', { class: 'plain' });
  table.append(h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { text: title })))));
  const body = h('tbody');
  for (const row of rows) {
    const tr = h('tr', {}, columns.map(([, get]) => {
      const value = get(row);
      return h('td', {}, value instanceof Node ? value : formatValue(value));
    }));
    if (onRowClick) {
      tr.classList.add('click');
      tr.addEventListener('click', () => onRowClick(row));
    }
    body.append(tr);
  }
  table.append(body);
  return table;
}

/** A number shown with at most `digits` significant digits and no exponent for ordinary sizes. */
export function formatNumber(value, digits = 6) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value !== 0 && (Math.abs(value) >= 1e12 || Math.abs(value) < 1e-4)) return value.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(digits)));
}

/** A time in milliseconds as `2024-01-02 03:04:05` (UTC, as the API's times). */
export function formatTime(ms) {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) + ' ' + iso.slice(11, iso.endsWith('.000Z') ? 19 : 23);
}
