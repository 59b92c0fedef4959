// The resource browser: resource types, the resources of one found by Gnocchi's search
// (a filter string, `filter=`, or the JSON syntax), a resource's attributes, metrics
// and history, and a metric's measures at each granularity of its archive policy.
import { api, seg } from './api.js';
import { h, clear, showError, keyValues, plainTable, formatNumber, formatTime, formatValue } from './dom.js';
import { Chart } from './chart.js';
import { VirtualTable } from './table.js';
import { fromAggregates, fromMeasures } from './series.js';

const BASE = new Set(['id', 'type', 'original_resource_id', 'started_at', 'ended_at', 'revision_start', 'revision_end', 'project_id', 'user_id', 'created_by_project_id', 'created_by_user_id', 'creator', 'metrics']);
const PAGE = 1000;
const MAX_RESOURCES = 100000;

/** Every resource a search finds, page by page (the server clamps `limit` to its max_limit). */
async function searchAll(type, filter, signal, progress) {
  const text = filter.trim();
  const json = text.startsWith('{') ? JSON.parse(text) : undefined;
  const all = [];
  let pageSize = null;
  let marker;
  for (;;) {
    const query = { limit: PAGE, marker, filter: json === undefined && text ? text : undefined };
    const page = await api(`/v1/search/resource/${seg(type)}`, { method: 'POST', json, query, signal });
    all.push(...page);
    progress(all.length);
    if (pageSize === null) pageSize = page.length;
    if (!page.length || page.length < pageSize || all.length >= MAX_RESOURCES) break;
    marker = page[page.length - 1].id;
  }
  return all;
}

