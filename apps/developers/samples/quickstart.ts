// Quickstart: the TypeScript SDK, server to server (client credentials).
// npm install ./openbank-sdk-0.1.0.tgz   (built by `make sdk-pack`; Node 20+ or a modern browser)
// npx tsc --module nodenext --target es2022 --strict --types node quickstart.ts && node quickstart.js
import { createOpenBankClient, paginate, unwrap } from "@openbank/sdk";

const baseUrl = process.env.OPENBANK_URL ?? "http://127.0.0.1:8000";
const ob = createOpenBankClient({
  baseUrl,
  clientId: process.env.OPENBANK_CLIENT_ID!, // sandbox credentials from `make run`
  clientSecret: process.env.OPENBANK_CLIENT_SECRET!,
  scope: ["accounts"],
});

// 1. Ask for the customer's consent. The SDK fetches and caches the token, adds an
//    Idempotency-Key to the POST and retries it safely on 429/5xx.
const consent = unwrap(
  await ob.POST("/api/v1/consents", {
    body: {
      kind: "account_access",
      permissions: ["read_accounts", "read_balances", "read_transactions"],
      expires_at: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    },
  }),
);
console.log("created", consent.id, consent.status);

// 2. Every consent this app created, page after page, without touching cursors.
let count = 0;
for await (const c of paginate((cursor) => ob.GET("/api/v1/consents", { params: { query: { cursor, limit: 100 } } }))) {
  count += 1;
  if (c.id === consent.id) console.log("found", c.id, "among the app's consents");
}
console.log("total", count);
