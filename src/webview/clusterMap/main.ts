/**
 * The cluster map webview: receives map models from the extension, draws them (renderer.ts),
 * shows a legend, node details on hover and click, my jobs as buttons, and the same data as a
 * table for screen readers and keyboard use. Everything from the cluster is set as text
 * (textContent), never parsed as HTML. Outside VS Code (the bench) it runs the same, driven
 * through `globalThis.hpcwClusterMap`.
 */
import { CELL_COLOURS, describeNode, nodeCells, CELL_OTHER, STATE_COLOURS, type MapModel, type NodeStateClass } from '../../core/map/model';
import type { MapDiff } from '../../core/map/diff';
import { Palette } from './palette';
import { groupTitle, MapRenderer, type DrawReport } from './renderer';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Inbound =
  | { type: 'model'; model: MapModel; seq?: number }
  | { type: 'diff'; diff: MapDiff }
  | { type: 'selectJob'; jobId: string | undefined; open?: boolean };

const vscode: VsCodeApi = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => undefined };
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('map');
const scroller = $<HTMLDivElement>('scroller');
const spacer = $<HTMLDivElement>('extent');
const tooltip = $<HTMLDivElement>('tooltip');
const details = $<HTMLElement>('details');
const status = $<HTMLElement>('status');
const legend = $<HTMLElement>('legend');
const tableBox = $<HTMLDetailsElement>('tableBox');
const table = $<HTMLDivElement>('table');
const requestBox = $<HTMLDivElement>('request');

const palette = new Palette(getComputedStyle(document.body));
const renderer = new MapRenderer(canvas, palette, { scroller, spacer });
/** The sequence number of the model shown (the extension's diffs apply to it). */
let seq = -1;
let pinned: number | undefined;
let tableFor: MapModel | undefined;
/** The table's row of each node (index in model.nodes) and the partition it is listed under. */
const tableRows = new Map<number, { tr: HTMLTableRowElement; group: string }>();
/** Above this many nodes the table is built only when opened. */
const EAGER_TABLE_NODES = 2000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function swatch(cssVar: string, fallback: string, cls = 'swatch'): HTMLSpanElement {
  const s = el('span', undefined, cls);
  s.style.background = `var(${cssVar}, ${fallback})`;
  s.setAttribute('aria-hidden', 'true');
  return s;
}

function post(report: DrawReport): void {
  const trs = table.querySelectorAll<HTMLTableRowElement>('tbody tr');
  // A small table's rows as they read (tests): node, state, reason.
  const rows = trs.length <= 64 ? [...trs].map((tr) => [...tr.cells].map((c) => c.textContent ?? '').slice(1, 4)) : undefined;
  vscode.postMessage({ type: 'drawn', report, table: trs.length, tableOpen: tableBox.open, rows });
}

function width(): number {
  return Math.max(200, scroller.clientWidth - 2);
}

function show(model: MapModel, full: boolean): DrawReport {
  const report = full || !renderer.model ? renderer.render(model, width(), window.devicePixelRatio || 1) : renderer.update(model);
  return showPage(model, report);
}

/** A diff from the extension: applied to the model shown, or a full model asked for when it does not fit. */
function showDiff(diff: MapDiff): DrawReport | undefined {
  const report = diff.from === seq ? renderer.applyDiff(diff) : undefined;
  if (!report || !renderer.model) {
    seq = -1;
    vscode.postMessage({ type: 'resync' });
    return undefined;
  }
  seq = diff.to;
  return showPage(renderer.model, report, diff.nodes.map(([i]) => i));
}

