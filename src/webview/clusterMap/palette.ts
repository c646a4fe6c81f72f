/**
 * Theme colours of the cluster map, resolved once per theme: a CSS variable's value (or the
 * token's fallback outside VS Code) as CSS text for the 2D context and packed RGBA for the
 * pixel buffer.
 */
import type { ColourToken } from '../../core/map/model';

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

