import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ClientCredentialsTokenProvider,
  listAll,
  OpenBankClient,
  paginate,
  PaginationError,
  unwrap,
  type Page,
} from "../src/index.js";
import type { paths } from "./fixtures/paths.gen.js";
import { CLIENT_ID, CLIENT_SECRET, startFakePlatform, type FakePlatform } from "./helpers/server.js";

let platform: FakePlatform;
let client: OpenBankClient<paths>;
before(async () => {
  platform = await startFakePlatform();
  client = new OpenBankClient<paths>({
    baseUrl: platform.baseUrl,
    auth: new ClientCredentialsTokenProvider({ baseUrl: platform.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
  });
});
after(async () => {
  await platform.close();
});

describe("pagination", () => {
  it("iterates 45 items over 3 pages without touching cursors", async () => {
    const before = platform.requestsTo("/api/v1/accounts/").length;
    const ids: string[] = [];
    for await (const account of paginate((cursor) =>
      client.GET("/api/v1/accounts/", { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }),
    )) {
      ids.push(account.id);
      assert.equal(typeof account.balance.amount, "string");
    }
    assert.equal(ids.length, 45);
    assert.equal(new Set(ids).size, 45);
    assert.equal(ids[0], "acc_001");
    assert.equal(ids[44], "acc_045");
    const calls = platform.requestsTo("/api/v1/accounts/").slice(before);
    assert.equal(calls.length, 3);
    assert.equal(calls[0]!.query.get("cursor"), null);
    assert.ok(calls[1]!.query.get("cursor"));
    assert.notEqual(calls[1]!.query.get("cursor"), calls[2]!.query.get("cursor"));
  });

  it("listAll collects everything (default page size 20) and works with unwrapped pages", async () => {
    const all = await listAll((cursor) =>
      client.GET("/api/v1/accounts/", { params: { query: { cursor } } }).then(unwrap),
    );
    assert.equal(all.length, 45);
    assert.deepEqual(all[10]!.balance, { amount: "8010.10", currency: "CNY" });
  });

  it("listAll enforces its safety cap", async () => {
    await assert.rejects(
      listAll((cursor) => client.GET("/api/v1/accounts/", { params: { query: { limit: 10, ...(cursor ? { cursor } : {}) } } }), { maxItems: 30 }),
      PaginationError,
    );
  });

  it("stops early with maxPages and is lazy", async () => {
    const before = platform.requestsTo("/api/v1/accounts/").length;
    const got: string[] = [];
    for await (const a of paginate((cursor) =>
      client.GET("/api/v1/accounts/", { params: { query: { limit: 5, ...(cursor ? { cursor } : {}) } } }),
    )) {
      got.push(a.id);
      if (got.length === 7) break;
    }
    assert.equal(platform.requestsTo("/api/v1/accounts/").length - before, 2);
    const limited = await listAll(
      (cursor) => client.GET("/api/v1/accounts/", { params: { query: { limit: 5, ...(cursor ? { cursor } : {}) } } }),
      { maxPages: 2 },
    );
    assert.equal(limited.length, 10);
  });

  it("propagates API errors as typed errors and guards against cursor loops", async () => {
    await assert.rejects(
      listAll(() => client.api.GET("/api/v1/accounts/{account_id}/", { params: { path: { account_id: "x" } } }) as never),
    );
    let calls = 0;
    const looping = async (): Promise<Page<number>> => {
      calls++;
      return { data: [calls], has_more: true, next_cursor: "same" };
    };
    await assert.rejects(listAll(looping), PaginationError);
    assert.equal(calls, 2);
  });
});