/** Everything around the drawing: status, legend, request, details, the table (only the `changed` rows of a diff). */
function showPage(model: MapModel, report: DrawReport, changed?: number[]): DrawReport {
  showStatus(model);
  showLegend(model);
  showRequest(model);
  if (pinned !== undefined && pinned >= model.nodes.length) pinned = undefined;
  showDetails();
  if (changed && tableFor) {
    for (const i of changed) {
      const row = tableRows.get(i);
      if (!row) continue;
      const tr = tableRow(model, row.group, i);
      row.tr.replaceWith(tr);
      row.tr = tr;
    }
    tableFor = model;
  } else if (model.nodes.length <= EAGER_TABLE_NODES || tableBox.open) {
    tableFor = undefined;
    buildTable(model);
  }
  else {
    tableFor = undefined;
    table.replaceChildren(el('p', `${model.nodes.length} nodes: the table is built when opened.`));
  }
  if (model.nodes.length <= 64 && !tableBox.dataset.touched) tableBox.open = true;
  canvas.setAttribute('aria-label', summaryText(model));
  post(report);
  return report;
}

function summaryText(model: MapModel): string {
  const cores = model.nodes.reduce((s, n) => s + n.cpus, 0);
  const used = model.nodes.reduce((s, n) => s + Math.min(n.cpusAllocated, n.cpus), 0);
  const states = Object.entries(model.counts).map(([k, v]) => `${v} ${k}`).join(', ');
  return `Cluster map of ${model.cluster}: ${model.nodes.length} nodes in ${model.groups.length} partitions (${states}); ${used} of ${cores} cores allocated. The table below lists the same.`;
}

function showStatus(model: MapModel): void {
  const taken = new Date(model.takenAt);
  const when = Number.isNaN(taken.getTime()) ? model.takenAt : taken.toLocaleTimeString();
  const mine = model.jobs.filter((j) => j.mine);
  status.textContent = `${model.cluster} · ${model.nodes.length} nodes · updated ${when}${model.placement ? '' : ' · cores of my jobs not read yet'}`;
  let jobsBox = document.getElementById('myJobs');
  if (!jobsBox) {
    jobsBox = el('div');
    jobsBox.id = 'myJobs';
    status.after(jobsBox);
  }
  // The buttons again only when my jobs changed (a large site's refresh changes a few nodes).
  const key = `${renderer.selectedJob ?? ''}|${mine.map((j) => `${j.jobId}:${j.name}`).join(',')}`;
  if (jobsBox.dataset.key === key) {
    jobsBox.querySelectorAll<HTMLButtonElement>('button.job').forEach((b, k) => (b.title = jobTitle(mine[k])));
    return;
  }
  jobsBox.dataset.key = key;
  jobsBox.replaceChildren();
  if (mine.length > 0) {
    jobsBox.append(el('span', 'My running jobs: '));
    for (const j of mine) jobsBox.append(jobButton(model, j.jobId));
  }
}

function showLegend(model: MapModel): void {
  legend.replaceChildren();
  const shown = new Set<string>();
  for (const [cls, token] of Object.entries(STATE_COLOURS) as [NodeStateClass, (typeof STATE_COLOURS)[NodeStateClass]][]) {
    const count = model.counts[cls];
    if (!count || shown.has(token.label)) continue;
    shown.add(token.label);
    const item = el('span', undefined, 'item');
    item.append(swatch(token.cssVar, token.fallback, 'swatch border'), el('span', `${token.label} (${count})`));
    legend.append(item);
  }
  for (const key of ['free', 'other', 'mine', 'selected', 'memory'] as const) {
    const t = CELL_COLOURS[key];
    const item = el('span', undefined, 'item');
    item.append(swatch(t.cssVar, t.fallback), el('span', t.label));
    legend.append(item);
  }
}

function showRequest(model: MapModel): void {
  const r = model.request;
  requestBox.hidden = !r;
  requestBox.replaceChildren();
  if (!r) return;
  const clear = el('button', 'Clear');
  clear.addEventListener('click', () => vscode.postMessage({ type: 'clearRequest' }));
  requestBox.append(el('span', `Would take: ${r.nodes.join(', ') || '—'}${r.partition ? ` (${r.partition})` : ''} — ${r.label}`), clear);
}

