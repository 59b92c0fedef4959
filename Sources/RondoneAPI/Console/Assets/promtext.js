// A reader of Prometheus's text exposition format (what /metrics answers): families with
// their type and help, and samples with their labels.

function parseLabels(text) {
  const labels = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m;
  while ((m = re.exec(text)) !== null) {
    labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

function parseValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** `Map(name → {name, type, help, samples: [{name, labels, value}]})`; a sample of a
 *  histogram or summary (`_bucket`, `_sum`, `_count`) goes to its family. */
export function parsePrometheusText(text) {
  const families = new Map();
  const family = (name) => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (m && m[1] === 'HELP') family(m[2]).help = m[3];
      if (m && m[1] === 'TYPE') family(m[2]).type = m[3];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const name = m[1];
    let owner = name;
    for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
      const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;
      if (base && families.has(base)) {
        owner = base;
        break;
      }
    }
    family(owner).samples.push({ name, labels: m[3] ? parseLabels(m[3]) : {}, value: parseValue(m[4]) });
  }
  return families;
}
