/**
 * `responseCache: true` against the live platform: an account's transactions read twice (the
 * second is a 304 on the wire and the same data), then a payment, then the page read again (a
 * 200 with the new transaction, in answer to a revalidation). The wire is observed by the fetch
 * given to the client, which sits under the SDK's cache.
 */
import { createOpenBankClient, isRevalidated, unwrap } from "../src/index.js";
import { authorize } from "./authorize.js";
import { baseUrl, check, run, seed } from "./env.js";

run(async () => {
  const customer = seed.customers[0]!;
  const [debtorId, savingsId] = customer.accounts as [string, string];
  const wire: { path: string; status: number; ifNoneMatch: string | null }[] = [];
  const observed = async (input: string, init: RequestInit): Promise<Response> => {
    const response = await globalThis.fetch(input, init);
    wire.push({ path: new URL(input).pathname, status: response.status, ifNoneMatch: new Headers(init.headers).get("if-none-match") });
    return response;
  };
  const { user: reader } = await authorize(["accounts"], {
    kind: "account_access",
    permissions: ["read_accounts", "read_balances", "read_transactions"],
    expires_at: new Date(Date.now() + 30 * 86400_000).toISOString(),
  }, 99, { responseCache: true, fetch: observed });
  check(reader.responseCache !== undefined, "the cache is on");

  const path = `/api/v1/accounts/${debtorId}/transactions`;
  const read = () => reader.GET("/api/v1/accounts/{account_id}/transactions", { params: { path: { account_id: debtorId } } });
  const onWire = () => wire.filter((w) => w.path === path);

  const first = await read();
  const second = await read();
  const firstData = unwrap(first);
  const etag = first.response.headers.get("etag");
  const beforePayment = onWire().map((w) => ({ status: w.status, ifNoneMatch: w.ifNoneMatch }));

  const savings = unwrap(await reader.GET("/api/v1/accounts/{account_id}", { params: { path: { account_id: savingsId } } }));
  const amount = { amount: "6.78", currency: "CNY" };
  const paying = await authorize(["payments"], {
    kind: "payment", amount, creditor_account_number: savings.account_number, creditor_name: "Zhang Wei", reference: "ts cache",
  });
  const payer = createOpenBankClient({ baseUrl, auth: paying.accessToken });
  const payment = unwrap(await payer.POST("/api/v1/payments", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { consent_id: paying.consent.id, amount, creditor_account_number: savings.account_number, reference: "ts cache" },
  }));

  const afterPayment = unwrap(await read());
  const third = onWire().at(-1)!;
  const again = await read();
  return {
    etag,
    beforePayment,
    sameData: JSON.stringify(unwrap(second)) === JSON.stringify(firstData),
    secondRevalidated: isRevalidated(second.response),
    afterPayment: { status: third.status, ifNoneMatch: third.ifNoneMatch },
    paymentId: payment.id,
    newTransactionSeen: afterPayment.data.some((t) => t.amount.amount === "6.78" || t.amount.amount === "-6.78"),
    changed: JSON.stringify(afterPayment.data.map((t) => t.id)) !== JSON.stringify(firstData.data.map((t) => t.id)),
    finally: { status: onWire().at(-1)!.status, revalidated: isRevalidated(again.response) },
    revalidatedCount: reader.responseCache!.revalidated,
  };
});
