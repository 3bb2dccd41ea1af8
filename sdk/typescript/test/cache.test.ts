import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ClientCredentialsTokenProvider,
  createOpenBankClient,
  createOpenBankFetch,
  isRevalidated,
  ResponseCache,
  unwrap,
} from "../src/index.js";
import { CLIENT_ID, CLIENT_SECRET, fakeSleep, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
before(async () => {
  platform = await startFakePlatform();
});
after(async () => {
  await platform.close();
});

const txPath = (account: string) => `/api/v1/accounts/${account}/transactions/`;

/** The If-None-Match of every request the fake platform got for `path`, in order. */
function inm(path: string): (string | undefined)[] {
  return platform.requestsTo(path).map((r) => r.headers["if-none-match"] as string | undefined);
}

function cachedFetch(cache: ResponseCache | boolean = true) {
  return createOpenBankFetch({ auth: platform.issueUserTokens().accessToken, responseCache: cache });
}

describe("responseCache", () => {
  it("sends If-None-Match after a 200 with an ETag and hands a 304 back as the remembered 200", async () => {
    const f = cachedFetch();
    const url = platform.baseUrl + txPath("acc_r1");
    const first = await f(url);
    assert.equal(first.status, 200);
    assert.equal(isRevalidated(first), false);
    const firstBody = await first.json();
    const second = await f(url);
    assert.equal(second.status, 200);
    assert.equal(isRevalidated(second), true);
    assert.deepEqual(await second.json(), firstBody);
    assert.equal(second.headers.get("etag"), first.headers.get("etag"));
    assert.equal(second.headers.get("content-type"), "application/json");
    const sent = inm(txPath("acc_r1"));
    assert.equal(sent[0], undefined);
    assert.equal(sent[1], first.headers.get("etag"));
  });

  it("a changed resource (200 with a new ETag) replaces the entry", async () => {
    const f = cachedFetch();
    const url = platform.baseUrl + txPath("acc_r2");
    const v1 = await f(url);
    const etag1 = v1.headers.get("etag");
    platform.transactionVersions.set("acc_r2", 2);
    const v2 = await f(url);
    assert.equal(isRevalidated(v2), false);
    assert.equal(((await v2.json()) as { data: { id: string }[] }).data[0]!.id, "txn_acc_r2_2");
    const again = await f(url);
    assert.equal(isRevalidated(again), true);
    assert.equal(((await again.json()) as { data: { id: string }[] }).data[0]!.id, "txn_acc_r2_2");
    assert.deepEqual(inm(txPath("acc_r2")), [undefined, etag1, v2.headers.get("etag")]);
    assert.notEqual(etag1, v2.headers.get("etag"));
  });

  it("each query string is its own entry", async () => {
    const f = cachedFetch();
    const base = platform.baseUrl + txPath("acc_r3");
    const bodies: string[] = [];
    for (const q of ["?limit=1", "?limit=2", "?limit=1", "?limit=2"]) {
      bodies.push(((await (await f(base + q)).json()) as { query: string }).query);
    }
    assert.deepEqual(bodies, ["?limit=1", "?limit=2", "?limit=1", "?limit=2"]);
    const sent = inm(txPath("acc_r3"));
    assert.equal(sent[0], undefined);
    assert.equal(sent[1], undefined);
    assert.ok(sent[2] && sent[3] && sent[2] !== sent[3]);
  });

  it("errors are never kept, and an error drops the entry", async () => {
    const cache = new ResponseCache();
    const f = cachedFetch(cache);
    const path = txPath("acc_r4");
    const url = platform.baseUrl + path;
    const notFound = { status: 404, headers: { ETag: '"error-etag"' } };
    platform.script(`GET ${path}`, notFound, notFound);
    assert.equal((await f(url)).status, 404);
    assert.equal((await f(url)).status, 404); // a 404 carrying an ETag is not stored
    assert.equal((await f(url)).status, 200);
    platform.script(`GET ${path}`, notFound); // e.g. the consent no longer covers the account
    assert.equal((await f(url)).status, 404);
    assert.equal(cache.size, 0);
    assert.equal((await f(url)).status, 200);
    const sent = inm(path);
    assert.deepEqual(sent.slice(0, 3), [undefined, undefined, undefined]);
    assert.ok(sent[3]); // the 404 answered a revalidation ...
    assert.equal(sent[4], undefined); // ... and dropped the entry
  });

  it("responses without ETag and non-GETs are not kept", async () => {
    const cache = new ResponseCache();
    const f = cachedFetch(cache);
    await f(platform.baseUrl + "/api/v1/accounts/");
    await f(platform.baseUrl + "/api/v1/accounts/");
    platform.script("POST /api/v1/echo/", { status: 200, headers: { ETag: '"p"' } }, { status: 200, headers: { ETag: '"p"' } });
    await f(platform.baseUrl + "/api/v1/echo/", { method: "POST", body: "{}" });
    await f(platform.baseUrl + "/api/v1/echo/", { method: "POST", body: "{}" });
    assert.equal(cache.size, 0);
    assert.deepEqual(inm("/api/v1/accounts/"), [undefined, undefined]);
    assert.deepEqual(inm("/api/v1/echo/"), [undefined, undefined]);
  });

  it("is off by default: no If-None-Match", async () => {
    const f = createOpenBankFetch({ auth: platform.issueUserTokens().accessToken });
    const url = platform.baseUrl + txPath("acc_r5");
    await f(url);
    await f(url);
    assert.deepEqual(inm(txPath("acc_r5")), [undefined, undefined]);
    const client = createOpenBankClient({ baseUrl: platform.baseUrl, auth: "t" });
    assert.equal(client.responseCache, undefined);
  });

  it("the LRU keeps at most maxEntries", async () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    const f = cachedFetch(cache);
    const base = platform.baseUrl + txPath("acc_r6");
    for (const p of ["a", "b", "a", "c", "a", "b"]) await (await f(`${base}?p=${p}`)).arrayBuffer();
    const seen = platform.requestsTo(txPath("acc_r6")).map((r) => [r.query.get("p"), r.headers["if-none-match"] !== undefined]);
    // a, b stored; a revalidated (now most recent); c evicts b; a revalidated; b asked afresh.
    assert.deepEqual(seen, [["a", false], ["b", false], ["a", true], ["c", false], ["a", true], ["b", false]]);
    assert.equal(cache.size, 2);
    assert.throws(() => new ResponseCache({ maxEntries: 0 }), RangeError);
  });

  it("bodies over maxEntryBytes are not kept", async () => {
    const f = cachedFetch(new ResponseCache({ maxEntryBytes: 20 }));
    const url = platform.baseUrl + txPath("acc_r7");
    await (await f(url)).arrayBuffer();
    await (await f(url)).arrayBuffer();
    assert.deepEqual(inm(txPath("acc_r7")), [undefined, undefined]);
  });

  it("a new token never sees another token's entry (401, fresh token, unconditional re-send)", async () => {
    const { sleep } = fakeSleep();
    const auth = new ClientCredentialsTokenProvider({ baseUrl: platform.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const f = createOpenBankFetch({ auth, responseCache: true, retry: { sleep } });
    const url = platform.baseUrl + txPath("acc_r8");
    await f(url);
    platform.revokeAllAccessTokens();
    const afterRefresh = await f(url);
    assert.equal(afterRefresh.status, 200);
    assert.equal(isRevalidated(afterRefresh), false);
    assert.equal(isRevalidated(await f(url)), true);
    const seen = platform.requestsTo(txPath("acc_r8")).map((r) => [r.headers.authorization, r.headers["if-none-match"] !== undefined]);
    assert.equal(seen.length, 4);
    assert.deepEqual(seen.map(([, conditional]) => conditional), [false, true, false, true]);
    assert.equal(seen[0]![0], seen[1]![0]);
    assert.notEqual(seen[1]![0], seen[2]![0]);

    // One cache shared by two credentials: each has its own entry.
    const shared = new ResponseCache();
    const a = cachedFetch(shared);
    const b = cachedFetch(shared);
    await a(platform.baseUrl + txPath("acc_r9"));
    await b(platform.baseUrl + txPath("acc_r9"));
    assert.equal(shared.size, 2);
    assert.deepEqual(inm(txPath("acc_r9")), [undefined, undefined]);
  });

  it("a caller's own If-None-Match is passed through", async () => {
    const f = cachedFetch();
    const url = platform.baseUrl + txPath("acc_r10");
    const etag = (await f(url)).headers.get("etag")!;
    const mine = await f(url, { headers: { "If-None-Match": etag } });
    assert.equal(mine.status, 304);
    assert.equal(isRevalidated(mine), false);
  });

  it("a 304 for a validator it does not hold is asked again, unconditionally", async () => {
    const f = cachedFetch();
    const path = "/api/v1/confused/"; // served by the script alone
    platform.script(`GET ${path}`, { status: 200, headers: { ETag: '"mine"' }, body: { n: 1 } },
      { status: 304, headers: { ETag: '"other"' } }, { status: 200, headers: { ETag: '"mine"' }, body: { n: 3 } });
    assert.deepEqual(await (await f(platform.baseUrl + path)).json(), { n: 1 });
    const second = await f(platform.baseUrl + path);
    assert.equal(isRevalidated(second), false);
    assert.deepEqual(await second.json(), { n: 3 });
    assert.deepEqual(inm(path), [undefined, '"mine"', undefined]);
  });

  it("the typed client gets data, not an error, on a 304", async () => {
    const client = createOpenBankClient({
      baseUrl: platform.baseUrl,
      auth: platform.issueUserTokens().accessToken,
      responseCache: true,
      throwOnError: true,
    });
    assert.ok(client.responseCache instanceof ResponseCache);
    const read = () => client.GET("/api/v1/accounts/{account_id}/transactions", { params: { path: { account_id: "acc_r11" } } });
    const first = unwrap(await read());
    const second = await read();
    assert.equal(isRevalidated(second.response), true);
    assert.deepEqual(unwrap(second), first);
    assert.equal(client.responseCache!.revalidated, 1);
  });
});
