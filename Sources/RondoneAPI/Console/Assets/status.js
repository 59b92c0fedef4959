// Status: the processing backlog (/v1/status?details=true), the metricd members, and the
// server's own metrics (/metrics, Prometheus text) with the main ones on cards.
import { api } from './api.js';
import { h, clear, showError, keyValues, plainTable, formatNumber } from './dom.js';
import { VirtualTable } from './table.js';
import { parsePrometheusText } from './promtext.js';

/** Families shown on cards when the server has them: [family, title, how to reduce]. */
const MAIN = [
  ['rondone_http_requests_total', 'HTTP requests', 'sum'],
  ['rondone_http_request_duration_seconds', 'mean request time (s)', 'mean'],
  ['rondone_http_auth_failures_total', 'refused logins', 'sum'],
  ['rondone_active_metrics', 'active metrics', 'sum'],
  ['rondone_metricd_measures_processed_total', 'measures processed', 'sum'],
  ['rondone_metricd_backlog_measures', 'backlog (measures)', 'sum'],
  ['process_resident_memory_bytes', 'resident memory (bytes)', 'sum'],
  ['process_cpu_seconds_total', 'CPU (s)', 'sum'],
];

function reduce(family, how) {
  if (how === 'mean') {
    const sum = family.samples.filter((s) => s.name.endsWith('_sum')).reduce((a, s) => a + s.value, 0);
    const count = family.samples.filter((s) => s.name.endsWith('_count')).reduce((a, s) => a + s.value, 0);
    return count ? sum / count : NaN;
  }
  const plain = family.samples.filter((s) => !/_(bucket|sum|count|created)$/.test(s.name) || s.name === family.name);
  return (plain.length ? plain : family.samples.filter((s) => s.name.endsWith('_count'))).reduce((a, s) => a + s.value, 0);
}

export function mount(page) {
  const errors = h('div', { id: 'status-error' });
  const backlog = h('div', { class: 'panel', id: 'status-backlog' }, h('h2', { text: 'Processing backlog' }));
  const members = h('div', { class: 'panel', id: 'status-metricd' }, h('h2', { text: 'metricd' }));
  const cards = h('div', { class: 'cards', id: 'self-metric-cards' });
  const filter = h('input', { type: 'search', placeholder: 'Filter metrics', oninput: () => showFamilies() });
  const samples = h('div', { class: 'mono', id: 'self-metric-samples' });
  const routes = h('div', { id: 'self-metric-routes' });
  let families = [];
  const table = new VirtualTable([
    { title: 'metric', width: '2fr', get: (f) => f.name },
    { title: 'type', width: '90px', get: (f) => f.type },
    { title: 'series', width: '70px', get: (f) => f.samples.length },
    { title: 'value (sum)', width: '120px', get: (f) => formatNumber(reduce(f, 'sum')) },
    { title: 'help', width: '3fr', get: (f) => f.help },
  ], { height: 320, onRowClick: (f) => showSamples(f) });
  table.el.id = 'self-metrics';
  const showFamilies = () => {
    const text = filter.value.trim().toLowerCase();
    const shown = text ? families.filter((f) => f.name.toLowerCase().includes(text)) : families;
    table.setRows(shown.length, (i) => shown[i]);
  };
  const showSamples = (f) => {
    clear(samples).append(h('h2', { text: f.name }), ...f.samples.slice(0, 500).map((s) => {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(', ');
      return h('div', { text: `${s.name}{${labels}} ${formatNumber(s.value, 10)}` });
    }));
  };
  const refresh = h('button', { type: 'button', class: 'secondary', text: 'Refresh', onclick: () => load() });
  const self = h('div', { class: 'panel' }, h('div', { class: 'row' }, h('h2', { class: 'grow', text: 'Server metrics (/metrics)' }), filter, refresh), cards, routes, h('h2', { text: 'Every metric' }), table.el, samples);
  page.append(h('h1', { text: 'Status' }), errors, backlog, members, self);

  const load = async () => {
    showError(errors, null);
    const problems = [];
    try {
      const status = await api('/v1/status', { query: { details: 'true' } });
      const storage = status.storage ?? {};
      const summary = storage.summary ?? {};
      const perMetric = Object.entries(storage.measures_to_process ?? {}).sort((a, b) => b[1] - a[1]);
      clear(backlog).append(...[h('h2', { text: 'Processing backlog' }),
        h('div', { class: 'cards' },
          h('div', { class: 'card', id: 'backlog-measures' }, h('div', { class: 'v', text: formatNumber(summary.measures ?? 0) }), h('div', { class: 'k', text: 'measures waiting' })),
          h('div', { class: 'card', id: 'backlog-metrics' }, h('div', { class: 'v', text: formatNumber(summary.metrics ?? 0) }), h('div', { class: 'k', text: 'metrics with measures waiting' }))),
        perMetric.length ? h('details', {}, h('summary', { text: `by metric (${perMetric.length})` }),
          keyValues(perMetric.slice(0, 200))) : null].filter(Boolean));
      const processors = status.metricd?.processors;
      clear(members).append(h('h2', { text: 'metricd' }), processors
        ? h('ul', {}, processors.map((p) => h('li', { class: 'mono', text: p })))
        : h('p', { class: 'muted', text: 'No member list (processing runs inside this server).' }));
    } catch (error) {
      problems.push(error);
    }
    try {
      const text = await api('/metrics', { text: true });
      const parsed = parsePrometheusText(text);
      families = [...parsed.values()].sort((a, b) => a.name.localeCompare(b.name));
      const main = MAIN.filter(([name]) => parsed.has(name));
      clear(cards).append(...main.map(([name, title, how]) => h('div', { class: 'card', dataset: { metric: name } },
        h('div', { class: 'v', text: formatNumber(reduce(parsed.get(name), how), 4) }), h('div', { class: 'k', text: title }))));
      cards.dataset.families = String(families.length);
      const requests = parsed.get('rondone_http_requests_total')?.samples ?? [];
      const byRoute = requests.filter((r) => r.value > 0).sort((a, b) => b.value - a.value);
      clear(routes).append(...(byRoute.length ? [h('h2', { text: 'Requests by route' }), plainTable([
        ...[...new Set(byRoute.flatMap((r) => Object.keys(r.labels)))].map((k) => [k, (r) => r.labels[k]]),
        ['requests', (r) => formatNumber(r.value, 10)],
      ], byRoute.slice(0, 50))] : []));
      showFamilies();
    } catch (error) {
      problems.push(error);
    }
    if (problems.length) showError(errors, problems.map((e) => e.message).join('\n'));
  };
  load();
}
