import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  backoffDelay,
  ClientCredentialsTokenProvider,
  createOpenBankFetch,
  NetworkError,
  OpenBankClient,
  parseRetryAfterMs,
  RateLimitError,
  ServerError,
  TimeoutError,
  unwrap,
  wasReplayed,
  type RetryEvent,
} from "../src/index.js";
import type { paths } from "./fixtures/paths.gen.js";
import { CLIENT_ID, CLIENT_SECRET, fakeSleep, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
let auth: ClientCredentialsTokenProvider;
before(async () => {
  platform = await startFakePlatform();
  auth = new ClientCredentialsTokenProvider({ baseUrl: platform.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});
after(async () => {
  await platform.close();
});

const payment = { debtor_account: "acc_001", amount: { amount: "8000.00", currency: "CNY" } };

describe("retries and idempotency", () => {
  it("retries a 503 then succeeds, reusing the same Idempotency-Key", async () => {
    const { sleep, delays } = fakeSleep();
    const client = new OpenBankClient<paths>({ baseUrl: platform.baseUrl, auth, retry: { sleep } });
    platform.script("POST /api/v1/payments/", { status: 503 }, { status: 503 });
    const before = platform.requestsTo("/api/v1/payments/").length;
    const result = await client.POST("/api/v1/payments/", { body: payment });
    const created = unwrap(result);
    assert.equal(result.response.status, 201);
    assert.equal(created.amount.amount, "8000.00");
    assert.equal(typeof created.amount.amount, "string");
    const attempts = platform.requestsTo("/api/v1/payments/").slice(before);
    assert.equal(attempts.length, 3);
    const keys = attempts.map((r) => r.headers["idempotency-key"]);
    assert.match(String(keys[0]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(new Set(keys).size, 1);
    assert.equal(delays.length, 2);
    // bodies identical across attempts
    assert.equal(new Set(attempts.map((r) => r.body)).size, 1);
  });

  it("different logical calls get different keys; a caller key is kept and replayed", async () => {
    const f = createOpenBankFetch({ auth });
    const url = `${platform.baseUrl}/api/v1/payments/`;
    const init = () => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payment) });
    const before = platform.requestsTo("/api/v1/payments/").length;
    await (await f(url, init())).arrayBuffer();
    await (await f(url, init())).arrayBuffer();
    const [a, b] = platform.requestsTo("/api/v1/payments/").slice(before);
    assert.notEqual(a!.headers["idempotency-key"], b!.headers["idempotency-key"]);

    const first = await f(url, { ...init(), headers: { ...init().headers, "Idempotency-Key": "my-key-1" } });
    const replay = await f(url, { ...init(), headers: { ...init().headers, "Idempotency-Key": "my-key-1" } });
    assert.equal(first.status, 201);
    assert.equal(wasReplayed(first), false);
    assert.equal(wasReplayed(replay), true);
    assert.deepEqual(await replay.json(), await first.json());
  });

  it("honours Retry-After on 429 (injected sleep)", async () => {
    const { sleep, delays } = fakeSleep();
    const f = createOpenBankFetch({ auth, retry: { sleep } });
    platform.script("GET /api/v1/accounts/", {
      status: 429,
      headers: { "Retry-After": "1", "RateLimit-Limit": "10", "RateLimit-Remaining": "0", "RateLimit-Reset": "1" },
    });
    const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
    assert.equal(res.status, 200);
    assert.deepEqual(delays, [1000]);
  });

  it("honours Retry-After: 1 with the real timer", async () => {
    const f = createOpenBankFetch({ auth });
    platform.script("GET /api/v1/accounts/", { status: 429, headers: { "Retry-After": "1" } });
    const t0 = performance.now();
    const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
    const elapsed = performance.now() - t0;
    assert.equal(res.status, 200);
    assert.ok(elapsed >= 990, `waited only ${elapsed} ms`);
    assert.ok(elapsed < 5000);
  });

  it("gives up after maxRetries and returns the last response (typed error via unwrap)", async () => {
    const { sleep, delays } = fakeSleep();
    const events: RetryEvent[] = [];
    const client = new OpenBankClient<paths>({
      baseUrl: platform.baseUrl,
      auth,
      retry: { sleep, maxRetries: 2, baseDelayMs: 100, random: () => 0.999 },
      onRetry: (e) => events.push(e),
    });
    platform.script("GET /api/v1/accounts/", { status: 502 }, { status: 504 }, { status: 503 });
    const before = platform.requestsTo("/api/v1/accounts/").length;
    const result = await client.GET("/api/v1/accounts/");
    assert.equal(result.response.status, 503);
    assert.throws(() => unwrap(result), ServerError);
    assert.equal(platform.requestsTo("/api/v1/accounts/").length - before, 3);
    assert.deepEqual(delays, [99, 199]); // full jitter with random≈1: base*2^n
    assert.deepEqual(events.map((e) => e.response?.status), [502, 504]);
  });

  it("does not wait for a Retry-After longer than maxRetryAfterMs", async () => {
    const { sleep, delays } = fakeSleep();
    const f = createOpenBankFetch({ auth, retry: { sleep, maxRetryAfterMs: 5_000 } });
    platform.script("GET /api/v1/accounts/", { status: 429, headers: { "Retry-After": "120" } });
    const res = await f(`${platform.baseUrl}/api/v1/accounts/`);
    assert.equal(res.status, 429);
    assert.deepEqual(delays, []);
    const { apiErrorFromResponse } = await import("../src/errors.js");
    const err = await apiErrorFromResponse(res);
    assert.ok(err instanceof RateLimitError);
    assert.equal(err.retryAfter, 120);
  });

  it("retries 409 idempotency_key_in_use but not 422 idempotency_key_reused", async () => {
    const { sleep } = fakeSleep();
    const f = createOpenBankFetch({ auth, retry: { sleep } });
    const url = `${platform.baseUrl}/api/v1/payments/`;
    platform.script("POST /api/v1/payments/", {
      status: 409,
      body: { type: "about:blank", title: "Conflict", status: 409, code: "idempotency_key_in_use", request_id: "r1" },
    });
    const res = await f(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payment) });
    assert.equal(res.status, 201);

    platform.script("POST /api/v1/payments/", {
      status: 422,
      body: { status: 422, code: "idempotency_key_reused", request_id: "r2" },
    });
    const before = platform.requestsTo("/api/v1/payments/").length;
    const res2 = await f(url, { method: "POST", body: JSON.stringify(payment) });
    assert.equal(res2.status, 422);
    assert.equal(platform.requestsTo("/api/v1/payments/").length - before, 1);

    platform.script("POST /api/v1/payments/", { status: 409, body: { status: 409, code: "insufficient_funds" } });
    const res3 = await f(url, { method: "POST", body: JSON.stringify(payment) });
    assert.equal(res3.status, 409);
  });

  it("never retries a POST without an Idempotency-Key (auto keys disabled)", async () => {
    const { sleep, delays } = fakeSleep();
    const f = createOpenBankFetch({ auth, idempotency: false, retry: { sleep } });
    platform.script("POST /api/v1/echo/", { status: 503 });
    const before = platform.requestsTo("/api/v1/echo/").length;
    const res = await f(`${platform.baseUrl}/api/v1/echo/`, { method: "POST", body: "{}" });
    assert.equal(res.status, 503);
    assert.equal(platform.requestsTo("/api/v1/echo/").length - before, 1);
    assert.equal(platform.requestsTo("/api/v1/echo/").at(-1)!.headers["idempotency-key"], undefined);
    assert.deepEqual(delays, []);
    // GET is idempotent and is retried even then
    platform.script("GET /api/v1/echo/", { status: 503 });
    assert.equal((await f(`${platform.baseUrl}/api/v1/echo/`)).status, 200);
  });

  it("retries network errors with backoff, then throws NetworkError", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { sleep, delays } = fakeSleep();
    const f = createOpenBankFetch({ retry: { sleep, maxRetries: 3 } });
    await assert.rejects(f(`http://127.0.0.1:${port}/api/v1/accounts/`), (e: unknown) => {
      assert.ok(e instanceof NetworkError);
      assert.ok(e.cause);
      return true;
    });
    assert.equal(delays.length, 3);
  });

  it("times out slow attempts (TimeoutError) and retries them", async () => {
    const { sleep } = fakeSleep();
    const f = createOpenBankFetch({ auth, timeoutMs: 250, retry: { sleep, maxRetries: 1 } });
    await auth.getAccessToken();
    platform.script("GET /api/v1/echo/", { status: 200, delayMs: 1000 }, { status: 200, delayMs: 1000 });
    await assert.rejects(f(`${platform.baseUrl}/api/v1/echo/`), TimeoutError);
    platform.script("GET /api/v1/echo/", { status: 200, delayMs: 1000 });
    const ok = await f(`${platform.baseUrl}/api/v1/echo/`);
    assert.equal(ok.status, 200);
  });

  it("does not retry when the caller aborts", async () => {
    const { sleep, delays } = fakeSleep();
    const f = createOpenBankFetch({ auth, retry: { sleep } });
    platform.script("GET /api/v1/echo/", { status: 200, delayMs: 300 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error("user cancelled")), 50);
    await assert.rejects(f(`${platform.baseUrl}/api/v1/echo/`, { signal: ctl.signal }), /user cancelled/);
    assert.deepEqual(delays, []);
  });
});

describe("retry helpers", () => {
  it("parses Retry-After seconds and HTTP dates", () => {
    assert.equal(parseRetryAfterMs("1"), 1000);
    assert.equal(parseRetryAfterMs(" 0 "), 0);
    assert.equal(parseRetryAfterMs("garbage"), undefined);
    assert.equal(parseRetryAfterMs(null), undefined);
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.equal(parseRetryAfterMs("Wed, 01 Jan 2025 00:00:05 GMT", now), 5000);
    assert.equal(parseRetryAfterMs("Tue, 31 Dec 2024 23:59:00 GMT", now), 0);
  });

  it("full jitter stays within [0, min(max, base*2^n))", () => {
    for (let n = 0; n < 10; n++) {
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(n, { baseDelayMs: 500, maxDelayMs: 20_000, random: Math.random });
        assert.ok(d >= 0 && d < Math.min(20_000, 500 * 2 ** n));
      }
    }
  });
});
