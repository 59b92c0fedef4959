// Archive policies (what is kept: granularities, points, aggregation methods) and the
// rules that choose a policy for a new metric by its name.
import { api } from './api.js';
import { h, showError, plainTable } from './dom.js';

export function mount(page) {
  const errors = h('div', { id: 'policies-error' });
  const policies = h('div', { class: 'panel', id: 'archive-policies' }, h('h2', { text: 'Archive policies' }));
  const rules = h('div', { class: 'panel', id: 'archive-policy-rules' }, h('h2', { text: 'Archive policy rules' }));
  page.append(h('h1', { text: 'Archive policies and rules' }), errors, policies, rules);
  api('/v1/archive_policy').then((list) => {
    policies.append(plainTable([
      ['name', (p) => p.name],
      ['definition', (p) => h('div', {}, (p.definition ?? []).map((d) => h('div', { class: 'mono', text: `${d.granularity} × ${d.points} points = ${d.timespan}` })))],
      ['aggregation methods', (p) => (p.aggregation_methods ?? []).slice().sort().join(', ')],
      ['back window', (p) => p.back_window],
    ], list));
  }).catch((error) => showError(errors, error));
  api('/v1/archive_policy_rule').then((list) => {
    rules.append(list.length
      ? plainTable([['name', (r) => r.name], ['metric pattern', (r) => r.metric_pattern], ['archive policy', (r) => r.archive_policy_name]], list)
      : h('p', { class: 'muted', text: 'No rule: a metric created without a policy is refused.' }));
  }).catch((error) => showError(errors, error));
}
