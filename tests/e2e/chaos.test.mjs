// Network chaos: whole sessions in Chromium (fake camera, real uploads) while the sandbox injects a
// seeded schedule of 5xx and 429 answers, delays of up to 5 s and dropped connections. Each must
// complete with exactly one accepted image per type. CHAOS_SEEDS seeds (3 in `make test`, 20 in
// `make bench`); a failing seed is printed with its schedule, so it can be replayed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startSandbox, verifyApi } from './harness.mjs';

const seeds = Number(process.env.CHAOS_SEEDS ?? 3);
const firstSeed = Number(process.env.CHAOS_FIRST_SEED ?? 1);
let sandbox;
let api;
let browser;

before(async () => {
  sandbox = await startSandbox();
  api = verifyApi(sandbox.url);
  browser = await launchBrowser({ video: 'front-back-selfie.y4m' });
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** mulberry32: a small seeded generator, so a schedule is replayable from its seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Up to 3 faults on the client's POSTs (start, uploads) and up to 2 on its GETs (status), each met
 * once. At most 3 failures in a row stays inside the client's retry budget (4 attempts), so a
 * session that does not complete is a bug, not bad luck.
 */
function schedule(seed) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const fault = (method) => {
    const base = { path_prefix: '/verify/api/v1/verification/', method, times: 1 };
    switch (pick(['status', 'delay', 'drop'])) {
      case 'status': return { ...base, status: pick([500, 502, 503, 429]) };
      case 'delay': return { ...base, delay_ms: 500 + Math.floor(r() * 4500) };
      default: return { ...base, drop_connection: true };
    }
  };
  const posts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => fault('POST'));
  const gets = Array.from({ length: Math.floor(r() * 3) }, () => fault('GET'));
  return [...posts, ...gets];
}

for (let seed = firstSeed; seed < firstSeed + seeds; seed += 1) {
  test(`chaos seed ${seed}: the session completes with one accepted image per type`, async () => {
    const faults = schedule(seed);
    await api.clearFaults();
    for (const f of faults) assert.equal(await api.armFault(f), 201, `arm ${JSON.stringify(f)}`);
    const page = await browser.newPage();
    try {
      await page.goto(`${sandbox.url}/bench/soak.html?seconds=0`);
      await page.waitForFunction(() => window.__soak, null, { timeout: 120_000, polling: 500 });
      const run = await page.evaluate(() => window.__soak);
      const why = `seed ${seed}, schedule ${JSON.stringify(faults)}, run ${JSON.stringify({ ...run, samples: undefined })}`;
      assert.deepEqual(run.outcomes, { complete: 1 }, why);
      // Faults the client did not meet would hit the checks below: clear them first.
      await api.clearFaults();
      const stored = await api.images(run.sessionIds[0]);
      const accepted = stored.filter((i) => !i.rejected).map((i) => i.type).sort();
      assert.deepEqual(accepted, ['document_back', 'document_front', 'selfie'], `${why}; stored ${JSON.stringify(stored)}`);
      console.log(`chaos seed ${seed}: completed under ${JSON.stringify(faults)}`);
    } finally {
      await page.close();
      await api.clearFaults();
    }
  });
}
