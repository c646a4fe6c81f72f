/**
 * The cluster map webview's page: a strict Content-Security-Policy (no inline code or style,
 * scripts only with the nonce, resources only from the webview's own roots), the bundled
 * script and style from dist/media, and the static skeleton the script fills. Pure: the
 * extension and the bench (headless Chromium) build the same page.
 */

export interface MapPageOptions {
  /** URIs as the webview can load them (asWebviewUri), or file/relative URLs in the bench. */
  scriptUri: string;
  styleUri: string;
  /** The webview's `cspSource` (e.g. `https://*.vscode-cdn.net`); "'self'" outside VS Code. */
  cspSource: string;
  /** A fresh random nonce per page. */
  nonce: string;
  title: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function clusterMapHtml(o: MapPageOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<header id="status" role="status" aria-live="polite">Waiting for the cluster…</header>
<div id="request" hidden></div>
<section id="legend" aria-label="Legend"></section>
<div id="main">
  <div id="scroller"><div id="extent"><canvas id="map" role="img" aria-label="Cluster map"></canvas></div><div id="tooltip" role="tooltip" hidden></div></div>
  <aside id="details" aria-label="Node details" aria-live="polite"></aside>
</div>
<details id="tableBox"><summary>Nodes as a table (for screen readers and keyboard)</summary><div id="table"></div></details>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
