// The query page: PromQL (the Prometheus-compatible API under /prometheus/api/v1/) or
// Gnocchi's operations language (POST /v1/aggregates, over metric ids or over the
// resources a search finds), the answer as a chart and as a table.
import { api } from './api.js';
import { h, showError, formatNumber, formatTime } from './dom.js';
import { Chart } from './chart.js';
import { VirtualTable } from './table.js';
import { fromAggregates, fromPrometheus } from './series.js';

const RANGES = [['5m', 300], ['15m', 900], ['1h', 3600], ['6h', 21600], ['1d', 86400], ['7d', 604800], ['30d', 2592000], ['1y', 31536000]];
const STORE = 'rondone.console.query';

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE)) ?? {};
  } catch {
    return {};
  }
}

export function mount(page, route) {
  const state = { lang: 'promql', ...saved() };
  if (route.params.get('ops')) Object.assign(state, { lang: 'ops', ops: route.params.get('ops') });
  if (route.params.get('promql')) Object.assign(state, { lang: 'promql', promql: route.params.get('promql') });
  const save = () => sessionStorage.setItem(STORE, JSON.stringify(state));

  // PromQL form.
  const promql = h('textarea', { id: 'promql', rows: 3, placeholder: 'rate(cpu_time[5m])  — PromQL', spellcheck: false, value: state.promql ?? '' });
  const range = h('select', { id: 'promql-range' }, RANGES.map(([label, seconds]) => h('option', { value: String(seconds), text: label, selected: String(seconds) === (state.range ?? '3600') })));
  const end = h('input', { id: 'promql-end', placeholder: 'end: now (RFC 3339 or unix seconds)', value: state.end ?? '' });
  const step = h('input', { id: 'promql-step', placeholder: 'step: auto', size: 10, value: state.step ?? '' });
  const instant = h('input', { type: 'checkbox', id: 'promql-instant', checked: !!state.instant });
  const promForm = h('form', { class: 'panel', id: 'promql-form' }, promql,
    h('div', { class: 'row' }, h('label', {}, 'Range', range), end, step, h('label', {}, instant, 'Instant query'),
      h('span', { class: 'grow' }), h('button', { type: 'submit', text: 'Run' })),
    h('div', { class: 'hint', text: 'Calls /prometheus/api/v1/query_range (or query). Series: one stored aggregation of one metric; see docs/PROMQL.md for the labels.' }));

  // Operations form.
  const ops = h('textarea', { id: 'operations', rows: 3, placeholder: '(aggregate mean (metric METRIC_ID mean))  — or (metric cpu mean) with a resource type and search', spellcheck: false, value: state.ops ?? '' });
  const resourceType = h('select', { id: 'ops-resource-type' }, h('option', { value: '', text: '— metrics by id —' }));
  const search = h('input', { id: 'ops-search', class: 'grow', placeholder: 'search: host = "web1"  or  {"=": {"host": "web1"}}', value: state.search ?? '' });
  const groupby = h('input', { id: 'ops-groupby', placeholder: 'groupby: host,project_id', value: state.groupby ?? '' });
  const start = h('input', { id: 'ops-start', placeholder: 'start (e.g. -1 day)', value: state.start ?? '' });
  const stop = h('input', { id: 'ops-stop', placeholder: 'stop', value: state.stop ?? '' });
  const granularity = h('input', { id: 'ops-granularity', placeholder: 'granularity', size: 10, value: state.granularity ?? '' });
  const fill = h('input', { id: 'ops-fill', placeholder: 'fill', size: 8, value: state.fill ?? '' });
  const opsForm = h('form', { class: 'panel', id: 'ops-form' }, ops,
    h('div', { class: 'row' }, h('label', {}, 'Resources', resourceType), search, groupby),
    h('div', { class: 'row' }, start, stop, granularity, fill, h('span', { class: 'grow' }), h('button', { type: 'submit', text: 'Run' })),
    h('div', { class: 'hint', text: 'POST /v1/aggregates with these operations (docs/QUERY.md); with a resource type, over the resources the search finds.' }));
  api('/v1/resource_type').then((types) => {
    for (const t of types) resourceType.append(h('option', { value: t.name, text: t.name, selected: t.name === state.resourceType }));
  }).catch(() => {});

  const tabs = h('div', { class: 'tabs' });
  const langs = [['promql', 'PromQL', promForm], ['ops', 'Operations (Gnocchi)', opsForm]];
  const showLang = () => {
    tabs.replaceChildren(...langs.map(([key, label]) => h('button', { type: 'button', class: key === state.lang ? 'active' : '', id: `tab-${key}`, text: label, onclick: () => { state.lang = key; save(); showLang(); } })));
    for (const [key, , form] of langs) form.hidden = key !== state.lang;
  };

  const errors = h('div', { id: 'query-error' });
  const status = h('div', { class: 'muted', id: 'query-status' });
  const chart = new Chart({ height: 340 });
  chart.el.id = 'query-chart';
  const table = new VirtualTable([
    { title: 'time (UTC)', width: '180px', get: (r) => formatTime(r.t) },
    { title: 'value', width: '140px', get: (r) => formatNumber(r.v, 10) },
    { title: 'series', width: '1fr', get: (r) => r.label },
  ], { height: 360 });
  table.el.id = 'query-table';
  const resultTabs = h('div', { class: 'tabs' });
  const views = [['chart', 'Chart', chart.el], ['table', 'Table', table.el]];
  let view = 'chart';
  const showView = () => {
    resultTabs.replaceChildren(...views.map(([key, label]) => h('button', { type: 'button', class: key === view ? 'active' : '', id: `view-${key}`, text: label, onclick: () => { view = key; showView(); } })));
    for (const [key, , el] of views) el.hidden = key !== view;
    if (view === 'chart') chart.draw();
    else table.refresh();
  };

  const show = (series, took) => {
    chart.setSeries(series);
    // Table rows: every point of every series, found by series through prefix sums.
    const offsets = new Float64Array(series.length + 1);
    series.forEach((s, i) => { offsets[i + 1] = offsets[i] + s.t.length; });
    table.setRows(offsets[series.length], (row) => {
      let lo = 0;
      let hi = series.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (offsets[mid] <= row) lo = mid;
        else hi = mid - 1;
      }
      const s = series[lo];
      const i = row - offsets[lo];
      return { t: s.t[i], v: s.v[i], label: s.label };
    });
    const points = offsets[series.length];
    status.textContent = `${series.length} series, ${points} points, answered in ${took} ms`;
  };

  let controller = null;
  const run = async (task) => {
    controller?.abort();
    controller = new AbortController();
    showError(errors, null);
    status.textContent = 'Running…';
    const began = performance.now();
    try {
      const series = await task(controller.signal);
      show(series, Math.round(performance.now() - began));
    } catch (error) {
      if (error.name === 'AbortError') return;
      status.textContent = '';
      show([], 0);
      status.textContent = '';
      showError(errors, error);
    }
  };

  promForm.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(state, { promql: promql.value, range: range.value, end: end.value, step: step.value, instant: instant.checked });
    save();
    run(async (signal) => {
      const endSeconds = end.value.trim() ? parseTime(end.value.trim()) : Date.now() / 1000;
      if (instant.checked) {
        const answer = await api('/prometheus/api/v1/query', { method: 'POST', form: { query: promql.value, time: String(endSeconds) }, signal });
        return fromPrometheus(answer.data);
      }
      const rangeSeconds = Number(range.value);
      const stepText = step.value.trim() || String(Math.max(1, Math.round(rangeSeconds / 500)));
      const answer = await api('/prometheus/api/v1/query_range', {
        method: 'POST', signal,
        form: { query: promql.value, start: String(endSeconds - rangeSeconds), end: String(endSeconds), step: stepText },
      });
      return fromPrometheus(answer.data, /^[0-9.]+$/.test(stepText) ? Number(stepText) : undefined);
    });
  });

  opsForm.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(state, { ops: ops.value, resourceType: resourceType.value, search: search.value, groupby: groupby.value, start: start.value, stop: stop.value, granularity: granularity.value, fill: fill.value });
    save();
    run(async (signal) => {
      const body = { operations: ops.value.trim() };
      if (resourceType.value) {
        body.resource_type = resourceType.value;
        const text = search.value.trim();
        body.search = text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text;
      }
      const answer = await api('/v1/aggregates', {
        method: 'POST', json: body, signal,
        query: {
          start: start.value.trim(), stop: stop.value.trim(), granularity: granularity.value.trim(), fill: fill.value.trim(),
          groupby: groupby.value.split(',').map((g) => g.trim()).filter(Boolean),
        },
      });
      return fromAggregates(answer);
    });
  });

  showLang();
  showView();
  page.append(h('h1', { text: 'Query' }), tabs, promForm, opsForm, errors, resultTabs, status, chart.el, table.el);
  return () => {
    controller?.abort();
    chart.destroy();
  };
}

/** Seconds of an RFC 3339 time or of unix seconds. */
function parseTime(text) {
  if (/^-?[0-9.]+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`Cannot read the time ${text}`);
  return ms / 1000;
}
