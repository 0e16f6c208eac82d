// The first slice through every layer: sandbox serves the page, the page imports the wasm package
// from /pkg/, reads a fake-camera frame and shows its mean luma.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES, launchBrowser, outputPath, startSandbox } from './harness.mjs';

const meta = JSON.parse(readFileSync(resolve(FIXTURES, 'two-tone.json'), 'utf8'));
let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser({ video: 'two-tone.y4m' });
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('the sandbox serves the package with the right MIME types and a strict CSP', async () => {
  const page = await fetch(`${sandbox.url}/`);
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  const js = await fetch(`${sandbox.url}/pkg/idv_capture.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  const wasm = await fetch(`${sandbox.url}/pkg/idv_capture_bg.wasm`);
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
});

test('the demo page shows the mean luma of the fake camera frame', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${sandbox.url}/`);
  const luma = page.locator('#luma');
  await luma.filter({ hasText: /^\d/ }).waitFor({ timeout: 15000 });
  const shown = Number(await luma.textContent());
  assert.equal(Number(await luma.getAttribute('data-width')), meta.width);
  assert.equal(Number(await luma.getAttribute('data-height')), meta.height);
  assert.ok(Math.abs(shown - meta.expected_luma) < 1,
    `page shows ${shown}, the generated video's displayed mean luma is ${meta.expected_luma.toFixed(2)}`);
  await page.screenshot({ path: outputPath('slice.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