function jobButton(model: MapModel, jobId: string): HTMLButtonElement {
  const k = model.jobs.findIndex((j) => j.jobId === jobId);
  const j = model.jobs[k];
  const b = el('button', `${jobId}${j?.name ? ` ${j.name}` : ''}`, 'job');
  b.title = j ? jobTitle(j) : jobId;
  if (renderer.selectedJob === k) b.setAttribute('aria-pressed', 'true');
  b.addEventListener('click', () => selectJob(jobId, true));
  return b;
}

function jobTitle(j: MapModel['jobs'][number]): string {
  return `${j.user} · ${j.state} · ${j.partition} · ${j.nodes.join(',')}${j.time ? ` · ${j.time}` : ''} — lights its cores and opens its details`;
}

function selectJob(jobId: string | undefined, open: boolean): void {
  const model = renderer.model;
  if (!model) return;
  const k = jobId === undefined ? -1 : model.jobs.findIndex((j) => j.jobId === jobId);
  const report = renderer.select(k < 0 ? undefined : k);
  for (const b of document.querySelectorAll<HTMLButtonElement>('button.job')) {
    b.setAttribute('aria-pressed', String(b.textContent?.split(' ')[0] === jobId && k >= 0));
  }
  if (report) post(report);
  if (open && k >= 0) vscode.postMessage({ type: 'openJob', jobId });
}

function fillDetails(target: HTMLElement, model: MapModel, i: number, withButtons: boolean): void {
  const d = describeNode(model, i);
  target.replaceChildren(el('h3', d.title));
  for (const line of d.lines) {
    if (withButtons && line.startsWith('Jobs: ') && model.nodes[i].jobs.length > 0) {
      const p = el('p', 'Jobs: ');
      for (const k of model.nodes[i].jobs) p.append(jobButton(model, model.jobs[k].jobId));
      target.append(p);
    } else target.append(el('p', line));
  }
}

function showDetails(): void {
  const model = renderer.model;
  if (!model || pinned === undefined) {
    details.replaceChildren(el('p', 'Hover a node for its details; click it to keep them here. Click a core of a job to light the job and open its details.', 'hint'));
    return;
  }
  fillDetails(details, model, pinned, true);
}

function buildTable(model: MapModel): void {
  if (tableFor === model) return;
  tableFor = model;
  const t = el('table');
  t.append(el('caption', `${model.cluster}: ${model.nodes.length} nodes in ${model.groups.length} partitions`));
  const head = el('tr');
  for (const h of ['Partition', 'Node', 'State', 'Reason', 'CPUs allocated', 'Cores of my jobs', 'Memory (MiB)', 'GRES', 'Jobs']) {
    const th = el('th', h);
    th.scope = 'col';
    head.append(th);
  }
  t.append(el('thead'));
  (t.tHead as HTMLTableSectionElement).append(head);
  const body = el('tbody');
  tableRows.clear();
  for (const g of model.groups) {
    for (const i of g.nodes) {
      const tr = tableRow(model, g.name, i);
      body.append(tr);
      tableRows.set(i, { tr, group: g.name });
    }
  }
  t.append(body);
  table.replaceChildren(t);
}

const cellScratch = new Int32Array(256);

/** The table's row of node `i`, listed under partition `group`. */
function tableRow(model: MapModel, group: string, i: number): HTMLTableRowElement {
  const n = model.nodes[i];
  const tr = el('tr');
  tr.dataset.node = n.name;
  tr.dataset.state = n.stateClass;
  const th = el('th', n.name);
  th.scope = 'row';
  const cells = nodeCells(n, cellScratch.length >= n.cpus ? cellScratch : undefined);
  let mine = 0;
  for (const c of cells) if (c !== CELL_OTHER && c >= 0 && model.jobs[c]?.mine) mine++;
  const jobs = el('td');
  for (const k of n.jobs) jobs.append(jobButton(model, model.jobs[k].jobId));
  tr.append(
    el('td', group),
    th,
    el('td', n.stateText),
    el('td', n.reason ?? ''),
    el('td', `${n.cpusAllocated} of ${n.cpus}`),
    el('td', String(mine)),
    el('td', `${n.memAllocMiB} of ${n.memMiB}`),
    el('td', n.gres),
    jobs,
  );
  return tr;
}

