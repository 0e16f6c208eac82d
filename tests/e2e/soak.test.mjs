// A short memory soak (the 10-minute one is `make bench`): whole sessions back to back through the
// fake camera for SOAK_SECONDS (default 60); the wasm memory must not grow after warm-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { memoryDrift, soak, startSandbox } from './harness.mjs';

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
let sandbox;

before(async () => { sandbox = await startSandbox(); });
after(async () => { await sandbox?.stop(); });

test(`${seconds} s of back-to-back sessions: every session completes, wasm memory flat after warm-up`, async () => {
  const { cold, warm, long, errors } = await soak(sandbox.url, seconds);
  assert.deepEqual(errors, [], 'console errors');
  for (const r of [cold, warm, long]) {
    assert.deepEqual(r.errors, []);
    assert.ok(r.firstVerdictMs > 0, 'a first verdict');
  }
  assert.ok(long.sessions >= 3, `only ${long.sessions} sessions in ${seconds} s`);
  assert.deepEqual(long.outcomes, { complete: long.sessions });
  const drift = memoryDrift(long.samples);
  console.log(`soak: ${long.sessions} sessions; ${JSON.stringify(drift)}`);
  assert.equal(drift.wasmGrowth, 0, JSON.stringify(long.samples));
});
