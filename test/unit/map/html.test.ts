import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterMapHtml } from '../../../src/core/map/html';

test('the map page: a strict CSP with the nonce, nothing inline, values escaped', () => {
  const html = clusterMapHtml({ scriptUri: 'https://x/m.js?a=1&b="2"', styleUri: 'https://x/m.css', cspSource: 'https://x', nonce: 'abc123', title: 'Cluster Map: <lab>' });
  // As the browser reads the attribute (entities decoded).
  const csp = (/http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'/);
  assert.match(csp, /style-src https:\/\/x(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/m\.js\?a=1&amp;b=&quot;2&quot;"><\/script>/);
  assert.match(html, /<title>Cluster Map: &lt;lab&gt;<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, the bundle');
  assert.doesNotMatch(html, /<style|style="/, 'no inline style');
  for (const id of ['map', 'legend', 'details', 'table', 'status']) assert.match(html, new RegExp(`id="${id}"`));
});
