// Shared plumbing for the end-to-end suites: a sandbox on a free loopback port, and Debian's
// Chromium with the fake camera fed a generated video.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = resolve(ROOT, 'target/fixtures');
export const OUTPUT = resolve(ROOT, 'test-output/e2e');
const SANDBOX_BIN = process.env.IDV_SANDBOX_BIN ?? resolve(ROOT, 'target/debug/idv-sandbox');

/** Starts the sandbox on a free port; resolves to { url, stop, logs }. */
export async function startSandbox(env = {}) {
  const child = spawn(SANDBOX_BIN, ['--port', '0', '--www', `${ROOT}/www`, '--pkg', `${ROOT}/pkg`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sandbox did not start: ${logs.join('')}`)), 15000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      logs.push(d.toString());
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`sandbox exited ${code}: ${logs.join('')}`)); });
  });
  return {
    url,
    logs,
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    }),
  };
}

/** Launches headless Chromium whose fake camera streams `video` (a path under target/fixtures). */
export async function launchBrowser({ video, denyCamera = false, extraArgs = [] } = {}) {
  const args = [...extraArgs,
    '--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    '--use-fake-device-for-media-stream',
  ];
  if (!denyCamera) args.push('--use-fake-ui-for-media-stream');
  if (video) args.push(`--use-file-for-fake-video-capture=${resolve(FIXTURES, video)}`);
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args, headless: true });
}

export function outputPath(name) {
  mkdirSync(OUTPUT, { recursive: true });
  return resolve(OUTPUT, name);
}

/** The sandbox's Verify API as the integrator's backend sees it (client credentials). */
export function verifyApi(baseUrl) {
  let token;
  const auth = async () => {
    token ??= await fetch(`${baseUrl}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret',
    }).then((r) => r.json()).then((j) => j.access_token);
    return { authorization: `Bearer ${token}` };
  };
  return {
    /** Arms one sandbox fault (see sandbox/README.md); resolves to the HTTP status. */
    async armFault(spec) {
      const r = await fetch(`${baseUrl}/sandbox/faults`, {
        method: 'POST',
        headers: { ...(await auth()), 'content-type': 'application/json' },
        body: JSON.stringify(spec),
      });
      return r.status;
    },
    /** Clears every armed fault. */
    async clearFaults() {
      await fetch(`${baseUrl}/sandbox/faults`, { method: 'DELETE', headers: await auth() });
    },
    /** The images the server holds for a session: [{ type, rejected }]. */
    async images(sid) {
      const r = await fetch(`${baseUrl}/verify/api/v1/verification/${sid}/images`, { headers: await auth() });
      if (!r.ok) throw new Error(`images ${sid}: HTTP ${r.status}`);
      return (await r.json()).session_images.map((i) => ({ type: i.type, rejected: i.rejected === true }));
    },
  };
}

/**
 * Runs www/bench/soak.html: whole sessions back to back through the fake camera for `seconds`,
 * sampling wasm memory and the JS heap each second. The page is opened twice in one browser
 * context first (`seconds=0`), so the cold and warm time to the first verdict come with it.
 */
export async function soak(sandboxUrl, seconds) {
  const browser = await launchBrowser({ video: 'front-back-selfie.y4m', extraArgs: ['--enable-precise-memory-info', '--js-flags=--expose-gc'] });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const run = async (secs) => {
      await page.goto(`${sandboxUrl}/bench/soak.html?seconds=${secs}`);
      await page.waitForFunction(() => window.__soak, null, { timeout: (secs + 120) * 1000, polling: 1000 });
      return page.evaluate(() => window.__soak);
    };
    const cold = await run(0);
    const warm = await run(0);
    const long = await run(seconds);
    return { cold, warm, long, errors };
  } finally {
    await browser.close();
  }
}

/** Wasm memory growth after warm-up (the first two sessions): bytes, and the samples behind it. */
export function memoryDrift(samples) {
  const warmed = samples.find((s) => s.sessions >= 2) ?? samples[0];
  const last = samples.at(-1);
  return {
    warmedAt: warmed.t,
    wasmAfterWarmup: warmed.wasmBytes,
    wasmAtEnd: last.wasmBytes,
    wasmGrowth: last.wasmBytes - warmed.wasmBytes,
    jsHeapAfterWarmup: warmed.jsHeapBytes,
    jsHeapAtEnd: last.jsHeapBytes,
  };
}