export function mount(page, route) {
  const [type, id] = route.parts;
  if (type && id) return mountResource(page, type, id);
  const errors = h('div', { id: 'resources-error' });
  const typeList = h('ul', { class: 'list-plain', id: 'resource-types' });
  const filter = h('input', { id: 'resource-filter', class: 'grow', placeholder: 'filter: host = "web1" and started_at > "2024-01-01"   or JSON: {"=": {"host": "web1"}}', value: route.params.get('filter') ?? '' });
  const count = h('span', { class: 'muted', id: 'resource-count' });
  const form = h('form', { class: 'row', id: 'resource-search' }, filter, h('button', { type: 'submit', text: 'Search' }), count);
  const current = type || 'generic';
  let controller = null;
  let columns = [];
  const table = new VirtualTable([], { height: 480 });
  table.el.id = 'resource-list';
  const holder = h('div');

  const load = async () => {
    controller?.abort();
    controller = new AbortController();
    showError(errors, null);
    count.textContent = 'Searching…';
    try {
      const resources = await searchAll(current, filter.value, controller.signal, (n) => { count.textContent = `${n} resources…`; });
      const extra = [...new Set(resources.slice(0, 50).flatMap((r) => Object.keys(r).filter((k) => !BASE.has(k))))].slice(0, 4);
      columns = [
        { title: 'id', width: '300px', get: (r) => r.id },
        { title: 'original id', width: '1fr', get: (r) => r.original_resource_id },
        ...extra.map((k) => ({ title: k, width: '1fr', get: (r) => formatValue(r[k]) })),
        { title: 'metrics', width: '70px', get: (r) => Object.keys(r.metrics ?? {}).length },
        { title: 'started', width: '170px', get: (r) => r.started_at?.slice(0, 19).replace('T', ' ') },
      ];
      const next = new VirtualTable(columns, { height: 480, onRowClick: (r) => { location.hash = `#/resources/${seg(current)}/${seg(r.id)}`; } });
      next.el.id = 'resource-list';
      holder.replaceChildren(next.el);
      next.setRows(resources.length, (i) => resources[i]);
      count.textContent = `${resources.length} resource${resources.length === 1 ? '' : 's'}${resources.length >= MAX_RESOURCES ? ' (first ' + MAX_RESOURCES + ')' : ''}`;
    } catch (error) {
      if (error.name === 'AbortError') return;
      count.textContent = '';
      showError(errors, error);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  holder.append(table.el);

  api('/v1/resource_type').then((types) => {
    typeList.replaceChildren(...types.map((t) => h('li', {
      class: t.name === current ? 'active' : '', text: t.name, dataset: { type: t.name },
      onclick: () => { location.hash = `#/resources/${seg(t.name)}`; },
    })));
    const selected = types.find((t) => t.name === current);
    if (selected && Object.keys(selected.attributes ?? {}).length) {
      typeAttrs.replaceChildren(h('span', { text: 'attributes: ' }), Object.entries(selected.attributes).map(([k, a]) => `${k} (${a.type}${a.required ? ', required' : ''}) `).join(''));
    }
  }).catch((error) => showError(errors, error));
  const typeAttrs = h('div', { class: 'hint' });

  load();
  page.append(h('h1', { text: `Resources — ${current}` }),
    h('div', { class: 'split' },
      h('div', { class: 'panel' }, h('h2', { text: 'Resource types' }), typeList),
      h('div', { class: 'panel' }, form, typeAttrs, errors, holder)));
  return () => controller?.abort();
}

/** The API's limit of metric references in one `/v1/aggregates` query (docs/QUERY.md). */
const REFERENCES_PER_QUERY = 1000;

function mountResource(page, type, id) {
  const errors = h('div', { id: 'resource-error' });
  const body = h('div');
  let chart = null;
  let controller = null;
  page.append(h('h1', {}, h('a', { href: `#/resources/${seg(type)}`, text: type }), ` / ${id}`), errors, body);
  (async () => {
    try {
      const [resource, history] = await Promise.all([
        api(`/v1/resource/${seg(type)}/${seg(id)}`),
        api(`/v1/resource/${seg(type)}/${seg(id)}/history`),
      ]);
      const metrics = Object.entries(resource.metrics ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const keys = [...new Set(history.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'metrics' && k !== 'id' && k !== 'type');
      const list = new VirtualTable([
        { title: 'name', width: '1fr', get: ([name]) => name },
        { title: 'id', width: '2fr', get: ([, metricId]) => metricId },
      ], { height: Math.min(300, 4 + metrics.length * 24), onRowClick: ([, metricId]) => { location.hash = `#/metric/${seg(metricId)}`; } });
      list.el.id = 'resource-metric-list';
      chart = new Chart({ height: 300 });
      chart.el.id = 'resource-chart';
      chart.el.hidden = true;
      const chartStatus = h('span', { class: 'muted', id: 'resource-chart-status' });
      const chartAll = h('button', {
        type: 'button', class: 'secondary', id: 'resource-chart-all', text: `Chart all ${metrics.length} metrics (mean)`, disabled: !metrics.length,
        onclick: async () => {
          controller?.abort();
          controller = new AbortController();
          showError(errors, null);
          try {
            const series = await chartMetrics(metrics, controller.signal, (text) => { chartStatus.textContent = text; });
            chart.el.hidden = false;
            chart.setSeries(series);
          } catch (error) {
            if (error.name === 'AbortError') return;
            chartStatus.textContent = '';
            showError(errors, error);
          }
        },
      });
      body.append(
        h('div', { class: 'panel' }, h('h2', { text: 'Attributes' }), keyValues(Object.entries(resource).filter(([k]) => k !== 'metrics'))),
        h('div', { class: 'panel', id: 'resource-metrics' }, h('h2', { text: `Metrics (${metrics.length})` }), list.el,
          h('div', { class: 'row' }, chartAll, chartStatus), chart.el),
        h('div', { class: 'panel', id: 'resource-history' }, h('h2', { text: `History (${history.length} revisions)` }),
          plainTable(keys.map((k) => [k, (r) => r[k]]), history)),
      );
      list.setRows(metrics.length, (i) => metrics[i]);
    } catch (error) {
      showError(errors, error);
    }
  })();
  return () => {
    controller?.abort();
    chart?.destroy();
  };
}

/** The mean of every metric of `metrics` (`[name, id]`) at the coarsest granularity of the
 *  first one's policy, in queries of at most the API's number of references each. */
async function chartMetrics(metrics, signal, progress) {
  const first = await api(`/v1/metric/${seg(metrics[0][1])}`, { signal });
  const granularities = (first.archive_policy?.definition ?? []).map((d) => timespanSeconds(d.granularity));
  const granularity = granularities.length ? Math.max(...granularities) : undefined;
  const names = new Map(metrics.map(([name, metricId]) => [metricId, name]));
  const series = [];
  for (let i = 0; i < metrics.length; i += REFERENCES_PER_QUERY) {
    progress(`Reading ${i} of ${metrics.length} metrics…`);
    const chunk = metrics.slice(i, i + REFERENCES_PER_QUERY);
    const operations = `(metric ${chunk.map(([, metricId]) => `(${metricId} mean)`).join(' ')})`;
    const answer = await api('/v1/aggregates', { method: 'POST', json: { operations }, query: { granularity }, signal });
    for (const s of fromAggregates(answer)) {
      const [metricId, method] = s.label.split(' / ');
      s.label = `${names.get(metricId) ?? metricId} ${method ?? ''}`.trim();
      series.push(s);
    }
  }
  progress(`${series.length} series at ${granularity ? spanLabel(granularity) : 'every granularity'}`);
  return series;
}

/** Seconds of a timespan as Gnocchi writes it (`0:05:00`, `1 day, 0:00:00`) or a number. */
export function timespanSeconds(text) {
  if (typeof text === 'number') return text;
  const m = /^(?:(\d+) days?, )?(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(String(text));
  if (!m) return Number(text);
  return (Number(m[1] ?? 0) * 86400) + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

function spanLabel(seconds) {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60]]) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}`;
  }
  return `${seconds} s`;
}

export function mountMetric(page, route) {
  const [id] = route.parts;
  const errors = h('div', { id: 'metric-error' });
  const info = h('div', { class: 'panel' });
  const controls = h('div', { class: 'row', id: 'metric-controls' });
  const status = h('div', { class: 'muted', id: 'metric-status' });
  const chart = new Chart({ height: 340 });
  chart.el.id = 'metric-chart';
  const table = new VirtualTable([
    { title: 'time (UTC)', width: '200px', get: (m) => formatTime(m.t) },
    { title: 'granularity', width: '100px', get: (m) => `${m.g} s` },
    { title: 'value', width: '1fr', get: (m) => formatNumber(m.v, 12) },
  ], { height: 300 });
  table.el.id = 'metric-table';
  page.append(h('h1', { text: `Metric ${id}` }), errors, info, h('div', { class: 'panel' }, controls, status, chart.el), h('div', { class: 'panel' }, h('h2', { text: 'Measures' }), table.el));
  let controller = null;
  const state = { granularity: Number(route.params.get('granularity')) || null, aggregation: route.params.get('aggregation') || null };

  const load = async () => {
    controller?.abort();
    controller = new AbortController();
    showError(errors, null);
    status.textContent = 'Loading…';
    try {
      const measures = await api(`/v1/metric/${seg(id)}/measures`, {
        query: { granularity: state.granularity, aggregation: state.aggregation }, signal: controller.signal,
      });
      const series = fromMeasures(`${state.aggregation} @ ${spanLabel(state.granularity)}`, measures);
      chart.setSeries([series]);
      table.setRows(measures.length, (i) => ({ t: series.t[i], g: measures[i][1], v: series.v[i] }));
      status.textContent = `${measures.length} points at ${spanLabel(state.granularity)} (${state.aggregation})`;
    } catch (error) {
      if (error.name === 'AbortError') return;
      status.textContent = '';
      showError(errors, error);
    }
  };

  (async () => {
    try {
      const metric = await api(`/v1/metric/${seg(id)}`);
      const policy = metric.archive_policy ?? {};
      const definitions = (policy.definition ?? []).map((d) => ({ ...d, seconds: timespanSeconds(d.granularity) })).sort((a, b) => a.seconds - b.seconds);
      const methods = policy.aggregation_methods ?? ['mean'];
      // The metric's details name its resource (`resource`); a list entry has `resource_id`.
      const resourceId = metric.resource?.id ?? metric.resource_id;
      state.granularity ??= definitions[0]?.seconds ?? null;
      state.aggregation ??= methods.includes('mean') ? 'mean' : methods[0];
      info.replaceChildren(keyValues([
        ['name', metric.name], ['unit', metric.unit], ['resource', resourceId], ['archive policy', policy.name],
        ['definition', definitions.map((d) => `${d.points} points at ${d.granularity} (${d.timespan})`).join('; ')], ['creator', metric.creator],
      ]));
      if (resourceId) info.append(h('a', { href: `#/resources/${seg(metric.resource?.type ?? 'generic')}/${seg(resourceId)}`, text: 'its resource' }));
      const granularities = h('div', { class: 'tabs', id: 'granularities' });
      const aggregation = h('select', { id: 'metric-aggregation', onchange: () => { state.aggregation = aggregation.value; load(); } },
        methods.map((m) => h('option', { value: m, text: m, selected: m === state.aggregation })));
      const drawTabs = () => granularities.replaceChildren(...definitions.map((d) => h('button', {
        type: 'button', class: d.seconds === state.granularity ? 'active' : '', text: spanLabel(d.seconds), dataset: { granularity: String(d.seconds) },
        onclick: () => { state.granularity = d.seconds; drawTabs(); load(); },
      })));
      drawTabs();
      controls.replaceChildren(h('span', { class: 'muted', text: 'granularity' }), granularities, h('label', {}, 'aggregation', aggregation));
      await load();
    } catch (error) {
      status.textContent = '';
      showError(errors, error);
    }
  })();
  return () => {
    controller?.abort();
    chart.destroy();
  };
}
