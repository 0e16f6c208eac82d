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
export async function launchBrowser({ video, denyCamera = false } = {}) {
  const args = [
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
    /** The images the server holds for a session: [{ type, rejected }]. */
    async images(sid) {
      const r = await fetch(`${baseUrl}/verify/api/v1/verification/${sid}/images`, { headers: await auth() });
      if (!r.ok) throw new Error(`images ${sid}: HTTP ${r.status}`);
      return (await r.json()).session_images.map((i) => ({ type: i.type, rejected: i.rejected === true }));
    },
  };
}
