/**
 * Draws the cluster map into one canvas. Cells are written straight into an ImageData buffer
 * (a Uint32 per pixel, rows filled with TypedArray.fill), which stays fast for a million cores;
 * text (titles, node names) is drawn on top with the 2D context. An update redraws only the
 * nodes whose drawing changed and puts back only their rectangles.
 */
import { gpuMark, hitTest, layoutMap, memoryBar, type MapLayout } from '../../core/map/layout';
import { CELL_COLOURS, CELL_FREE, CELL_OTHER, nodeCells, requestCells, STATE_COLOURS, type ColourToken, type MapModel, type NodeStateClass } from '../../core/map/model';

type CellKind = 'free' | 'other' | 'mine' | 'selected';

const ROW_NONE = -100;
const ROW_EDGE = -1;
const ROW_BAND = -2;
const ROW_MEM = -3;
const ROW_GPU = -4;
const ROW_BOX = -5;

export interface NodeReport {
  name: string;
  group: string;
  stateClass: NodeStateClass;
  reason?: string;
  /** Cells drawn in each colour. */
  cells: Record<CellKind, number>;
  box: { x: number; y: number; width: number; height: number };
}

export interface DrawReport {
  /** full: layout and every node; partial: only the nodes that changed. */
  kind: 'full' | 'partial';
  ms: number;
  /** Where the time went (ms): layout, pixels, put (to the canvas), text. */
  phases: Record<string, number>;
  nodesDrawn: number;
  width: number;
  height: number;
  groups: { name: string; nodes: string[]; alsoIn: string[] }[];
  nodes: NodeReport[];
  selectedJob?: string;
}

/** Resolves theme colours (CSS variables) to RGBA packed for a little-endian Uint32 ImageData view. */
export class Palette {
  private readonly probe: CanvasRenderingContext2D;
  readonly css = new Map<string, string>();
  readonly packed = new Map<string, number>();

  constructor(private readonly style: CSSStyleDeclaration) {
    const c = document.createElement('canvas');
    c.width = c.height = 1;
    this.probe = c.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  }

  resolve(token: ColourToken): { css: string; packed: number } {
    const key = token.cssVar;
    let css = this.css.get(key);
    let packed = this.packed.get(key);
    if (css === undefined || packed === undefined) {
      css = this.style.getPropertyValue(token.cssVar).trim() || token.fallback;
      this.probe.clearRect(0, 0, 1, 1);
      this.probe.fillStyle = token.fallback;
      this.probe.fillStyle = css;
      this.probe.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = this.probe.getImageData(0, 0, 1, 1).data;
      packed = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
      this.css.set(key, css);
      this.packed.set(key, packed);
    }
    return { css, packed };
  }

  /** Forget resolved colours (the theme changed). */
  reset(): void {
    this.css.clear();
    this.packed.clear();
  }
}

