/**
 * Where everything of the cluster map goes, in pixels: partition groups stacked top to bottom,
 * node boxes flowing in rows inside a group, each core a cell in a grid inside its node, then a
 * memory bar and a row of GPU marks. Pure arithmetic on the model, shared by the webview (which
 * draws it) and the unit tests; hit testing uses the same numbers.
 *
 * Sizes scale with the machine: large cells with names for a small cluster, 2-pixel cells
 * without text for 10,000 nodes of 128 cores (the whole map stays a few thousand pixels tall).
 */
import type { MapModel } from './model';

export interface CellScale {
  /** Side of a core cell, and the pitch between cells (cell + gap). */
  cell: number;
  pitch: number;
  /** Padding inside a node box, its border, and the space between boxes. */
  pad: number;
  gap: number;
  /** Height of the node name band (0: no text). */
  label: number;
  memBar: number;
  gpuMark: number;
}

/** Scales by the total number of cores (before the device pixel ratio). */
export function chooseScale(totalCores: number, dpr = 1): CellScale {
  const s = (v: number) => Math.max(1, Math.round(v * dpr));
  if (totalCores <= 4_000) return { cell: s(14), pitch: s(16), pad: s(5), gap: s(8), label: s(16), memBar: s(4), gpuMark: s(8) };
  if (totalCores <= 40_000) return { cell: s(7), pitch: s(8), pad: s(3), gap: s(5), label: s(13), memBar: s(3), gpuMark: s(5) };
  if (totalCores <= 300_000) return { cell: s(3), pitch: s(4), pad: s(2), gap: s(3), label: 0, memBar: s(2), gpuMark: s(3) };
  return { cell: s(2), pitch: s(2), pad: s(1), gap: s(2), label: 0, memBar: s(2), gpuMark: s(2) };
}

/** Columns × rows of a node's core grid: about twice as wide as tall (16 × 8 for 128 cores). */
export function coreGrid(cores: number): { cols: number; rows: number } {
  if (cores <= 0) return { cols: 1, rows: 1 };
  const cols = Math.min(cores, Math.ceil(Math.sqrt(cores * 2)));
  return { cols, rows: Math.ceil(cores / cols) };
}

export interface GroupLayout {
  /** Index in `model.groups`. */
  group: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Height of the title band at the top. */
  title: number;
  /** Node box size in this group (sized for its largest node). */
  boxW: number;
  boxH: number;
  /** Boxes per row. */
  perRow: number;
  cols: number;
  rows: number;
  /** Whether any node of the group has GPUs (a row of marks). */
  gpuRow: boolean;
}

export interface MapLayout {
  width: number;
  height: number;
  scale: CellScale;
  groups: GroupLayout[];
  /** Per node (index in `model.nodes`): its box's top-left corner and its group layout; -1 when not drawn. */
  nodeX: Int32Array;
  nodeY: Int32Array;
  nodeGroup: Int32Array;
}

export interface LayoutOptions {
  dpr?: number;
  /** Margin around the map. */
  margin?: number;
}

export function layoutMap(model: MapModel, width: number, options: LayoutOptions = {}): MapLayout {
  const dpr = options.dpr ?? 1;
  const totalCores = model.nodes.reduce((s, n) => s + n.cpus, 0);
  const scale = chooseScale(totalCores, dpr);
  const margin = Math.round((options.margin ?? 8) * dpr);
  const titleH = Math.round(22 * dpr);
  const count = model.nodes.length;
  const nodeX = new Int32Array(count).fill(-1);
  const nodeY = new Int32Array(count).fill(-1);
  const nodeGroup = new Int32Array(count).fill(-1);
  const groups: GroupLayout[] = [];
  const innerW = Math.max(1, Math.floor(width) - 2 * margin);
  let y = margin;
  model.groups.forEach((g, gi) => {
    let maxCores = 1;
    let gpus = 0;
    for (const i of g.nodes) {
      maxCores = Math.max(maxCores, model.nodes[i].cpus);
      gpus = Math.max(gpus, model.nodes[i].gpus);
    }
    const { cols, rows } = coreGrid(maxCores);
    const gpuRow = gpus > 0;
    const gridW = cols * scale.pitch - (scale.pitch - scale.cell);
    const gpuW = gpus * (scale.gpuMark + Math.max(1, scale.gpuMark >> 2));
    const minLabelW = scale.label > 0 ? Math.round(40 * dpr) : 0;
    const boxW = 2 * scale.pad + Math.max(gridW, gpuW, minLabelW);
    const boxH =
      2 * scale.pad + scale.label + rows * scale.pitch - (scale.pitch - scale.cell) + scale.pad + scale.memBar + (gpuRow ? scale.pad + scale.gpuMark : 0);
    const perRow = Math.max(1, Math.floor((innerW + scale.gap) / (boxW + scale.gap)));
    const lines = Math.ceil(g.nodes.length / perRow);
    const height = titleH + (lines > 0 ? lines * (boxH + scale.gap) : 0);
    groups.push({ group: gi, x: margin, y, width: innerW, height, title: titleH, boxW, boxH, perRow, cols, rows, gpuRow });
    g.nodes.forEach((i, k) => {
      nodeX[i] = margin + (k % perRow) * (boxW + scale.gap);
      nodeY[i] = y + titleH + Math.floor(k / perRow) * (boxH + scale.gap);
      nodeGroup[i] = groups.length - 1;
    });
    y += height + scale.gap;
  });
  return { width: Math.floor(width), height: y + margin, scale, groups, nodeX, nodeY, nodeGroup };
}

