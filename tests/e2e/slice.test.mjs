// The sandbox serves the demo page and the package as browsers need them: MIME types that module
// scripts and WebAssembly.instantiateStreaming accept, under the strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from './harness.mjs';

let sandbox;

before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox?.stop();
});

test('the sandbox serves the page and the package with the right MIME types and a strict CSP', async () => {
  const page = await fetch(`${sandbox.url}/`);
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  for (const [path, type] of [
    ['/app.js', /javascript/], ['/strings.js', /javascript/], ['/style.css', /text\/css/],
    ['/pkg/idv_capture.js', /javascript/], ['/pkg/idv_capture_bg.wasm', /^application\/wasm$/],
  ]) {
    const r = await fetch(`${sandbox.url}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), type, path);
  }
});

test('the page has no inline script or style for the CSP to block', async () => {
  const html = await (await fetch(`${sandbox.url}/`)).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'inline <script>');
  assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i, 'inline style or handler');
});
