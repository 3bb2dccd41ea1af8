/**
 * Cursor pagination: `{"data": [...], "has_more": bool, "next_cursor": string|null}`.
 *
 * ```ts
 * for await (const tx of paginate((cursor) =>
 *   client.GET("/api/v1/transactions/", { params: { query: { cursor, limit: 100 } } }))) { ... }
 * ```
 */
import { OpenBankError, unwrap, type FetchResultLike } from "./errors.js";

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/**
 * Fetches one page. `cursor` is undefined for the first page. May return the page itself
 * or an openapi-fetch result (`{data, error, response}`), which is unwrapped (errors throw).
 */
export type FetchPage<T> = (cursor: string | undefined) => Promise<Page<T> | FetchResultLike<Page<T>, unknown>>;

export interface PaginateOptions {
  /** Stop after this many pages (default: no limit). */
  maxPages?: number;
  /** Start from this cursor instead of the first page. */
  startCursor?: string;
}

export class PaginationError extends OpenBankError {}

function toPage<T>(result: Page<T> | FetchResultLike<Page<T>, unknown>): Page<T> {
  const page =
    typeof result === "object" && result !== null && "response" in result && result.response instanceof Response
      ? unwrap(result as FetchResultLike<Page<T>, unknown>)
      : (result as Page<T>);
  if (!page || !Array.isArray(page.data)) throw new PaginationError("list response has no data array");
  return page;
}

/** Async iterator over every item of a cursor-paginated list. */
export async function* paginate<T>(fetchPage: FetchPage<T>, options: PaginateOptions = {}): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined = options.startCursor;
  const seen = new Set<string>();
  for (let pages = 0; options.maxPages === undefined || pages < options.maxPages; pages++) {
    const page = toPage(await fetchPage(cursor));
    yield* page.data;
    if (!page.has_more || !page.next_cursor) return;
    if (seen.has(page.next_cursor)) throw new PaginationError(`cursor ${page.next_cursor} repeated; aborting to avoid a loop`);
    seen.add(page.next_cursor);
    cursor = page.next_cursor;
  }
}

export interface ListAllOptions extends PaginateOptions {
  /** Safety cap (default 10 000). More items than this throws a PaginationError. */
  maxItems?: number;
}

/** Collect every item into an array; throws PaginationError past `maxItems`. */
export async function listAll<T>(fetchPage: FetchPage<T>, options: ListAllOptions = {}): Promise<T[]> {
  const max = options.maxItems ?? 10_000;
  const out: T[] = [];
  for await (const item of paginate(fetchPage, options)) {
    if (out.length >= max) throw new PaginationError(`listAll: more than ${max} items; raise maxItems or use paginate()`);
    out.push(item);
  }
  return out;
}