/** Top-left corner of core `c` of node `i`. */
export function cellPosition(layout: MapLayout, i: number, c: number): { x: number; y: number } {
  const g = layout.groups[layout.nodeGroup[i]];
  const s = layout.scale;
  return {
    x: layout.nodeX[i] + s.pad + (c % g.cols) * s.pitch,
    y: layout.nodeY[i] + s.pad + s.label + Math.floor(c / g.cols) * s.pitch,
  };
}

/** The memory bar of node `i`: where it is (full width = all of the node's memory). */
export function memoryBar(layout: MapLayout, i: number): { x: number; y: number; width: number; height: number } {
  const g = layout.groups[layout.nodeGroup[i]];
  const s = layout.scale;
  return {
    x: layout.nodeX[i] + s.pad,
    y: layout.nodeY[i] + s.pad + s.label + g.rows * s.pitch - (s.pitch - s.cell) + s.pad,
    width: g.boxW - 2 * s.pad,
    height: s.memBar,
  };
}

/** GPU mark `k` of node `i`. */
export function gpuMark(layout: MapLayout, i: number, k: number): { x: number; y: number; size: number } {
  const bar = memoryBar(layout, i);
  const s = layout.scale;
  return { x: bar.x + k * (s.gpuMark + Math.max(1, s.gpuMark >> 2)), y: bar.y + bar.height + s.pad, size: s.gpuMark };
}

/** What is at (x, y): a node, and the core under the pointer when there is one. */
export function hitTest(layout: MapLayout, model: MapModel, x: number, y: number): { node: number; cpu?: number; group: number } | undefined {
  // Groups are stacked: binary search on y.
  let lo = 0;
  let hi = layout.groups.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const g = layout.groups[mid];
    if (y < g.y) hi = mid - 1;
    else if (y >= g.y + g.height) lo = mid + 1;
    else {
      const s = layout.scale;
      const rx = x - g.x;
      const ry = y - g.y - g.title;
      if (rx < 0 || ry < 0) return undefined;
      const col = Math.floor(rx / (g.boxW + s.gap));
      const row = Math.floor(ry / (g.boxH + s.gap));
      if (col >= g.perRow || rx - col * (g.boxW + s.gap) >= g.boxW || ry - row * (g.boxH + s.gap) >= g.boxH) return undefined;
      const k = row * g.perRow + col;
      const nodes = model.groups[g.group].nodes;
      if (k >= nodes.length) return undefined;
      const node = nodes[k];
      const cx = x - layout.nodeX[node] - s.pad;
      const cy = y - layout.nodeY[node] - s.pad - s.label;
      const ccol = Math.floor(cx / s.pitch);
      const crow = Math.floor(cy / s.pitch);
      if (cx >= 0 && cy >= 0 && ccol < g.cols && crow < g.rows && cx - ccol * s.pitch < s.cell && cy - crow * s.pitch < s.cell) {
        const cpu = crow * g.cols + ccol;
        if (cpu < model.nodes[node].cpus) return { node, cpu, group: mid };
      }
      return { node, group: mid };
    }
  }
  return undefined;
}

/**
 * The nodes whose boxes cross the band of rows [top, bottom) (device pixels of the whole map),
 * in drawing order: what a viewport-sized canvas shows. Groups by binary search, then the rows
 * of boxes inside each group by arithmetic: the cost is the visible nodes, never the map's.
 */
export function nodesInView(layout: MapLayout, model: MapModel, top: number, bottom: number): number[] {
  const out: number[] = [];
  for (const g of groupsInView(layout, top, bottom)) {
    const gl = layout.groups[g];
    const pitch = gl.boxH + layout.scale.gap;
    const first = gl.y + gl.title;
    const row0 = Math.max(0, Math.floor((top - first) / pitch));
    const row1 = Math.floor((bottom - 1 - first) / pitch);
    const nodes = model.groups[gl.group].nodes;
    for (let k = row0 * gl.perRow, end = Math.min(nodes.length, (row1 + 1) * gl.perRow); k < end; k++) out.push(nodes[k]);
  }
  return out;
}

/** Indices in `layout.groups` of the groups that cross [top, bottom). */
export function groupsInView(layout: MapLayout, top: number, bottom: number): number[] {
  let lo = 0;
  let hi = layout.groups.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const g = layout.groups[mid];
    if (g.y + g.height <= top) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let k = lo; k < layout.groups.length && layout.groups[k].y < bottom; k++) out.push(k);
  return out;
}
