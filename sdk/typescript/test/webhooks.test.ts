import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { signWebhook, verifyWebhook, WebhookVerificationError } from "../src/index.js";

const secret = "whsec_" + randomBytes(32).toString("base64");
const wh = new Webhook(secret);
const payload = JSON.stringify({
  type: "payment.settled",
  data: { id: "pay_1", amount: { amount: "8000.00", currency: "CNY" } },
});

function signed(body: string, at: Date = new Date(), id = "msg_" + randomBytes(6).toString("hex")) {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": wh.sign(id, at, body),
  };
}

const isVerificationError = (e: unknown) => e instanceof WebhookVerificationError;

describe("verifyWebhook (Standard Webhooks)", () => {
  it("verifies a payload signed by the standardwebhooks package and returns parsed JSON", async () => {
    const headers = signed(payload);
    const event = await verifyWebhook<{ type: string; data: { amount: { amount: string } } }>(payload, headers, secret);
    assert.equal(event.type, "payment.settled");
    assert.equal(event.data.amount.amount, "8000.00");
  });

  it("accepts Uint8Array bodies, a Headers object and upper-case header names", async () => {
    const h = signed(payload);
    await verifyWebhook(new TextEncoder().encode(payload), new Headers(h), secret);
    await verifyWebhook(payload, {
      "Webhook-Id": h["webhook-id"],
      "Webhook-Timestamp": h["webhook-timestamp"],
      "Webhook-Signature": h["webhook-signature"],
    }, secret);
  });

  it("verifies non-ASCII payloads byte-exactly", async () => {
    const body = JSON.stringify({ type: "note", data: { memo: "房租 ✓" } });
    const event = await verifyWebhook<{ data: { memo: string } }>(Buffer.from(body), signed(body), secret);
    assert.equal(event.data.memo, "房租 ✓");
  });

  it("rejects tampered payloads, ids and timestamps", async () => {
    const h = signed(payload);
    await assert.rejects(verifyWebhook(payload.replace("8000.00", "9000.00"), h, secret), isVerificationError);
    await assert.rejects(verifyWebhook(payload, { ...h, "webhook-id": "msg_other" }, secret), isVerificationError);
    await assert.rejects(
      verifyWebhook(payload, { ...h, "webhook-timestamp": String(Number(h["webhook-timestamp"]) + 1) }, secret),
      isVerificationError,
    );
  });

  it("rejects a wrong secret, a missing header and garbage signatures", async () => {
    const h = signed(payload);
    const other = "whsec_" + randomBytes(32).toString("base64");
    await assert.rejects(verifyWebhook(payload, h, other), isVerificationError);
    const { ["webhook-signature"]: _omit, ...missing } = h;
    await assert.rejects(verifyWebhook(payload, missing, secret), isVerificationError);
    await assert.rejects(verifyWebhook(payload, { ...h, "webhook-signature": "v1,!!!notbase64" }, secret), isVerificationError);
    await assert.rejects(verifyWebhook(payload, { ...h, "webhook-signature": h["webhook-signature"].replace("v1,", "v2,") }, secret), isVerificationError);
  });

  it("accepts any one valid signature among several (key rotation)", async () => {
    const h = signed(payload);
    const oldWh = new Webhook("whsec_" + randomBytes(32).toString("base64"));
    const oldSig = oldWh.sign(h["webhook-id"], new Date(Number(h["webhook-timestamp"]) * 1000), payload);
    await verifyWebhook(payload, { ...h, "webhook-signature": `${oldSig} ${h["webhook-signature"]}` }, secret);
    await verifyWebhook(payload, { ...h, "webhook-signature": `${h["webhook-signature"]} ${oldSig}` }, secret);
    await assert.rejects(verifyWebhook(payload, { ...h, "webhook-signature": oldSig }, secret), isVerificationError);
  });

  it("enforces the 5 minute tolerance both ways (injectable clock)", async () => {
    const at = new Date("2025-06-01T12:00:00Z");
    const h = signed(payload, at);
    await verifyWebhook(payload, h, secret, { now: at.getTime() + 299_000 });
    await verifyWebhook(payload, h, secret, { now: at.getTime() - 299_000 });
    await assert.rejects(verifyWebhook(payload, h, secret, { now: at.getTime() + 301_000 }), /too old/);
    await assert.rejects(verifyWebhook(payload, h, secret, { now: at.getTime() - 301_000 }), /too new/);
    await verifyWebhook(payload, h, secret, { now: new Date(at.getTime() + 600_000), toleranceSeconds: 900 });
    // and against the real clock, an old message fails
    await assert.rejects(verifyWebhook(payload, h, secret), isVerificationError);
  });

  it("rejects non-JSON payloads even when correctly signed", async () => {
    await assert.rejects(verifyWebhook("not json", signed("not json"), secret), /not valid JSON/);
  });

  it("signWebhook output verifies with the standardwebhooks package", async () => {
    const id = "msg_sdk";
    const ts = Math.floor(Date.now() / 1000);
    const sig = await signWebhook(payload, secret, id, ts);
    const verified = wh.verify(payload, { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig });
    assert.deepEqual(verified, JSON.parse(payload));
  });
});
