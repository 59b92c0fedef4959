// A virtualised table: only the rows in view (plus a few) exist in the DOM, so a list of
// 10 000 series or a table of a million points scrolls as fast as one of ten.
import { h, clear } from './dom.js';

export class VirtualTable {
  /**
   * @param columns `[{title, width ('1fr', '120px'), get: row => text}]`
   * @param options `{height (px), rowHeight (px), onRowClick(row, index), rowClass(row, index)}`
   */
  constructor(columns, { height = 360, rowHeight = 24, onRowClick, rowClass, className = '' } = {}) {
    this.columns = columns;
    this.rowHeight = rowHeight;
    this.onRowClick = onRowClick;
    this.rowClass = rowClass;
    this.count = 0;
    this.rowAt = () => null;
    const template = columns.map((c) => c.width ?? '1fr').join(' ');
    this.head = h('div', { class: 'vhead' }, columns.map((c) => h('span', { text: c.title })));
    this.head.style.gridTemplateColumns = template;
    this.template = template;
    this.spacer = h('div', { class: 'vspacer' });
    this.port = h('div', { class: 'vport', onscroll: () => this.schedule() }, this.spacer);
    this.port.style.height = `${height}px`;
    this.el = h('div', { class: `vtable ${className}`, dataset: { rows: '0' } }, columns.some((c) => c.title) ? this.head : null, this.port);
    this.el.style.setProperty('--row', `${rowHeight}px`);
    this.pending = false;
    this.rendered = '';
  }

  /** Shows `count` rows; `rowAt(i)` gives row i when it comes into view. */
  setRows(count, rowAt) {
    this.count = count;
    this.rowAt = rowAt;
    this.el.dataset.rows = String(count);
    this.spacer.style.height = `${count * this.rowHeight}px`;
    this.rendered = '';
    this.render();
  }

  /** Redraws the rows in view (after their contents changed). */
  refresh() {
    this.rendered = '';
    this.render();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const height = this.port.clientHeight || parseInt(this.port.style.height, 10);
    const first = Math.max(0, Math.floor(this.port.scrollTop / this.rowHeight) - 5);
    const last = Math.min(this.count, Math.ceil((this.port.scrollTop + height) / this.rowHeight) + 5);
    const key = `${first}:${last}:${this.count}`;
    if (key === this.rendered) return;
    this.rendered = key;
    clear(this.spacer);
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const row = this.rowAt(i);
      const el = h('div', { class: 'vrow' }, this.columns.map((c) => {
        const value = c.get(row, i);
        const cell = h('span', {}, value instanceof Node ? value : String(value ?? ''));
        if (!(value instanceof Node)) cell.title = String(value ?? '');
        return cell;
      }));
      el.style.gridTemplateColumns = this.template;
      el.style.top = `${i * this.rowHeight}px`;
      const extra = this.rowClass?.(row, i);
      if (extra) el.classList.add(...extra.split(' ').filter(Boolean));
      if (this.onRowClick) {
        el.classList.add('click');
        el.addEventListener('click', () => this.onRowClick(row, i));
      }
      fragment.append(el);
    }
    this.spacer.append(fragment);
  }
}
