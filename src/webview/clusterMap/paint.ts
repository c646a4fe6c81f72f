/**
 * Writes one node box of the cluster map into a viewport's pixel buffer (a Uint32 per pixel of
 * a little-endian ImageData): border, name band, the cores as cells, the memory bar, the GPU
 * marks. One pixel row at a time: a row template is built when the kind of row changes and
 * copied for each pixel row (TypedArray set/fill: builtins run at native speed even before the
 * JIT has compiled these loops, which is what a first draw pays); rows outside the viewport are
 * skipped. Narrow cells (2 px on a large map) are written by hand: a call costs more than them.
 */
import { gpuMark, memoryBar, type MapLayout } from '../../core/map/layout';
import { CELL_COLOURS, CELL_FREE, CELL_OTHER, nodeCells, STATE_COLOURS, type MapModel, type NodeStateClass } from '../../core/map/model';
import type { Palette } from './palette';

export type CellKind = 'free' | 'other' | 'mine' | 'selected';

export interface NodeReport {
  name: string;
  group: string;
  stateClass: NodeStateClass;
  reason?: string;
  /** Cells drawn in each colour. */
  cells: Record<CellKind, number>;
  /** Where the box is on the whole map, in CSS pixels. */
  box: { x: number; y: number; width: number; height: number };
}

/** The pixels of the viewport: `top` is the map row (device pixels) of the buffer's first row. */
export interface PixelTarget {
  buf: Uint32Array;
  width: number;
  height: number;
  top: number;
}

const ROW_NONE = -100;
const ROW_EDGE = -1;
const ROW_BAND = -2;
const ROW_MEM = -3;
const ROW_GPU = -4;
const ROW_BOX = -5;

/** Border width of node boxes, in pixels. */
export function borderOf(s: MapLayout['scale']): number {
  return s.cell >= 7 ? Math.max(2, s.pad >> 1) : 1;
}

export class NodePainter {
  private cellsScratch = new Int32Array(256);
  private colourScratch = new Uint32Array(256);
  private line = new Uint32Array(256);
  private kindsCache = new Map<number, Int16Array>();
  private kindsFor: MapLayout | undefined;

  constructor(private readonly palette: Palette) {}

  /** The job a cell shows, if any. */
  jobAt(model: MapModel, node: number, cpu: number): number | undefined {
    const n = model.nodes[node];
    if (this.cellsScratch.length < n.cpus) this.cellsScratch = new Int32Array(n.cpus);
    const c = nodeCells(n, this.cellsScratch)[cpu];
    return c >= 0 ? c : undefined;
  }

  /** Per pixel row of a group's node box: what the row shows (a cell row ≥ 0, or a ROW_ kind). */
  private rowKinds(layout: MapLayout, group: number): Int16Array {
    if (this.kindsFor !== layout) {
      this.kindsCache.clear();
      this.kindsFor = layout;
    }
    const cached = this.kindsCache.get(group);
    if (cached) return cached;
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
   * Writes node `i` into `target` (the rows of it inside the viewport). `request`: free cells the
   * shown request would take; `selected`: the selected job's index. Returns what it drew.
   */
  paint(target: PixelTarget, layout: MapLayout, model: MapModel, i: number, request: number, selected: number | undefined, dpr: number): NodeReport {
    const s = layout.scale;
    const g = layout.groups[layout.nodeGroup[i]];
    const n = model.nodes[i];
    const x0 = layout.nodeX[i];
    const p = this.palette;
    const state = p.resolve(STATE_COLOURS[n.stateClass]).packed;
    const box = p.resolve(CELL_COLOURS.box).packed;
    const free = p.resolve(CELL_COLOURS.free).packed;
    const other = p.resolve(CELL_COLOURS.other).packed;
    const memory = p.resolve(CELL_COLOURS.memory).packed;
    const palette4 = [free, other, p.resolve(CELL_COLOURS.mine).packed, p.resolve(CELL_COLOURS.selected).packed];

    // Cell colours, and how many of each.
    if (this.cellsScratch.length < n.cpus) this.cellsScratch = new Int32Array(n.cpus);
    if (this.colourScratch.length < n.cpus) this.colourScratch = new Uint32Array(n.cpus);
    const cells = nodeCells(n, this.cellsScratch);
    const cellColour = this.colourScratch;
    const counts = [0, 0, 0, 0];
    const sel = selected ?? -100;
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
      counts[kind]++;
      cellColour[c] = palette4[kind];
    }
    const report: NodeReport = {
      name: n.name,
      group: model.groups[g.group].name,
      stateClass: n.stateClass,
      ...(n.reason ? { reason: n.reason } : {}),
      cells: { free: counts[0], other: counts[1], mine: counts[2], selected: counts[3] },
      box: { x: x0 / dpr, y: layout.nodeY[i] / dpr, width: g.boxW / dpr, height: g.boxH / dpr },
    };

    const W = target.width;
    const boxW = Math.min(g.boxW, W - x0);
    // The rows of the box inside the viewport.
    const rel = layout.nodeY[i] - target.top;
    const firstRow = Math.max(0, -rel);
    const endRow = Math.min(g.boxH, target.height - rel);
    if (boxW <= 0 || endRow <= firstRow) return report;

    const border = borderOf(s);
    if (this.line.length < boxW) this.line = new Uint32Array(g.boxW);
    const line = this.line;
    const buf = target.buf;
    const kinds = this.rowKinds(layout, layout.nodeGroup[i]);
    const bar = memoryBar(layout, i);
    const barX = bar.x - x0;
    const memW = n.memMiB > 0 && n.memAllocMiB > 0 ? Math.max(1, Math.round((bar.width * Math.min(n.memAllocMiB, n.memMiB)) / n.memMiB)) : 0;
    const span = (from: number, to: number, colour: number): void => {
      const a = from < 0 ? 0 : from;
      const e = to < boxW ? to : boxW;
      if (e > a) line.fill(colour, a, e);
    };
    const row = line.subarray(0, boxW);
    const rightEdge = g.boxW - border;
    let current = ROW_NONE;
    for (let ry = firstRow; ry < endRow; ry++) {
      const kind = kinds[ry];
      if (kind !== current) {
        current = kind;
        if (kind === ROW_EDGE || kind === ROW_BAND) span(0, boxW, state);
        else {
          line.fill(box, 0, boxW);
          span(0, border, state);
          span(rightEdge, boxW, state);
          if (kind >= 0) {
            const from = kind * g.cols;
            const to = Math.min(n.cpus, from + g.cols);
            const cell = s.cell;
            const pitch = s.pitch;
            // Wide cells with fill() (a builtin), narrow ones by hand (a call costs more than 2 pixels).
            const wide = cell >= 8;
            for (let c = from, cx = s.pad; c < to && cx < boxW; c++, cx += pitch) {
              const colour = cellColour[c];
              const e = cx + cell < boxW ? cx + cell : boxW;
              if (wide) line.fill(colour, cx, e);
              else for (let k = cx; k < e; k++) line[k] = colour;
            }
          } else if (kind === ROW_MEM) {
            span(barX, barX + bar.width, free);
            if (memW > 0) span(barX, barX + memW, memory);
          } else if (kind === ROW_GPU) {
            for (let k = 0; k < n.gpus; k++) {
              const m = gpuMark(layout, i, k);
              span(m.x - x0, m.x - x0 + m.size, k < n.gpusAllocated ? other : free);
            }
          }
        }
      }
      // A builtin copy: native speed even before the JIT has compiled this loop (the first draw).
      buf.set(row, (rel + ry) * W + x0);
    }
    return report;
  }
}
