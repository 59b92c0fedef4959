// A time-series chart drawn on canvas by this file: time axis, value axis, one path per
// series, drag to zoom (double-click or "Reset zoom" to go back), a legend whose rows
// toggle their series, values of the nearest points under the pointer.
//
// Built for 10 000 series: each series is one canvas path; a series with more points
// than twice the plot's width in pixels is decimated to the first, lowest, highest and
// last point of each pixel column (which draws the same line); the legend is a
// virtualised list; the pointer's overlay is a second canvas, so hovering never redraws
// the series. The element's data attributes say what was drawn, for tests:
// data-series (visible series), data-points (their points inside the view),
// data-drawn-points (vertices drawn after decimation).
import { h, formatNumber, formatTime } from './dom.js';
import { VirtualTable } from './table.js';

const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#8c6d31', '#843c39', '#5254a3',
];
const MARGIN = { left: 70, right: 14, top: 10, bottom: 26 };
const MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3,
  900e3, 1800e3, 3600e3, 7200e3, 10800e3, 21600e3, 43200e3, 86400e3, 172800e3, 604800e3,
  1209600e3, 2592000e3, 7776000e3, 31536000e3,
];

function lowerBound(array, value) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(array, value) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function niceTicks(min, max, count) {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function timeLabel(ms, step, span) {
  const iso = new Date(ms).toISOString();
  if (step >= 86400e3) return iso.slice(5, 10);
  if (step < 1e3) return iso.slice(11, 23);
  const clock = step < 60e3 ? iso.slice(11, 19) : iso.slice(11, 16);
  return span > 86400e3 ? `${iso.slice(5, 10)} ${clock}` : clock;
}

export class Chart {
  constructor({ height = 320, legendHeight = 150 } = {}) {
    this.series = [];
    this.view = null;
    this.extent = [0, 1];
    this.layout = null;
    this.drag = null;
    this.legendIndex = [];
    this.base = h('canvas');
    this.overlay = h('canvas', { class: 'overlay' });
    this.tip = h('div', { class: 'tip', hidden: true });
    this.plot = h('div', { class: 'plot' }, this.base, this.overlay, this.tip);
    this.plot.style.height = `${height}px`;
    this.info = h('span', { class: 'grow' });
    this.resetButton = h('button', { type: 'button', class: 'secondary', text: 'Reset zoom', disabled: true, onclick: () => this.resetZoom() });
    this.legendFilter = h('input', { type: 'search', placeholder: 'Filter legend', oninput: () => this.filterLegend() });
    this.legend = new VirtualTable(
      [{ title: '', width: '1fr', get: (s) => h('span', {}, this.swatch(s), s.label) }],
      { height: legendHeight, rowHeight: 22, className: 'legend', onRowClick: (s) => this.toggle(s), rowClass: (s) => (s.hidden ? 'off' : '') },
    );
    const legendBar = h('div', { class: 'bar' }, this.legendFilter,
      h('button', { type: 'button', class: 'secondary', text: 'Show all', onclick: () => this.setHidden(false) }),
      h('button', { type: 'button', class: 'secondary', text: 'Hide all', onclick: () => this.setHidden(true) }),
      h('span', { class: 'muted', text: 'click a legend row to toggle its series; drag on the chart to zoom' }));
    this.el = h('div', { class: 'chart', dataset: { series: '0', points: '0', drawnPoints: '0' } },
      h('div', { class: 'bar' }, this.info, this.resetButton), this.plot, legendBar, this.legend.el);
    this.overlay.addEventListener('mousedown', (e) => this.onDown(e));
    this.overlay.addEventListener('mousemove', (e) => this.onMove(e));
    this.overlay.addEventListener('mouseleave', () => this.hideHover());
    this.overlay.addEventListener('dblclick', () => this.resetZoom());
    this.onUp = (e) => this.finishDrag(e);
    window.addEventListener('mouseup', this.onUp);
    this.resizeObserver = new ResizeObserver(() => this.draw());
    this.resizeObserver.observe(this.plot);
  }

  /** Stops listening (when the page goes away). */
  destroy() {
    window.removeEventListener('mouseup', this.onUp);
    this.resizeObserver.disconnect();
  }

  swatch(s) {
    const sw = h('span', { class: 'sw' });
    sw.style.background = s.color;
    return sw;
  }

  /** Replaces the series (`{label, t: Float64Array ms, v: Float64Array, step?}`). */
  setSeries(series) {
    this.series = series;
    let min = Infinity;
    let max = -Infinity;
    series.forEach((s, i) => {
      s.color = PALETTE[i % PALETTE.length];
      s.hidden = false;
      if (s.t.length) {
        min = Math.min(min, s.t[0]);
        max = Math.max(max, s.t[s.t.length - 1]);
      }
    });
    this.extent = Number.isFinite(min) ? [min, max] : [Date.now() - 3600e3, Date.now()];
    this.view = null;
    this.resetButton.disabled = true;
    this.filterLegend();
    this.draw();
  }

  filterLegend() {
    const text = this.legendFilter.value.trim().toLowerCase();
    this.legendIndex = text ? this.series.filter((s) => s.label.toLowerCase().includes(text)) : this.series;
    this.legend.setRows(this.legendIndex.length, (i) => this.legendIndex[i]);
  }

  toggle(s) {
    s.hidden = !s.hidden;
    this.legend.refresh();
    this.draw();
  }

  setHidden(hidden) {
    for (const s of this.legendIndex) s.hidden = hidden;
    this.legend.refresh();
    this.draw();
  }

  resetZoom() {
    this.view = null;
    this.resetButton.disabled = true;
    this.draw();
  }

  /** Zooms to `[from, to]` (milliseconds). */
  zoom(from, to) {
    this.view = [Math.min(from, to), Math.max(from, to)];
    this.resetButton.disabled = false;
    this.draw();
  }

  draw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  sizeCanvas(canvas, width, height, ratio) {
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return ctx;
  }

  drawNow() {
    const started = performance.now();
    const width = this.plot.clientWidth;
    const height = this.plot.clientHeight;
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    const ctx = this.sizeCanvas(this.base, width, height, ratio);
    this.sizeCanvas(this.overlay, width, height, ratio);
    let [x0, x1] = this.view ?? this.extent;
    if (x1 - x0 < 1) {
      x0 -= 30e3;
      x1 += 30e3;
    }
    const visible = this.series.filter((s) => !s.hidden);
    let ymin = Infinity;
    let ymax = -Infinity;
    for (const s of visible) {
      const to = upperBound(s.t, x1);
      for (let i = lowerBound(s.t, x0); i < to; i++) {
        const y = s.v[i];
        if (!Number.isFinite(y)) continue;
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
      }
    }
    if (!Number.isFinite(ymin) || !Number.isFinite(ymax)) {
      ymin = Number.isFinite(ymin) ? ymin : 0;
      ymax = Number.isFinite(ymax) ? ymax : ymin + 1;
    }
    if (ymax === ymin) {
      const pad = Math.abs(ymin) * 0.1 || 1;
      ymin -= pad;
      ymax += pad;
    } else {
      const pad = (ymax - ymin) * 0.05;
      ymin -= pad;
      ymax += pad;
    }
    const px0 = MARGIN.left;
    const px1 = width - MARGIN.right;
    const py0 = MARGIN.top;
    const py1 = height - MARGIN.bottom;
    const sx = (px1 - px0) / (x1 - x0);
    const sy = (py1 - py0) / (ymax - ymin);
    this.layout = { x0, x1, ymin, ymax, px0, px1, py0, py1, sx, sy };

    // Axes and grid.
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e6e9ee';
    ctx.fillStyle = '#5f6b7a';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.beginPath();
    for (const v of niceTicks(ymin, ymax, Math.max(2, Math.floor((py1 - py0) / 50)))) {
      const y = Math.round(py1 - (v - ymin) * sy) + 0.5;
      ctx.moveTo(px0, y);
      ctx.lineTo(px1, y);
      ctx.fillText(formatNumber(v, 4), px0 - 6, y);
    }
    const span = x1 - x0;
    const maxTicks = Math.max(2, Math.floor((px1 - px0) / 110));
    const step = MS.find((s) => span / s <= maxTicks) ?? MS[MS.length - 1];
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = Math.ceil(x0 / step) * step; t <= x1; t += step) {
      const x = Math.round(px0 + (t - x0) * sx) + 0.5;
      ctx.moveTo(x, py0);
      ctx.lineTo(x, py1);
      const label = timeLabel(t, step, span);
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.max(px0 + half, Math.min(x, width - half - 2)), py1 + 6);
    }
    ctx.stroke();
    ctx.strokeStyle = '#9aa4b1';
    ctx.strokeRect(px0 + 0.5, py0 + 0.5, px1 - px0, py1 - py0);
    ctx.textAlign = 'left';
    ctx.fillText('UTC', 4, py1 + 6);

    // Series: one path each.
    ctx.save();
    ctx.beginPath();
    ctx.rect(px0, py0 - 2, px1 - px0, py1 - py0 + 4);
    ctx.clip();
    ctx.lineWidth = visible.length > 100 ? 1 : 1.5;
    ctx.lineJoin = 'round';
    const columns = px1 - px0;
    const dots = visible.length <= 50;
    let points = 0;
    let drawn = 0;
    for (const s of visible) {
      const i0 = lowerBound(s.t, x0);
      const i1 = upperBound(s.t, x1);
      points += i1 - i0;
      const from = Math.max(0, i0 - 1);
      const to = Math.min(s.t.length, i1 + 1);
      ctx.strokeStyle = s.color;
      ctx.beginPath();
      if (to - from <= 2 * columns) {
        drawn += this.pathAll(ctx, s, from, to, i0, i1, dots && i1 - i0 <= columns / 6);
      } else {
        drawn += this.pathDecimated(ctx, s, from, to);
      }
      ctx.stroke();
    }
    ctx.restore();
    if (!visible.length || !points) {
      ctx.fillStyle = '#5f6b7a';
      ctx.textAlign = 'center';
      ctx.fillText(this.series.length ? 'No point in view' : 'No data', (px0 + px1) / 2, (py0 + py1) / 2);
    }
    this.el.dataset.series = String(visible.length);
    this.el.dataset.points = String(points);
    this.el.dataset.drawnPoints = String(drawn);
    const ms = Math.round(performance.now() - started);
    this.info.textContent = `${this.series.length} series (${visible.length} shown), ${points} points in view, ${drawn} drawn in ${ms} ms` +
      (this.view ? ` — ${formatTime(x0)} to ${formatTime(x1)}` : '');
  }

  /** Every point of `s` from `from` to `to`; returns how many inside the view were drawn. */
  pathAll(ctx, s, from, to, i0, i1, withDots) {
    const { x0, ymin, px0, py1, sx, sy } = this.layout;
    const gap = s.step ? s.step * 1.5 : Infinity;
    let pen = false;
    let previous = -Infinity;
    let drawn = 0;
    const marks = [];
    for (let i = from; i < to; i++) {
      const y = s.v[i];
      if (s.t[i] - previous > gap) pen = false;
      previous = s.t[i];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const X = px0 + (s.t[i] - x0) * sx;
      const Y = py1 - (y - ymin) * sy;
      if (pen) ctx.lineTo(X, Y);
      else ctx.moveTo(X, Y);
      pen = true;
      if (i >= i0 && i < i1) {
        drawn++;
        if (withDots) marks.push(X, Y);
      }
    }
    if (marks.length) {
      ctx.fillStyle = s.color;
      for (let k = 0; k < marks.length; k += 2) ctx.fillRect(marks[k] - 2, marks[k + 1] - 2, 4, 4);
    }
    return drawn;
  }

  /** First, lowest, highest and last point of each pixel column; returns the vertices drawn. */
  pathDecimated(ctx, s, from, to) {
    const { x0, ymin, px0, py1, sx, sy } = this.layout;
    let column = NaN;
    let first = 0;
    let low = 0;
    let high = 0;
    let last = 0;
    let lowFirst = true;
    let drawn = 0;
    let pen = false;
    const flush = () => {
      const X = px0 + column + 0.5;
      const ys = [first, lowFirst ? low : high, lowFirst ? high : low, last];
      let previous = NaN;
      for (const y of ys) {
        if (y === previous) continue;
        previous = y;
        const Y = py1 - (y - ymin) * sy;
        if (pen) ctx.lineTo(X, Y);
        else ctx.moveTo(X, Y);
        pen = true;
        drawn++;
      }
    };
    for (let i = from; i < to; i++) {
      const y = s.v[i];
      if (!Number.isFinite(y)) continue;
      const c = Math.floor((s.t[i] - x0) * sx);
      if (c !== column) {
        if (column === column) flush();
        column = c;
        first = low = high = last = y;
        lowFirst = true;
      } else {
        if (y < low) {
          low = y;
          lowFirst = high === first;
        }
        if (y > high) {
          high = y;
          lowFirst = low !== first;
        }
        last = y;
      }
    }
    if (column === column) flush();
    return drawn;
  }

  position(e) {
    const rect = this.overlay.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  onDown(e) {
    if (e.button !== 0 || !this.layout) return;
    const [x] = this.position(e);
    if (x < this.layout.px0 || x > this.layout.px1) return;
    this.drag = { from: x, to: x };
    e.preventDefault();
  }

  onMove(e) {
    if (!this.layout) return;
    const [x, y] = this.position(e);
    const L = this.layout;
    const ctx = this.sizeCanvas(this.overlay, this.plot.clientWidth, this.plot.clientHeight, window.devicePixelRatio || 1);
    if (this.drag) {
      this.drag.to = Math.max(L.px0, Math.min(L.px1, x));
      ctx.fillStyle = 'rgba(29,78,137,.15)';
      ctx.fillRect(Math.min(this.drag.from, this.drag.to), L.py0, Math.abs(this.drag.to - this.drag.from), L.py1 - L.py0);
      this.tip.hidden = true;
      return;
    }
    if (x < L.px0 || x > L.px1 || y < L.py0 || y > L.py1) {
      this.hideHover();
      return;
    }
    const time = L.x0 + (x - L.px0) / L.sx;
    const near = [];
    for (const s of this.series) {
      if (s.hidden || !s.t.length) continue;
      let i = lowerBound(s.t, time);
      if (i > 0 && (i === s.t.length || time - s.t[i - 1] < s.t[i] - time)) i--;
      const X = L.px0 + (s.t[i] - L.x0) * L.sx;
      if (Math.abs(X - x) > 40) continue;
      const Y = L.py1 - (s.v[i] - L.ymin) * L.sy;
      near.push({ s, t: s.t[i], v: s.v[i], X, Y, d: Math.abs(Y - y) + Math.abs(X - x) / 4 });
    }
    if (!near.length) {
      this.hideHover();
      return;
    }
    near.sort((a, b) => a.d - b.d);
    const shown = near.slice(0, 12);
    ctx.strokeStyle = 'rgba(28,36,48,.5)';
    ctx.beginPath();
    ctx.moveTo(Math.round(shown[0].X) + 0.5, L.py0);
    ctx.lineTo(Math.round(shown[0].X) + 0.5, L.py1);
    ctx.stroke();
    for (const p of shown) {
      ctx.fillStyle = p.s.color;
      ctx.beginPath();
      ctx.arc(p.X, p.Y, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    this.tip.replaceChildren(
      h('div', { text: formatTime(shown[0].t) }),
      ...shown.map((p) => h('div', {}, this.swatch(p.s), `${p.s.label}: `, h('b', { text: formatNumber(p.v) }))),
      near.length > shown.length ? h('div', { class: 'muted', text: `… and ${near.length - shown.length} more` }) : null,
    );
    this.tip.hidden = false;
    const left = x + 16 + this.tip.offsetWidth > this.plot.clientWidth ? x - 16 - this.tip.offsetWidth : x + 16;
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${Math.max(0, Math.min(y, this.plot.clientHeight - this.tip.offsetHeight))}px`;
    this.el.dataset.hover = String(shown.length);
  }

  hideHover() {
    if (this.drag) return;
    this.tip.hidden = true;
    if (this.layout) this.sizeCanvas(this.overlay, this.plot.clientWidth, this.plot.clientHeight, window.devicePixelRatio || 1);
  }

  finishDrag() {
    if (!this.drag) return;
    const { from, to } = this.drag;
    this.drag = null;
    this.hideHover();
    if (Math.abs(to - from) < 4) return;
    const L = this.layout;
    this.zoom(L.x0 + (from - L.px0) / L.sx, L.x0 + (to - L.px0) / L.sx);
  }
}
