/**
 * The SDK's own behaviour against a scripted stub (STUB_URL): 503 then 200, 429 with Retry-After
 * (Idempotency-Key reused), and Standard Webhooks signatures made by the reference library
 * (npm `standardwebhooks`) and by the Python reference library (PY_WEBHOOK_* from pytest).
 */
import { Webhook } from "standardwebhooks";
import { createOpenBankClient, signWebhook, unwrap, verifyWebhook, WebhookVerificationError } from "../src/index.js";
import { check, run } from "./env.js";

run(async () => {
  const stubUrl = process.env.STUB_URL!;
  const sleeps: number[] = [];
  const ob = createOpenBankClient({
    baseUrl: stubUrl,
    auth: "t",
    retry: { sleep: async (ms: number) => { sleeps.push(ms); } },
  });
  const page = unwrap(await ob.GET("/api/v1/consents", {}));
  check(page.data.length === 1, "the page after the 503");
  const consent = unwrap(
    await ob.POST("/api/v1/consents", { body: { kind: "account_access", permissions: ["read_accounts"], expires_at: "2030-01-01T00:00:00Z" } }),
  );
  check(consent.id.startsWith("cns_"), "the consent after the 429");

  // Webhooks: the reference library signs, the SDK verifies (and the reverse).
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const payload = JSON.stringify({ type: "loan.disbursed", data: { loan_id: "loan_1", amount: { amount: "8000.00", currency: "CNY" } } });
  const now = new Date();
  const msgId = "msg_ts_1";
  const signature = new Webhook(secret).sign(msgId, now, payload);
  const headers = { "webhook-id": msgId, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature };
  const event = await verifyWebhook<{ type: string }>(payload, headers, secret);
  check(event.type === "loan.disbursed", "a reference signature verifies");
  let tampered: unknown;
  try {
    await verifyWebhook(payload.replace("8000.00", "9000.00"), headers, secret);
  } catch (err) {
    tampered = err;
  }
  check(tampered instanceof WebhookVerificationError, "a changed body is refused");
  const ours = await signWebhook(payload, secret, msgId, Math.floor(now.getTime() / 1000));
  new Webhook(secret).verify(payload, { ...headers, "webhook-signature": ours });

  const py = process.env.PY_WEBHOOK_PAYLOAD;
  let python = false;
  if (py) {
    const pyEvent = await verifyWebhook<{ type: string }>(py, JSON.parse(process.env.PY_WEBHOOK_HEADERS!) as Record<string, string>, secret);
    python = pyEvent.type === "loan.disbursed";
  }
  return { sleeps, python, npmSigned: { payload, headers } };
});
