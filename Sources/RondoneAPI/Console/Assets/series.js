// Answers of the API turned into the chart's series: `{label, labels?, t: Float64Array
// (ms), v: Float64Array, step?}`, points in time order.

const timeCache = new Map();

/** Milliseconds of an API time (`2024-01-02T03:04:05+00:00`); the same text repeats in every
 *  series of an answer, so each is parsed once. */
export function parseTime(text) {
  let ms = timeCache.get(text);
  if (ms === undefined) {
    ms = Date.parse(text);
    if (timeCache.size > 200000) timeCache.clear();
    timeCache.set(text, ms);
  }
  return ms;
}

/** Gnocchi measures `[[time, granularity, value], …]` (optionally only one granularity). */
export function fromMeasures(label, measures, granularity) {
  const rows = granularity === undefined ? measures : measures.filter((m) => m[1] === granularity);
  const t = new Float64Array(rows.length);
  const v = new Float64Array(rows.length);
  rows.forEach((m, i) => {
    t[i] = parseTime(m[0]);
    v[i] = m[2] === null ? NaN : Number(m[2]);
  });
  return { label, t, v };
}

function isMeasures(value) {
  return Array.isArray(value) && (value.length === 0 || (Array.isArray(value[0]) && value[0].length === 3 && typeof value[0][0] === 'string'));
}

/**
 * Every list of measures in an `/v1/aggregates` answer, whatever its shape (by metric id
 * and method, `aggregated`, by resource then metric name and method, or a list of groups),
 * one series per list (split by granularity when it mixes several), named by its path.
 */
export function fromAggregates(answer) {
  const out = [];
  const walk = (value, path) => {
    if (isMeasures(value)) {
      const granularities = [...new Set(value.map((m) => m[1]))];
      for (const g of granularities) {
        const suffix = granularities.length > 1 ? ` @${g}s` : '';
        out.push(fromMeasures(path.join(' / ') + suffix || 'aggregated', value, granularities.length > 1 ? g : undefined));
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const group = item && item.group ? Object.entries(item.group).map(([k, v]) => `${k}=${v}`).join(',') : String(i);
        walk(item && item.measures !== undefined ? item.measures : item, [...path, group]);
      });
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'references') continue;
        walk(inner, key === 'measures' ? path : [...path, key]);
      }
    }
  };
  walk(answer, []);
  return out;
}

/** `name{a="b", …}` as Prometheus writes a label set. */
export function promLabel(metric) {
  const { __name__: name = '', ...rest } = metric ?? {};
  const pairs = Object.keys(rest).sort().map((k) => `${k}="${rest[k]}"`);
  return pairs.length ? `${name}{${pairs.join(', ')}}` : name || '{}';
}

function promValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** A Prometheus query answer's `data` (`matrix`, `vector`, `scalar` or `string`). */
export function fromPrometheus(data, stepSeconds) {
  const step = stepSeconds ? stepSeconds * 1000 : undefined;
  if (data.resultType === 'matrix') {
    return data.result.map((r) => {
      const t = new Float64Array(r.values.length);
      const v = new Float64Array(r.values.length);
      r.values.forEach(([time, value], i) => {
        t[i] = time * 1000;
        v[i] = promValue(value);
      });
      return { label: promLabel(r.metric), labels: r.metric, t, v, step };
    });
  }
  if (data.resultType === 'vector') {
    return data.result.map((r) => ({
      label: promLabel(r.metric), labels: r.metric,
      t: Float64Array.of(r.value[0] * 1000), v: Float64Array.of(promValue(r.value[1])),
    }));
  }
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    const [time, value] = data.result;
    return [{ label: data.resultType, t: Float64Array.of(time * 1000), v: Float64Array.of(promValue(value)) }];
  }
  return [];
}
