export * from "./errors.js";
export * from "./auth.js";
export * from "./retry.js";
export * from "./idempotency.js";
export * from "./pagination.js";
export * from "./webhooks.js";
export * from "./client.js";
export type { FetchLike } from "./util.js";
export type { paths, components, operations } from "./generated/openapi.js";