tableBox.addEventListener('toggle', () => {
  tableBox.dataset.touched = '1';
  if (tableBox.open && renderer.model) buildTable(renderer.model);
});

canvas.addEventListener('mousemove', (e) => {
  const model = renderer.model;
  const hit = renderer.hit(e.clientX, e.clientY);
  if (!model || !hit) {
    tooltip.hidden = true;
    return;
  }
  fillDetails(tooltip, model, hit.node, false);
  if (hit.cpu !== undefined) {
    const k = renderer.jobAt(hit.node, hit.cpu);
    tooltip.append(el('p', `Core ${hit.cpu}: ${k === undefined ? 'free or another job' : `job ${model.jobs[k].jobId} (${model.jobs[k].user})`}`, 'hint'));
  }
  tooltip.hidden = false;
  const box = scroller.getBoundingClientRect();
  const x = e.clientX - box.left + scroller.scrollLeft + 14;
  const y = e.clientY - box.top + scroller.scrollTop + 14;
  tooltip.style.left = `${Math.min(x, scroller.scrollWidth - tooltip.offsetWidth - 4)}px`;
  tooltip.style.top = `${y}px`;
});
canvas.addEventListener('mouseleave', () => (tooltip.hidden = true));
// The canvas is the viewport: scrolling draws the rows now visible.
scroller.addEventListener('scroll', () => {
  tooltip.hidden = true;
  renderer.scrolled();
});
canvas.addEventListener('click', (e) => {
  const model = renderer.model;
  const hit = renderer.hit(e.clientX, e.clientY);
  if (!model || !hit) return;
  pinned = hit.node;
  showDetails();
  const k = hit.cpu !== undefined ? renderer.jobAt(hit.node, hit.cpu) : undefined;
  if (k !== undefined) selectJob(model.jobs[k].jobId, true);
});

let resizeQueued = false;
new ResizeObserver(() => {
  if (resizeQueued || !renderer.model) return;
  resizeQueued = true;
  requestAnimationFrame(() => {
    resizeQueued = false;
    if (!renderer.model) return;
    if (Math.abs(width() - canvas.clientWidth) > 8) post(renderer.render(renderer.model, width(), window.devicePixelRatio || 1));
    else renderer.scrolled(); // the viewport's height changed
  });
}).observe(scroller);

// Theme changes: VS Code swaps the body's classes and the variables' values.
new MutationObserver(() => {
  palette.reset();
  if (renderer.model) show(renderer.model, true);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (event: MessageEvent<Inbound>) => {
  const m = event.data;
  if (m?.type === 'model') {
    seq = m.seq ?? -1;
    show(m.model, false);
  } else if (m?.type === 'diff') showDiff(m.diff);
  else if (m?.type === 'selectJob') selectJob(m.jobId, m.open === true);
});

(globalThis as unknown as { hpcwClusterMap: unknown }).hpcwClusterMap = {
  render: (model: MapModel) => show(model, true),
  update: (model: MapModel) => show(model, false),
  renderOnly: (model: MapModel) => renderer.render(model, width(), 1),
  updateOnly: (model: MapModel) => renderer.update(model),
  /** As a diff message from the extension (the model shown must be `diff.from`). */
  diff: (diff: MapDiff) => showDiff(diff),
  diffOnly: (diff: MapDiff) => renderer.applyDiff(diff),
  setSeq: (n: number) => (seq = n),
  scrollTo: (top: number) => {
    scroller.scrollTop = top;
    return renderer.scrolled();
  },
  select: (jobId: string | undefined) => selectJob(jobId, false),
  groupTitle,
};

vscode.postMessage({ type: 'ready' });
// While the extension builds and posts the first model.
renderer.warmUp();
