/**
 * Per-call overhead of the SDK against raw fetch on the same live endpoint (driven by
 * tests/bench/test_sdk_overhead.py). Rounds alternate raw and SDK blocks so that server
 * drift hits both alike; prints per-call times in ms as JSON. Never asserts on time.
 */
import { createOpenBankClient, unwrap } from "../src/index.js";
import { baseUrl, run } from "./env.js";

run(async () => {
  const token = process.env.BENCH_TOKEN!;
  const calls = Number(process.env.BENCH_CALLS ?? "400");
  const rounds = 8;
  const url = `${baseUrl}/api/v1/consents?limit=1`;
  const ob = createOpenBankClient({ baseUrl, auth: token });

  const raw = async () => {
    const r = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
    if (!r.ok) throw new Error(`raw fetch: ${r.status}`);
    await r.json();
  };
  const sdk = async () => {
    unwrap(await ob.GET("/api/v1/consents", { params: { query: { limit: 1 } } }));
  };
  const times: Record<string, number[]> = { raw: [], sdk: [] };
  for (let i = 0; i < 50; i++) { await raw(); await sdk(); } // warm up connections and JIT
  const per = Math.max(1, Math.floor(calls / rounds));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of [["raw", raw], ["sdk", sdk]] as const) {
      for (let i = 0; i < per; i++) {
        const t0 = performance.now();
        await fn();
        times[name]!.push(performance.now() - t0);
      }
    }
  }
  return times;
});
