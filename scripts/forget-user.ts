/**
 * `npm run forget-user -- <upn | tenant-id.object-id> [--url https://mcp.example.com]`:
 * removes everything a deployment keeps of one person (MCP grants and tokens,
 * open sessions, Microsoft tokens, idempotency records, cached Graph data), by
 * calling the Worker's `POST /operator/forget-user` with the deployment's
 * OPERATOR_KEY (from the environment; for a local `npm run dev`, from .dev.vars).
 * The URL defaults to PUBLIC_URL in wrangler.production.toml, else the local server.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./dev-stack.ts";

function fileValue(path: string, pattern: RegExp): string | undefined {
  return existsSync(path) ? pattern.exec(readFileSync(path, "utf8"))?.[1] : undefined;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: "string" }, help: { type: "boolean", short: "h" } },
});
const user = positionals[0];
if (values.help || !user || positionals.length > 1) {
  console.log("usage: npm run forget-user -- <user principal name | tenant-id.object-id> [--url <server origin>]");
  process.exit(values.help ? 0 : 2);
}

const url =
  values.url ??
  fileValue(join(ROOT, "wrangler.production.toml"), /^\s*PUBLIC_URL\s*=\s*"([^"]+)"/m) ??
  `http://localhost:${process.env.PORT ?? 8787}`;
const local = /^https?:\/\/(localhost|127\.0\.0\.1)(:|\/|$)/.test(url);
const key =
  process.env.OPERATOR_KEY ?? (local ? fileValue(join(ROOT, ".dev.vars"), /^OPERATOR_KEY=(.+)$/m) : undefined);
if (!key) {
  console.error(
    "Set OPERATOR_KEY to the deployment's operator key (the value you gave `wrangler secret put OPERATOR_KEY`).",
  );
  process.exit(2);
}

const response = await fetch(new URL("/operator/forget-user", url), {
  method: "POST",
  headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
  body: JSON.stringify({ user }),
}).catch((error: unknown) => {
  console.error(`Could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
if (response.status === 404 && body.error === "not_found") {
  console.error(`${url} has no operator endpoint: set the OPERATOR_KEY secret there first.`);
  process.exit(1);
}
if (!response.ok) {
  console.error(`${response.status} ${String(body.error ?? "")}: ${String(body.error_description ?? "")}`);
  process.exit(1);
}
console.log(
  `Forgot ${user} at ${url}: ${String(body.grantsRevoked)} grant(s) revoked, ${String(body.sessionsEnded)} session(s) ended, ${String(body.cacheEntriesDeleted)} cached item(s) deleted, Microsoft tokens and idempotency records deleted.`,
);