export class MapRenderer {
  model: MapModel | undefined;
  layout: MapLayout | undefined;
  selectedJob: number | undefined;
  private image: ImageData | undefined;
  private buf: Uint32Array | undefined;
  private readonly ctx: CanvasRenderingContext2D;
  private signatures: string[] = [];
  private structure = '';
  private cellsScratch = new Int32Array(256);
  private colourScratch = new Uint32Array(256);
  private line = new Uint32Array(256);
  private patch: ImageData | undefined;
  private kindsCache = new Map<number, Int16Array>();
  private reports: NodeReport[] = [];
  private requested = new Map<number, number>();
  private width = 0;
  private dpr = 1;
  private phases: Record<string, number> = {};

  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly palette: Palette,
  ) {
    this.ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  }

  /** Lays out and draws everything. `width` in CSS pixels. */
  render(model: MapModel, width: number, dpr = 1): DrawReport {
    const started = performance.now();
    this.model = model;
    this.width = width;
    // A huge map at 2x would need hundreds of MB of pixels: draw it at 1x.
    const cores = model.nodes.reduce((s, n) => s + n.cpus, 0);
    this.dpr = cores > 40_000 ? 1 : dpr;
    if (this.selectedJob !== undefined && this.selectedJob >= model.jobs.length) this.selectedJob = undefined;
    const layout = layoutMap(model, Math.floor(width * this.dpr), { dpr: this.dpr });
    this.layout = layout;
    this.kindsCache.clear();
    const t1 = performance.now();
    if (this.canvas.width !== layout.width || this.canvas.height !== layout.height) {
      this.canvas.width = layout.width;
      this.canvas.height = layout.height;
      this.canvas.style.width = `${layout.width / this.dpr}px`;
      this.canvas.style.height = `${layout.height / this.dpr}px`;
    }
    // The pixel buffer is kept while the size holds: a fresh one of tens of MB costs more in
    // page faults than drawing into it.
    if (!this.image || this.image.width !== layout.width || this.image.height !== layout.height) {
      this.image = this.ctx.createImageData(layout.width, layout.height);
      this.buf = new Uint32Array(this.image.data.buffer);
    } else (this.buf as Uint32Array).fill(0);
    this.requested = requestCells(model);
    this.reports = new Array(model.nodes.length);
    this.signatures = new Array(model.nodes.length);
    for (let i = 0; i < model.nodes.length; i++) {
      if (layout.nodeGroup[i] < 0) continue;
      this.drawNode(i);
      this.signatures[i] = this.signature(model, i);
    }
    const t2 = performance.now();
    this.ctx.putImageData(this.image, 0, 0);
    const t3 = performance.now();
    this.drawTitles();
    for (let i = 0; i < model.nodes.length; i++) if (layout.nodeGroup[i] >= 0) this.drawName(i);
    this.structure = structureKey(model);
    this.phases = { layout: t1 - started, pixels: t2 - t1, put: t3 - t2, text: performance.now() - t3 };
    return this.report('full', started, model.nodes.length);
  }

  /** Draws a new model of the same cluster: only the nodes that changed, when the layout holds. */
  update(model: MapModel): DrawReport {
    const started = performance.now();
    const old = this.model;
    if (!old || !this.layout || !this.image || structureKey(model) !== this.structure) return this.render(model, this.width, this.dpr);
    // Keep the selection on the same job id across models.
    const selectedId = this.selectedJob !== undefined ? old.jobs[this.selectedJob]?.jobId : undefined;
    this.model = model;
    this.selectedJob = selectedId === undefined ? undefined : indexOrUndefined(model.jobs.findIndex((j) => j.jobId === selectedId));
    this.requested = requestCells(model);
    let drawn = 0;
    this.phases = {};
    for (let i = 0; i < model.nodes.length; i++) {
      if (this.layout.nodeGroup[i] < 0) continue;
      const sig = this.signature(model, i);
      if (sig === this.signatures[i]) continue;
      this.signatures[i] = sig;
      this.redrawNode(i);
      drawn++;
    }
    return this.report('partial', started, drawn);
  }

  /** Lights the cells of job `k` (index in model.jobs); undefined clears. */
  select(k: number | undefined): DrawReport | undefined {
    if (!this.model) return undefined;
    const before = this.selectedJob;
    this.selectedJob = k;
    const started = performance.now();
    let drawn = 0;
    this.phases = {};
    for (let i = 0; i < this.model.nodes.length; i++) {
      const jobs = this.model.nodes[i].jobs;
      if ((before !== undefined && jobs.includes(before)) || (k !== undefined && jobs.includes(k))) {
        this.signatures[i] = this.signature(this.model, i);
        this.redrawNode(i);
        drawn++;
      }
    }
    return this.report('partial', started, drawn);
  }

  hit(clientX: number, clientY: number): { node: number; cpu?: number } | undefined {
    if (!this.layout || !this.model) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const x = (clientX - rect.left) * this.dpr;
    const y = (clientY - rect.top) * this.dpr;
    return hitTest(this.layout, this.model, x, y);
  }

  /** The job a cell shows, if any. */
  jobAt(node: number, cpu: number): number | undefined {
    if (!this.model) return undefined;
    const c = nodeCells(this.model.nodes[node], this.cellsScratch)[cpu];
    return c >= 0 ? c : undefined;
  }

  /** Redraws node `i` in the buffer and puts back its rectangle, then its name. */
  private redrawNode(i: number): void {
    const layout = this.layout as MapLayout;
    const g = layout.groups[layout.nodeGroup[i]];
    this.drawNode(i);
    // Put back only this box, through a small ImageData: a dirty rectangle of the whole map's
    // ImageData costs in proportion to the whole map in Chromium.
    const w = Math.min(g.boxW, layout.width - layout.nodeX[i]);
    const h = Math.min(g.boxH, layout.height - layout.nodeY[i]);
    if (w <= 0 || h <= 0) return;
    if (!this.patch || this.patch.width !== w || this.patch.height !== h) this.patch = this.ctx.createImageData(w, h);
    const patch = new Uint32Array(this.patch.data.buffer);
    const buf = this.buf as Uint32Array;
    for (let ry = 0; ry < h; ry++) {
      const o = (layout.nodeY[i] + ry) * layout.width + layout.nodeX[i];
      patch.set(buf.subarray(o, o + w), ry * w);
    }
    this.ctx.putImageData(this.patch, layout.nodeX[i], layout.nodeY[i]);
    this.drawName(i);
  }

  private signature(model: MapModel, i: number): string {
    const n = model.nodes[i];
    let s = `${n.stateClass}|${n.cpusAllocated}|${n.memAllocMiB}|${n.gpusAllocated}|${n.reason ?? ''}|${this.requested.get(i) ?? 0}`;
    for (const p of n.placed) {
      const job = model.jobs[p.job];
      s += `|${job.jobId}${job.mine ? 'm' : ''}${p.job === this.selectedJob ? 's' : ''}:${p.cpus.join(',')}`;
    }
    return s;
  }

  /** Per pixel row of a group's node box: what the row shows (a cell row ≥ 0, or a ROW_ kind). */
  private rowKinds(group: number): Int16Array {
    const cached = this.kindsCache.get(group);
    if (cached) return cached;
    const layout = this.layout as MapLayout;
    const s = layout.scale;
    const g = layout.groups[group];
    const kinds = new Int16Array(g.boxH);
    const gridTop = s.pad + s.label;
    const barTop = gridTop + g.rows * s.pitch - (s.pitch - s.cell) + s.pad;
    const gpuTop = barTop + s.memBar + s.pad;
    const border = borderOf(s);
    for (let ry = 0; ry < g.boxH; ry++) {
      const inGrid = ry - gridTop;
      const cellRow = inGrid >= 0 ? Math.floor(inGrid / s.pitch) : -1;
      if (ry < border || ry >= g.boxH - border) kinds[ry] = ROW_EDGE;
      else if (s.label > 0 && ry >= s.label - Math.max(1, s.pad >> 1) && ry < s.label) kinds[ry] = ROW_BAND;
      else if (cellRow >= 0 && cellRow < g.rows && inGrid - cellRow * s.pitch < s.cell) kinds[ry] = cellRow;
      else if (ry >= barTop && ry < barTop + s.memBar) kinds[ry] = ROW_MEM;
      else if (g.gpuRow && ry >= gpuTop && ry < gpuTop + s.gpuMark) kinds[ry] = ROW_GPU;
      else kinds[ry] = ROW_BOX;
    }
    this.kindsCache.set(group, kinds);
    return kinds;
  }

  /**
   * Writes node `i` into the pixel buffer, one pixel row at a time: a row template is built when
   * the kind of row changes (border, padding, a row of cells, the memory bar, the GPU marks) and
   * copied for each pixel row. No call per cell: a million cells stay in the tens of ms.
   */
  private drawNode(i: number): void {
    const model = this.model as MapModel;
    const layout = this.layout as MapLayout;
    const s = layout.scale;
    const g = layout.groups[layout.nodeGroup[i]];
    const n = model.nodes[i];
    const x0 = layout.nodeX[i];
    const y0 = layout.nodeY[i];
    const p = this.palette;
    const state = p.resolve(STATE_COLOURS[n.stateClass]).packed;
    const box = p.resolve(CELL_COLOURS.box).packed;
    const colours: Record<CellKind, number> = {
      free: p.resolve(CELL_COLOURS.free).packed,
      other: p.resolve(CELL_COLOURS.other).packed,
      mine: p.resolve(CELL_COLOURS.mine).packed,
      selected: p.resolve(CELL_COLOURS.selected).packed,
    };
    const memory = p.resolve(CELL_COLOURS.memory).packed;
    const W = layout.width;
    const boxW = Math.min(g.boxW, W - x0);
    if (boxW <= 0) return;
    const border = borderOf(s);

    // Cell colours.
    if (this.cellsScratch.length < n.cpus) this.cellsScratch = new Int32Array(n.cpus);
    if (this.colourScratch.length < n.cpus) this.colourScratch = new Uint32Array(n.cpus);
    const cells = nodeCells(n, this.cellsScratch);
    const cellColour = this.colourScratch;
    let request = this.requested.get(i) ?? 0;
    const palette4 = [colours.free, colours.other, colours.mine, colours.selected];
    let free = 0;
    let other = 0;
    let mine = 0;
    let selected = 0;
    const sel = this.selectedJob ?? -100;
    for (let c = 0; c < n.cpus; c++) {
      const v = cells[c];
      let kind: number;
      if (v === CELL_FREE) {
        if (request > 0) {
          kind = 3;
          request--;
        } else kind = 0;
      } else if (v === CELL_OTHER) kind = 1;
      else if (v === sel) kind = 3;
      else kind = model.jobs[v]?.mine ? 2 : 1;
      if (kind === 0) free++;
      else if (kind === 1) other++;
      else if (kind === 2) mine++;
      else selected++;
      cellColour[c] = palette4[kind];
    }
    const counts: Record<CellKind, number> = { free, other, mine, selected };

    if (this.line.length < boxW) this.line = new Uint32Array(g.boxW);
    const line = this.line;
    const buf = this.buf as Uint32Array;
    const kinds = this.rowKinds(layout.nodeGroup[i]);
    const bar = memoryBar(layout, i);
    const barX = bar.x - x0;
    const memW = n.memMiB > 0 && n.memAllocMiB > 0 ? Math.max(1, Math.round((bar.width * Math.min(n.memAllocMiB, n.memMiB)) / n.memMiB)) : 0;
    const rows = Math.min(g.boxH, layout.height - y0);
    // Plain loops, no fill()/set() calls: those builtins cost more per call than the few
    // dozen pixels each call would write (measured: 20x the bare writes).
    const span = (from: number, to: number, colour: number): void => {
      for (let k = from < 0 ? 0 : from, e = to < boxW ? to : boxW; k < e; k++) line[k] = colour;
    };
    const rightEdge = g.boxW - border;
    let current = ROW_NONE;
    for (let ry = 0; ry < rows; ry++) {
      const kind = kinds[ry];
      if (kind !== current) {
        current = kind;
        if (kind === ROW_EDGE || kind === ROW_BAND) span(0, boxW, state);
        else {
          for (let k = 0; k < boxW; k++) line[k] = k < border || k >= rightEdge ? state : box;
          if (kind >= 0) {
            const from = kind * g.cols;
            const to = Math.min(n.cpus, from + g.cols);
            const cell = s.cell;
            const pitch = s.pitch;
            for (let c = from, cx = s.pad; c < to && cx < boxW; c++, cx += pitch) {
              const colour = cellColour[c];
              const e = cx + cell < boxW ? cx + cell : boxW;
              for (let k = cx; k < e; k++) line[k] = colour;
            }
          } else if (kind === ROW_MEM) {
            span(barX, barX + bar.width, colours.free);
            if (memW > 0) span(barX, barX + memW, memory);
          } else if (kind === ROW_GPU) {
            for (let k = 0; k < n.gpus; k++) {
              const m = gpuMark(layout, i, k);
              span(m.x - x0, m.x - x0 + m.size, k < n.gpusAllocated ? colours.other : colours.free);
            }
          }
        }
      }
      const o = (y0 + ry) * W + x0;
      for (let k = 0; k < boxW; k++) buf[o + k] = line[k];
    }
    this.reports[i] = {
      name: n.name,
      group: model.groups[g.group].name,
      stateClass: n.stateClass,
      ...(n.reason ? { reason: n.reason } : {}),
      cells: counts,
      box: { x: x0 / this.dpr, y: y0 / this.dpr, width: g.boxW / this.dpr, height: g.boxH / this.dpr },
    };
  }

  private fontFamily = '';

  private font(px: number, bold = false): string {
    if (!this.fontFamily) this.fontFamily = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
    return `${bold ? '600 ' : ''}${Math.round(px * this.dpr)}px ${this.fontFamily}`;
  }

  private drawName(i: number): void {
    const layout = this.layout as MapLayout;
    const s = layout.scale;
    if (s.label === 0) return;
    const model = this.model as MapModel;
    this.ctx.font = this.font(s.cell >= 14 * this.dpr ? 11 : 9);
    this.ctx.fillStyle = this.palette.resolve(CELL_COLOURS.text).css;
    this.ctx.textBaseline = 'top';
    const g = layout.groups[layout.nodeGroup[i]];
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(layout.nodeX[i], layout.nodeY[i], g.boxW, s.label);
    this.ctx.clip();
    this.ctx.fillText(model.nodes[i].name, layout.nodeX[i] + s.pad, layout.nodeY[i] + s.pad - 1);
    this.ctx.restore();
  }

  private drawTitles(): void {
    const layout = this.layout as MapLayout;
    const model = this.model as MapModel;
    this.ctx.font = this.font(12, true);
    this.ctx.fillStyle = this.palette.resolve(CELL_COLOURS.text).css;
    this.ctx.textBaseline = 'middle';
    for (const gl of layout.groups) {
      const g = model.groups[gl.group];
      this.ctx.fillText(groupTitle(g), gl.x, gl.y + gl.title / 2);
    }
  }

  private report(kind: 'full' | 'partial', started: number, nodesDrawn: number): DrawReport {
    const model = this.model as MapModel;
    const layout = this.layout as MapLayout;
    return {
      kind,
      ms: performance.now() - started,
      phases: this.phases,
      nodesDrawn,
      width: layout.width / this.dpr,
      height: layout.height / this.dpr,
      groups: model.groups.map((g) => ({ name: g.name, nodes: g.nodes.map((i) => model.nodes[i].name), alsoIn: g.alsoIn })),
      nodes: this.reports.filter((r) => r !== undefined),
      ...(this.selectedJob !== undefined ? { selectedJob: model.jobs[this.selectedJob]?.jobId } : {}),
    };
  }
}

export function groupTitle(g: MapModel['groups'][number]): string {
  const parts = [`${g.name}${g.isDefault ? ' (default)' : ''}`];
  if (g.state) parts.push(g.state);
  if (g.maxTime) parts.push(`MaxTime ${g.maxTime}`);
  parts.push(`${g.totalNodes} node${g.totalNodes === 1 ? '' : 's'}`);
  if (g.alsoIn.length) parts.push(`also ${g.alsoIn.length <= 4 ? g.alsoIn.join(', ') : `${g.alsoIn.length} nodes`} (drawn above)`);
  return parts.join(' · ');
}

/** Border width of node boxes, in pixels. */
function borderOf(s: MapLayout['scale']): number {
  return s.cell >= 7 ? Math.max(2, s.pad >> 1) : 1;
}

function structureKey(model: MapModel): string {
  let s = '';
  for (const g of model.groups) s += `${g.name}:${g.nodes.length};`;
  for (const n of model.nodes) s += `${n.name}/${n.cpus}/${n.gpus},`;
  return s;
}

function indexOrUndefined(i: number): number | undefined {
  return i < 0 ? undefined : i;
}
