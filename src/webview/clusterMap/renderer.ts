/**
 * Draws the cluster map into a canvas the size of the viewport (× devicePixelRatio), never of
 * the whole map: the layout (core/map/layout.ts) is computed once per model, a spacer element
 * gives the scroll extent, and scrolling redraws the rows now visible. Cells are written
 * straight into the viewport's ImageData (paint.ts); text (titles, node names) is drawn on top
 * with the 2D context. A diff redraws only the changed nodes that are visible, putting back
 * only their rectangles. Hit testing uses the same layout.
 */
import { applyMapDiff, diffMapModels, type MapDiff } from '../../core/map/diff';
import { groupsInView, hitTest, layoutMap, nodesInView, type MapLayout } from '../../core/map/layout';
import { CELL_COLOURS, requestCells, STATE_COLOURS, type MapModel } from '../../core/map/model';
import { NodePainter, type NodeReport, type PixelTarget } from './paint';
import type { Palette } from './palette';

export type { NodeReport } from './paint';

export interface DrawReport {
  /** full: layout and the viewport; partial: only the visible nodes that changed; scroll: the viewport. */
  kind: 'full' | 'partial' | 'scroll';
  ms: number;
  /** Where the time went (ms): layout, canvas (its size, the pixel buffer), pixels, put (to the canvas), text. */
  phases: Record<string, number>;
  nodesDrawn: number;
  /** The whole map, in CSS pixels. */
  width: number;
  height: number;
  /** The canvas (device pixels) and the map rows it shows. */
  canvas: { width: number; height: number; top: number };
  groups: { name: string; nodes: string[]; alsoIn: string[] }[];
  /** The nodes in the viewport, as drawn. */
  nodes: NodeReport[];
  selectedJob?: string;
}

/** Where the map scrolls: the scrolling element, and the spacer inside it that holds the canvas. */
export interface MapViewport {
  scroller: HTMLElement;
  spacer: HTMLElement;
}

