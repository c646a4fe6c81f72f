/**
 * What the extension manifest (package.json) refers to, for the manifest unit test and the
 * packaged-extension test.
 */
import * as path from 'node:path';

/** Every file path that the manifest and its contributions name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json as JSON
export function manifestFiles(manifest: any): string[] {
  const c = manifest.contributes ?? {};
  const files: string[] = [manifest.main, manifest.icon, ...Object.values(manifest.bin ?? {})];
  for (const l of c.languages ?? []) if (l.configuration) files.push(l.configuration);
  for (const g of c.grammars ?? []) files.push(g.path);
  for (const s of c.snippets ?? []) files.push(s.path);
  for (const containers of Object.values(c.viewsContainers ?? {})) for (const v of containers as { icon?: string }[]) if (v.icon) files.push(v.icon);
  for (const w of c.walkthroughs ?? []) {
    for (const step of w.steps ?? []) {
      const m = step.media ?? {};
      for (const image of typeof m.image === 'string' ? [m.image] : Object.values(m.image ?? {})) files.push(image as string);
      for (const key of ['markdown', 'svg']) if (m[key]) files.push(m[key]);
    }
  }
  return files.filter((f): f is string => typeof f === 'string').map((f) => path.normalize(f));
}
