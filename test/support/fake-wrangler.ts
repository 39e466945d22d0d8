/**
 * A stand-in `wrangler` for testing `npm run setup` without a Cloudflare
 * account: the few commands setup uses, answered the way wrangler 4 answers
 * them (JSON on stdout, the same errors for a duplicate namespace title or a
 * Worker that does not exist), with the account kept in a JSON file. Every
 * call is recorded. Any other command fails, so setup cannot call one unseen.
 *
 * As a module it installs the executable; run directly, it is the executable.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface FakeAccount {
  namespaces: { id: string; title: string }[];
  /** Worker name → secret name → value. A Worker exists once it has an entry. */
  workers: Record<string, Record<string, string>>;
  /** Every call, in order: its arguments, and what it read on stdin. */
  calls: { args: string[]; stdin: string }[];
  /** When set, every command fails with this message (a logged-out wrangler). */
  failWith?: string;
}

export interface FakeWrangler {
  /** The directory to put first on PATH. */
  bin: string;
  account(): FakeAccount;
  /** Replaces the account (to start from namespaces or secrets that already exist). */
  seed(account: Partial<FakeAccount>): void;
}

/** Writes `<dir>/bin/wrangler` and an empty account in `<dir>/account.json`. */
export function installFakeWrangler(dir: string): FakeWrangler {
  const bin = join(dir, "bin");
  const state = join(dir, "account.json");
  mkdirSync(bin, { recursive: true });
  const executable = join(bin, "wrangler");
  const self = fileURLToPath(import.meta.url);
  writeFileSync(executable, `#!/bin/sh\nFAKE_WRANGLER_STATE='${state}' exec '${process.execPath}' '${self}' "$@"\n`);
  chmodSync(executable, 0o755);
  const save = (account: FakeAccount) => writeFileSync(state, JSON.stringify(account, null, 2));
  save({ namespaces: [], workers: {}, calls: [] });
  return {
    bin,
    account: () => JSON.parse(readFileSync(state, "utf8")) as FakeAccount,
    seed: (account) => save({ namespaces: [], workers: {}, calls: [], ...account }),
  };
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** The Worker name from the config the command names, as wrangler reads it. */
function workerName(args: string[]): string {
  const config = option(args, "--config") ?? "wrangler.toml";
  const name = /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(config, "utf8"))?.[1];
  if (!name) throw new Error(`no Worker name in ${config}`);
  return name;
}

function run(args: string[], stdin: string, account: FakeAccount): { out: string; err?: string } {
  if (account.failWith) return { out: "", err: account.failWith };
  const [group, sub, verb] = args;
  const positional = args.filter((arg, index) => !arg.startsWith("--") && !args[index - 1]?.startsWith("--"));
  if (group === "kv" && sub === "namespace" && verb === "list") {
    return { out: JSON.stringify(account.namespaces, null, "  ") };
  }
  if (group === "kv" && sub === "namespace" && verb === "create") {
    const title = positional[3];
    if (!title) return { out: "", err: "Not enough non-option arguments: got 0, need at least 1" };
    if (account.namespaces.some((namespace) => namespace.title === title))
      return { out: "", err: `A KV namespace with the title "${title}" already exists.` };
    const id = randomBytes(16).toString("hex");
    account.namespaces.push({ id, title });
    return { out: `🌀 Creating namespace with title "${title}"\n✨ Success!\n[[kv_namespaces]]\nid = "${id}"\n` };
  }
  if (group === "secret" && sub === "list") {
    const worker = workerName(args);
    const secrets = account.workers[worker];
    if (!secrets) return { out: "", err: `✘ [ERROR] Worker "${worker}" not found.` };
    return { out: JSON.stringify(Object.keys(secrets).map((name) => ({ name, type: "secret_text" }))) };
  }
  if (group === "secret" && sub === "put") {
    const name = positional[2];
    const value = stdin.replace(/\s+$/, "");
    if (!name || !value) return { out: "", err: "secret put needs a name and a value on stdin" };
    const worker = workerName(args);
    account.workers[worker] = { ...account.workers[worker], [name]: value };
    return { out: `✨ Success! Uploaded secret ${name}` };
  }
  return { out: "", err: `fake wrangler: unsupported command: ${args.join(" ")}` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const statePath = process.env.FAKE_WRANGLER_STATE!;
  const args = process.argv.slice(2);
  const stdin = process.stdin.isTTY ? "" : readFileSync(0, "utf8");
  const account = JSON.parse(readFileSync(statePath, "utf8")) as FakeAccount;
  account.calls.push({ args, stdin });
  const result = run(args, stdin, account);
  writeFileSync(statePath, JSON.stringify(account, null, 2));
  if (result.out) process.stdout.write(`${result.out}\n`);
  if (result.err) {
    process.stderr.write(`${result.err}\n`);
    process.exitCode = 1;
  }
}
