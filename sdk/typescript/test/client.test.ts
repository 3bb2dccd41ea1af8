import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import createClient from "openapi-fetch";
import {
  ClientCredentialsTokenProvider,
  createOpenBankClient,
  createOpenBankFetch,
  DEFAULT_USER_AGENT,
  OpenBankClient,
} from "../src/index.js";
import type { paths } from "./fixtures/paths.gen.js";
import { CLIENT_ID, CLIENT_SECRET, fakeSleep, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
before(async () => {
  platform = await startFakePlatform();
});
after(async () => {
  await platform.close();
});

describe("createOpenBankFetch + openapi-fetch", () => {
  it("plugs into createClient({ baseUrl, fetch }) and sends UA, auth and JSON body", async () => {
    const fetch = createOpenBankFetch({
      auth: new ClientCredentialsTokenProvider({ baseUrl: platform.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    });
    const api = createClient<paths>({ baseUrl: platform.baseUrl, fetch });
    const { data, response } = await api.POST("/api/v1/payments/", {
      body: { debtor_account: "acc_002", amount: { amount: "0.10", currency: "CNY" } },
    });
    assert.equal(response.status, 201);
    assert.deepEqual(data?.amount, { amount: "0.10", currency: "CNY" });
    const req = platform.requestsTo("/api/v1/payments/").at(-1)!;
    assert.equal(req.headers["user-agent"], DEFAULT_USER_AGENT);
    assert.match(String(req.headers.authorization), /^Bearer at_/);
    assert.equal(req.headers["content-type"], "application/json");
    assert.ok(req.headers["idempotency-key"]);
    assert.deepEqual(JSON.parse(req.body), { debtor_account: "acc_002", amount: { amount: "0.10", currency: "CNY" } });
  });

  it("client credentials shorthand, X-Request-ID passthrough kept across retries", async () => {
    const { sleep } = fakeSleep();
    const client = createOpenBankClient<paths>({
      baseUrl: platform.baseUrl + "/",
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: "accounts",
      retry: { sleep },
    });
    assert.ok(client instanceof OpenBankClient);
    platform.script("GET /api/v1/accounts/{account_id}/".replace("{account_id}", "acc_003"), { status: 503 });
    const before = platform.requestsTo("/api/v1/accounts/acc_003/").length;
    const { data, response } = await client.GET("/api/v1/accounts/{account_id}/", {
      params: { path: { account_id: "acc_003" } },
      headers: { "X-Request-ID": "trace-abc" },
    });
    assert.equal(data?.id, "acc_003");
    assert.equal(response.headers.get("x-request-id"), "trace-abc");
    const attempts = platform.requestsTo("/api/v1/accounts/acc_003/").slice(before);
    assert.equal(attempts.length, 2);
    assert.deepEqual(attempts.map((a) => a.headers["x-request-id"]), ["trace-abc", "trace-abc"]);
    assert.equal(platform.tokenCalls["client_credentials"] !== undefined, true);
  });

  it("generateRequestId adds one id per logical call; a caller Authorization wins", async () => {
    let n = 0;
    const f = createOpenBankFetch({ auth: "ignored", generateRequestId: () => `gen-${++n}`, userAgent: "my-app/1.0" });
    const { at } = { at: platform.issueUserTokens().accessToken };
    const res = await f(`${platform.baseUrl}/api/v1/echo/`, { headers: { Authorization: `Bearer ${at}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-request-id"), "gen-1");
    const echo = (await res.json()) as { headers: Record<string, string> };
    assert.equal(echo.headers["user-agent"], "my-app/1.0");
    assert.equal(echo.headers["authorization"], `Bearer ${at}`);
  });

  it("accepts URL and Request inputs, streams are buffered for retries", async () => {
    const { sleep } = fakeSleep();
    const at = platform.issueUserTokens().accessToken;
    const f = createOpenBankFetch({ auth: at, retry: { sleep } });
    platform.script("POST /api/v1/echo/", { status: 503 });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"a":'));
        c.enqueue(new TextEncoder().encode("1}"));
        c.close();
      },
    });
    const req = new Request(`${platform.baseUrl}/api/v1/echo/`, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    const res = await f(req);
    assert.equal(res.status, 200);
    const echo = (await res.json()) as { body: string; method: string };
    assert.equal(echo.body, '{"a":1}');
    assert.equal(echo.method, "POST");
    const viaUrl = await f(new URL(`${platform.baseUrl}/api/v1/echo/`));
    assert.equal(viaUrl.status, 200);
  });
});