export class MapRenderer {
  model: MapModel | undefined;
  layout: MapLayout | undefined;
  selectedJob: number | undefined;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly painter: NodePainter;
  private image: ImageData | undefined;
  private target: PixelTarget | undefined;
  private patch: ImageData | undefined;
  private requested = new Map<number, number>();
  private visible: number[] = [];
  private isVisible = new Uint8Array(0);
  private reports = new Map<number, NodeReport>();
  private groupsReport: DrawReport['groups'] = [];
  private width = 0;
  private dpr = 1;
  private phases: Record<string, number> = {};
  private fontFamily = '';

  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly palette: Palette,
    private readonly viewport: MapViewport,
  ) {
    this.ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    this.painter = new NodePainter(palette);
  }

  /**
   * What a first draw pays once whatever the map's size (measured: most of it): the theme's
   * colours resolved, the font, the canvas's first put. Done while the page waits for its first
   * model, so the first draw costs what any draw does.
   */
  warmUp(): void {
    for (const token of [...Object.values(STATE_COLOURS), ...Object.values(CELL_COLOURS)]) this.palette.resolve(token);
    this.ctx.font = this.font(12, true);
    this.ctx.measureText('n1 debug');
    this.ctx.putImageData(this.ctx.createImageData(1, 1), 0, 0);
  }

  /** Lays out the model and draws the viewport. `width` in CSS pixels. */
  render(model: MapModel, width: number, dpr = 1): DrawReport {
    const started = performance.now();
    const selectedId = this.selectedId();
    this.model = model;
    this.width = width;
    this.dpr = dpr;
    this.selectedJob = this.indexOf(selectedId);
    const layout = layoutMap(model, Math.floor(width * dpr), { dpr });
    this.layout = layout;
    this.requested = requestCells(model);
    this.groupsReport = model.groups.map((g) => ({ name: g.name, nodes: g.nodes.map((i) => model.nodes[i].name), alsoIn: g.alsoIn }));
    // The scroll extent first: the viewport's height depends on it.
    this.viewport.spacer.style.width = `${layout.width / dpr}px`;
    this.viewport.spacer.style.height = `${layout.height / dpr}px`;
    const layoutMs = performance.now() - started;
    this.drawView();
    this.phases.layout = layoutMs;
    return this.report('full', started, this.visible.length);
  }

  /** A new model of the same cluster: only the visible nodes that changed are drawn again. */
  update(model: MapModel): DrawReport {
    const old = this.model;
    const diff = old && this.layout ? diffMapModels(old, model, 0, 0) : undefined;
    if (!diff) return this.render(model, this.width, this.dpr);
    return this.apply(model, diff.nodes.map(([i]) => i), performance.now());
  }

  /** Applies a diff of the extension (panel.ts); undefined when it does not fit (no model yet). */
  applyDiff(diff: MapDiff): DrawReport | undefined {
    const old = this.model;
    if (!old || !this.layout) return undefined;
    const started = performance.now();
    const { model, changed } = applyMapDiff(old, diff);
    return this.apply(model, changed, started);
  }

  /** A model of the same layout (diffMapModels checked it; a diff carries no layout). */
  private apply(model: MapModel, changed: number[], started: number): DrawReport {
    const selectedId = this.selectedId();
    this.model = model;
    this.selectedJob = this.indexOf(selectedId);
    const before = this.requested;
    this.requested = requestCells(model);
    const redraw = new Set(changed);
    for (const [i, v] of before) if (this.requested.get(i) !== v) redraw.add(i);
    for (const [i, v] of this.requested) if (before.get(i) !== v) redraw.add(i);
    this.phases = {};
    let drawn = 0;
    for (const i of redraw) {
      if (this.isVisible[i]) {
        this.redrawNode(i);
        drawn++;
      }
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
    for (const i of this.visible) {
      const jobs = this.model.nodes[i].jobs;
      if ((before !== undefined && jobs.includes(before)) || (k !== undefined && jobs.includes(k))) {
        this.redrawNode(i);
        drawn++;
      }
    }
    return this.report('partial', started, drawn);
  }

  /** The viewport moved (scroll, resize of its height): draws the rows now visible. */
  scrolled(): DrawReport | undefined {
    if (!this.model || !this.layout) return undefined;
    const { top, height } = this.view();
    if (this.target && top === this.target.top && height === this.target.height) return undefined;
    const started = performance.now();
    this.drawView();
    return this.report('scroll', started, this.visible.length);
  }

  hit(clientX: number, clientY: number): { node: number; cpu?: number } | undefined {
    if (!this.layout || !this.model || !this.target) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const x = (clientX - rect.left) * this.dpr;
    const y = (clientY - rect.top) * this.dpr + this.target.top;
    return hitTest(this.layout, this.model, x, y);
  }

  /** The job a cell shows, if any. */
  jobAt(node: number, cpu: number): number | undefined {
    return this.model ? this.painter.jobAt(this.model, node, cpu) : undefined;
  }

  private selectedId(): string | undefined {
    return this.selectedJob !== undefined ? this.model?.jobs[this.selectedJob]?.jobId : undefined;
  }

  private indexOf(jobId: string | undefined): number | undefined {
    if (jobId === undefined || !this.model) return undefined;
    const k = this.model.jobs.findIndex((j) => j.jobId === jobId);
    return k < 0 ? undefined : k;
  }

  /** The map rows (device pixels) the viewport shows. */
  private view(): { top: number; height: number } {
    const layout = this.layout as MapLayout;
    const height = Math.max(1, Math.min(layout.height, Math.ceil(this.viewport.scroller.clientHeight * this.dpr)));
    const top = Math.max(0, Math.min(layout.height - height, Math.floor(this.viewport.scroller.scrollTop * this.dpr)));
    return { top, height };
  }

  /** Draws every node of the viewport into a cleared buffer, then the text. */
  private drawView(): void {
    const model = this.model as MapModel;
    const layout = this.layout as MapLayout;
    const t0 = performance.now();
    const { top, height } = this.view();
    const width = layout.width;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.canvas.style.width = `${width / this.dpr}px`;
      this.canvas.style.height = `${height / this.dpr}px`;
    }
    this.canvas.style.top = `${top / this.dpr}px`;
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = this.ctx.createImageData(width, height);
      this.target = { buf: new Uint32Array(this.image.data.buffer), width, height, top };
    } else {
      this.target = { ...(this.target as PixelTarget), top };
      this.target.buf.fill(0);
    }
    const tc = performance.now();
    this.visible = nodesInView(layout, model, top, top + height);
    if (this.isVisible.length !== model.nodes.length) this.isVisible = new Uint8Array(model.nodes.length);
    else this.isVisible.fill(0);
    this.reports.clear();
    for (const i of this.visible) {
      this.isVisible[i] = 1;
      this.reports.set(i, this.paintNode(i));
    }
    const t1 = performance.now();
    this.ctx.putImageData(this.image, 0, 0);
    const t2 = performance.now();
    this.drawTitles();
    for (const i of this.visible) this.drawName(i);
    this.phases = { canvas: tc - t0, pixels: t1 - tc, put: t2 - t1, text: performance.now() - t2 };
  }

  private paintNode(i: number): NodeReport {
    return this.painter.paint(this.target as PixelTarget, this.layout as MapLayout, this.model as MapModel, i, this.requested.get(i) ?? 0, this.selectedJob, this.dpr);
  }

  /** Redraws visible node `i` in the buffer and puts back its rectangle, then its name. */
  private redrawNode(i: number): void {
    const layout = this.layout as MapLayout;
    const target = this.target as PixelTarget;
    const g = layout.groups[layout.nodeGroup[i]];
    this.reports.set(i, this.paintNode(i));
    // Put back only the visible part of this box, through a small ImageData.
    const x = layout.nodeX[i];
    const y = Math.max(0, layout.nodeY[i] - target.top);
    const w = Math.min(g.boxW, target.width - x);
    const h = Math.min(layout.nodeY[i] + g.boxH - target.top, target.height) - y;
    if (w <= 0 || h <= 0) return;
    if (!this.patch || this.patch.width !== w || this.patch.height !== h) this.patch = this.ctx.createImageData(w, h);
    const patch = new Uint32Array(this.patch.data.buffer);
    for (let ry = 0; ry < h; ry++) {
      const o = (y + ry) * target.width + x;
      patch.set(target.buf.subarray(o, o + w), ry * w);
    }
    this.ctx.putImageData(this.patch, x, y);
    this.drawName(i);
  }

  private font(px: number, bold = false): string {
    if (!this.fontFamily) this.fontFamily = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
    return `${bold ? '600 ' : ''}${Math.round(px * this.dpr)}px ${this.fontFamily}`;
  }

  private drawName(i: number): void {
    const layout = this.layout as MapLayout;
    const s = layout.scale;
    if (s.label === 0) return;
    const top = (this.target as PixelTarget).top;
    const model = this.model as MapModel;
    this.ctx.font = this.font(s.cell >= 14 * this.dpr ? 11 : 9);
    this.ctx.fillStyle = this.palette.resolve(CELL_COLOURS.text).css;
    this.ctx.textBaseline = 'top';
    const g = layout.groups[layout.nodeGroup[i]];
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(layout.nodeX[i], layout.nodeY[i] - top, g.boxW, s.label);
    this.ctx.clip();
    this.ctx.fillText(model.nodes[i].name, layout.nodeX[i] + s.pad, layout.nodeY[i] - top + s.pad - 1);
    this.ctx.restore();
  }

  private drawTitles(): void {
    const layout = this.layout as MapLayout;
    const model = this.model as MapModel;
    const target = this.target as PixelTarget;
    this.ctx.font = this.font(12, true);
    this.ctx.fillStyle = this.palette.resolve(CELL_COLOURS.text).css;
    this.ctx.textBaseline = 'middle';
    for (const k of groupsInView(layout, target.top, target.top + target.height)) {
      const gl = layout.groups[k];
      this.ctx.fillText(groupTitle(model.groups[gl.group]), gl.x, gl.y - target.top + gl.title / 2);
    }
  }

  private report(kind: DrawReport['kind'], started: number, nodesDrawn: number): DrawReport {
    const model = this.model as MapModel;
    const layout = this.layout as MapLayout;
    const target = this.target as PixelTarget;
    const ms = performance.now() - started;
    return {
      kind,
      ms,
      phases: this.phases,
      nodesDrawn,
      width: layout.width / this.dpr,
      height: layout.height / this.dpr,
      canvas: { width: target.width, height: target.height, top: target.top },
      groups: this.groupsReport,
      nodes: this.visible.map((i) => this.reports.get(i) as NodeReport),
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
