"""The lending API (scope `credit`), by resource: credit lines and drawdowns, loans (schedule,
payoff quote, repayments), SME credit applications. Shared pieces are in `common`."""
