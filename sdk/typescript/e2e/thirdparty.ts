/**
 * A third-party app with the TypeScript SDK against the live platform: the customer's
 * consent on the bank's page, then accounts, balances and transactions; a payment with an
 * idempotent replay; credit (drawdown, schedule, repayment).
 */
import { createOpenBankClient, NotFoundError, type OpenBankClient, paginate, unwrap, ValidationError } from "../src/index.js";
import { authorize } from "./authorize.js";
import { baseUrl, check, run, seed } from "./env.js";

const customer = seed.customers[0]!;
const inAMonth = () => new Date(Date.now() + 30 * 86400_000).toISOString();

async function accountsFlow(user: OpenBankClient) {
  const accounts = [];
  for await (const a of paginate((cursor) => user.GET("/api/v1/accounts", { params: { query: { cursor } } }))) accounts.push(a);
  check(JSON.stringify(accounts.map((a) => a.id)) === JSON.stringify(customer.accounts), "both shared accounts are listed");
  const account = unwrap(await user.GET("/api/v1/accounts/{account_id}", { params: { path: { account_id: customer.accounts[0]! } } }));
  unwrap(await user.GET("/api/v1/accounts/{account_id}/balances", { params: { path: { account_id: account.id } } }));
  let transactions = 0;
  for await (const t of paginate((cursor) =>
    user.GET("/api/v1/accounts/{account_id}/transactions", { params: { path: { account_id: account.id }, query: { cursor, limit: 1 } } }),
  )) {
    check(typeof t.amount.amount === "string", "money amounts are decimal strings");
    transactions++;
  }
  check(transactions >= 1, "the opening deposit is listed");
  let missing: unknown;
  try {
    unwrap(await user.GET("/api/v1/accounts/{account_id}", { params: { path: { account_id: "acc_01M00000000000000000000000" } } }));
  } catch (err) {
    missing = err;
  }
  check(missing instanceof NotFoundError, "an account not shared is a 404");
  return accounts;
}

run(async () => {
  // Accounts: consent on both accounts.
  const reading = await authorize(["accounts"], {
    kind: "account_access", permissions: ["read_accounts", "read_balances", "read_transactions"], expires_at: inAMonth(),
  });
  const accounts = await accountsFlow(reading.user);
  const savings = accounts.find((a) => a.id === customer.accounts[1])!;

  // A payment to the customer's savings account, with an idempotent replay.
  const amount = { amount: "23.45", currency: "CNY" };
  const paying = await authorize(["payments"], {
    kind: "payment", amount, creditor_account_number: savings.account_number, creditor_name: "Zhang Wei", reference: "ts e2e",
  });
  // A payment consent is used once: its access token is all the app needs (no refresh).
  const payer = createOpenBankClient({ baseUrl, auth: paying.accessToken });
  const key = crypto.randomUUID();
  const body = { consent_id: paying.consent.id, amount, creditor_account_number: savings.account_number, reference: "ts e2e" };
  const first = await payer.POST("/api/v1/payments", { params: { header: { "Idempotency-Key": key } }, body });
  check(first.response.status === 201, `payment answered ${first.response.status}`);
  const payment = unwrap(first);
  check(payment.debtor_account_id === customer.accounts[0] && payment.amount.amount === "23.45", "the payment is as consented");
  const fetched = unwrap(await reading.user.GET("/api/v1/payments/{payment_id}", { params: { path: { payment_id: payment.id } } }));
  check(fetched.id === payment.id, "the payment can be read back");
  const replay = await payer.POST("/api/v1/payments", { params: { header: { "Idempotency-Key": key } }, body });
  const replayed = replay.response.headers.get("Idempotent-Replayed");
  let replayProblem: string | undefined;
  if (replay.response.status === 201) {
    check(replayed === "true" && unwrap(replay).id === payment.id, "the replay is the first response");
    let reused: unknown;
    try {
      unwrap(await payer.POST("/api/v1/payments", { params: { header: { "Idempotency-Key": key } }, body: { ...body, reference: "other" } }));
    } catch (err) {
      reused = err;
    }
    check(reused instanceof ValidationError && reused.code === "idempotency_key_reused", "another body with the key is refused");
  } else {
    replayProblem = `${replay.response.status} ${(replay.error as { code?: string } | undefined)?.code}`;
  }

  // Credit: drawdown, schedule, repayment.
  let credit: Record<string, unknown> = { skipped: "no credit line in the seed" };
  if (customer.credit_lines?.length) {
    const borrowing = await authorize(["accounts", "credit"], {
      kind: "account_access", expires_at: inAMonth(),
      permissions: ["read_accounts", "read_balances", "read_transactions", "read_credit", "manage_credit"],
    }, 1);
    const lines = [];
    for await (const l of paginate((cursor) => borrowing.user.GET("/api/v1/credit-lines", { params: { query: { cursor } } }))) lines.push(l);
    const line = lines[0]!;
    const loan = unwrap(await borrowing.user.POST("/api/v1/credit-lines/{line_id}/drawdowns", {
      params: { path: { line_id: line.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
      body: {
        amount: { amount: "2000.00", currency: line.limit.currency },
        deposit_account_id: borrowing.consent.account_ids[0]!,
        repayment_method: line.allowed_methods[0]!,
        term_months: line.allowed_terms[0]!,
      },
    }));
    const schedule = unwrap(await borrowing.user.GET("/api/v1/loans/{loan_id}/schedule", { params: { path: { loan_id: loan.id } } }));
    check(schedule.installments.length === loan.term_months, "one installment per month");
    const repayment = unwrap(await borrowing.user.POST("/api/v1/loans/{loan_id}/repayments", {
      params: { path: { loan_id: loan.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { amount: { amount: "150.00", currency: line.limit.currency } },
    }));
    check(repayment.loan_id === loan.id, "the repayment is on the loan");
    credit = { loanId: loan.id, principal: loan.principal.amount, installments: schedule.installments.length, repaid: repayment.amount.amount, outstanding: repayment.outstanding_principal.amount };
  }
  return { accounts: accounts.map((a) => a.id), paymentId: payment.id, replayed, replayProblem: replayProblem ?? null, credit };
});
