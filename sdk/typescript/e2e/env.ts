/** What the pytest driver passes: the live server's URL and `manage.py seed --json`. */
export interface Seed {
  customers: { id: string; username: string; password: string; accounts: string[]; credit_lines?: string[] }[];
  clients: { third_party: { client_id: string; client_secret: string; redirect_uri: string } };
}

export const baseUrl = process.env.OPENBANK_URL ?? "";
export const seed: Seed = JSON.parse(process.env.OPENBANK_SEED ?? "{}") as Seed;

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Run `main`, print its JSON result on the last line; any failure exits 1 with the error. */
export function run(main: () => Promise<unknown>): void {
  main().then(
    (result) => {
      process.stdout.write(JSON.stringify(result ?? {}) + "\n");
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      if (err && typeof err === "object" && "problem" in err) console.error(JSON.stringify((err as { problem: unknown }).problem));
      process.exitCode = 1;
    },
  );
}
