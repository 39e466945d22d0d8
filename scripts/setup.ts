/**
 * `npm run setup`: prepares a Cloudflare deployment for your own Entra app.
 * Writes wrangler.production.toml from wrangler.example.toml (or updates the
 * one there), creates the KV namespaces, puts the secrets, and prints what to
 * register in the Entra app. Safe to rerun: namespaces are found by title,
 * existing keys are kept, and only the values you pass change.
 *
 *   npm run setup -- --client-id <id> --client-secret <value> --public-url https://mcp.example.com
 *   npm run setup -- --dry-run ...   prints the wrangler commands, writes the config, touches no account
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { IDENTITY_SCOPES } from "../src/auth/microsoft.ts";
import { signInScopes } from "../src/auth/sign-in-scopes.ts";
import { enabledTools, graphScopes } from "../src/tools/catalog.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TEMPLATE = join(ROOT, "wrangler.example.toml");
const KV_BINDINGS = ["OAUTH_KV", "CONFIG_KV", "CACHE_KV"] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const USAGE = `Usage: npm run setup -- [options]

  --client-id <id>          Application (client) ID of the Entra app registration
  --client-secret <value>   its client secret value (or MICROSOFT_CLIENT_SECRET in the environment);
                            on a rerun, leave it out to keep the secret already set
  --public-url <url>        the https origin clients will use, e.g. https://m365-mcp.example.workers.dev
  --tenant <tenant>         MICROSOFT_TENANT: organizations (default), common, or your tenant id
  --config <path>           the config to write (default wrangler.production.toml)
  --dry-run                 print the wrangler commands instead of running them; still writes the config
  --help

Values not given are read from an existing config, or asked for on a terminal.`;

class SetupError extends Error {}

function readFlags() {
  try {
    return parseArgs({ options: FLAGS }).values;
  } catch (error) {
    console.error(`setup: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const FLAGS = {
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  "public-url": { type: "string" },
  tenant: { type: "string" },
  config: { type: "string", default: "wrangler.production.toml" },
  "dry-run": { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

const flags = readFlags();

const configPath = resolve(flags.config!);
const dryRun = flags["dry-run"]!;

// `npm run` puts the project's wrangler on PATH; `node scripts/setup.ts` finds it here.
const commandPath = [process.env.PATH, join(ROOT, "node_modules", ".bin")].filter(Boolean).join(delimiter);

// ---- wrangler.production.toml: the few values setup owns, edited in place ----

function isPlaceholder(value: string | undefined): boolean {
  return !value || value.includes("<");
}

function readVar(toml: string, key: string): string | undefined {
  return new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m").exec(toml)?.[1];
}

function writeVar(toml: string, key: string, value: string): string {
  const line = new RegExp(`^(${key}\\s*=\\s*)"[^"]*"`, "m");
  if (!line.test(toml)) throw new SetupError(`${configPath} has no ${key} line to fill in`);
  return toml.replace(line, (_match, head: string) => `${head}${JSON.stringify(value)}`);
}

function kvLine(binding: string): RegExp {
  return new RegExp(`(binding\\s*=\\s*"${binding}"\\s*\\n\\s*id\\s*=\\s*)"([^"]*)"`);
}

function readKvId(toml: string, binding: string): string | undefined {
  return kvLine(binding).exec(toml)?.[2];
}

function writeKvId(toml: string, binding: string, id: string): string {
  if (!kvLine(binding).test(toml)) throw new SetupError(`${configPath} has no ${binding} namespace`);
  return toml.replace(kvLine(binding), (_match, head: string) => `${head}${JSON.stringify(id)}`);
}

// ---- input ----

/** Asks on the terminal; a hidden answer is not echoed. Undefined when there is no terminal. */
async function ask(question: string, hidden = false): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  if (hidden) process.stdout.write(question);
  const lines = createInterface({ input: process.stdin, output: hidden ? muted : process.stdout, terminal: true });
  try {
    return (await lines.question(hidden ? "" : question)).trim();
  } finally {
    lines.close();
    if (hidden) process.stdout.write("\n");
  }
}

function checkPublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SetupError(`--public-url ${value} is not a URL`);
  }
  if (url.protocol !== "https:") throw new SetupError(`--public-url must be https (got ${value})`);
  if (url.pathname !== "/" || url.search || url.hash)
    throw new SetupError(`--public-url is an origin, without a path (got ${value}; did you mean ${url.origin}?)`);
  return url.origin;
}

// ---- wrangler ----

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function wranglerArgs(args: string[]): string[] {
  return [...args, "--config", configPath];
}

function shown(args: string[], stdin?: string): string {
  const quoted = args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  return `wrangler ${quoted.join(" ")}${stdin ? `  < ${stdin}` : ""}`;
}

/** Runs wrangler, or only prints the command on a dry run. `stdinLabel` says what goes to stdin without showing it. */
function wrangler(args: string[], stdin?: { value: string; label: string }): Promise<Run> {
  const full = wranglerArgs(args);
  console.log(`${dryRun ? "would run" : "running"}: ${shown(full, stdin?.label)}`);
  if (dryRun) return Promise.resolve({ status: 0, stdout: "", stderr: "" });
  return new Promise((done, fail) => {
    const child = spawn("wrangler", full, {
      cwd: ROOT,
      env: { ...process.env, PATH: commandPath, WRANGLER_SEND_METRICS: "false" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => fail(new SetupError(`cannot run wrangler: ${error.message}`)));
    child.on("close", (status) => done({ status: status ?? 1, stdout, stderr }));
    child.stdin.end(stdin?.value ?? "");
  });
}

function failed(step: string, run: Run): SetupError {
  return new SetupError(`${step} failed (wrangler exited ${run.status}):\n${(run.stderr || run.stdout).trim()}`);
}

/** The JSON wrangler printed, ignoring any banner or warning lines before it. */
function parseJson<T>(run: Run, step: string): T {
  const start = run.stdout.search(/^\s*[[{]/m);
  try {
    return JSON.parse(run.stdout.slice(start)) as T;
  } catch {
    throw new SetupError(`${step}: wrangler did not print JSON:\n${run.stdout}`);
  }
}

interface Namespace {
  id: string;
  title: string;
}

async function listNamespaces(): Promise<Namespace[]> {
  const run = await wrangler(["kv", "namespace", "list"]);
  if (dryRun) return [];
  if (run.status !== 0) throw failed("listing KV namespaces", run);
  return parseJson<Namespace[]>(run, "kv namespace list");
}

/**
 * The id of each KV binding: the one in the config when it still exists,
 * else the namespace titled `<worker>-<binding>`, else a new one with that title.
 */
async function ensureNamespaces(toml: string, worker: string): Promise<Record<string, string | undefined>> {
  let namespaces = await listNamespaces();
  const ids: Record<string, string | undefined> = {};
  const missing: string[] = [];
  for (const binding of KV_BINDINGS) {
    const configured = readKvId(toml, binding);
    const title = `${worker}-${binding}`;
    const found =
      namespaces.find((namespace) => !isPlaceholder(configured) && namespace.id === configured) ??
      namespaces.find((namespace) => namespace.title === title);
    if (found) {
      ids[binding] = found.id;
      console.log(`  ${binding}: reusing namespace "${found.title}" (${found.id})`);
    } else missing.push(binding);
  }
  for (const binding of missing) {
    const run = await wrangler(["kv", "namespace", "create", `${worker}-${binding}`]);
    if (run.status !== 0) throw failed(`creating the ${binding} namespace`, run);
  }
  if (missing.length > 0 && !dryRun) {
    namespaces = await listNamespaces();
    for (const binding of missing) {
      const created = namespaces.find((namespace) => namespace.title === `${worker}-${binding}`);
      if (!created) throw new SetupError(`the ${binding} namespace was created but is not listed`);
      ids[binding] = created.id;
      console.log(`  ${binding}: created namespace "${created.title}" (${created.id})`);
    }
  }
  return ids;
}

/** Names of the Worker's secrets; none when the Worker does not exist yet. */
async function existingSecrets(worker: string): Promise<Set<string>> {
  const run = await wrangler(["secret", "list", "--format", "json"]);
  if (dryRun) return new Set();
  if (run.status !== 0) {
    if (/not found/i.test(run.stderr + run.stdout)) {
      console.log(`  Worker "${worker}" does not exist yet: wrangler creates it with the first secret.`);
      return new Set();
    }
    throw failed("listing the Worker's secrets", run);
  }
  return new Set(parseJson<{ name: string }[]>(run, "secret list").map((secret) => secret.name));
}

async function putSecret(name: string, value: string, label: string): Promise<void> {
  const run = await wrangler(["secret", "put", name], { value, label });
  if (run.status !== 0) throw failed(`putting ${name}`, run);
}

// ---- the steps ----

async function main(): Promise<void> {
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const inRoot = relative(ROOT, configPath);
  const configName = inRoot && !inRoot.startsWith("..") ? inRoot : configPath;
  const existing = existsSync(configPath);
  let toml = readFileSync(existing ? configPath : TEMPLATE, "utf8");
  console.log(existing ? `Updating ${configName}.` : `Writing ${configName} from wrangler.example.toml.`);
  if (dryRun) console.log("Dry run: no wrangler command runs and no account is touched.");

  const known = (key: string) => (isPlaceholder(readVar(toml, key)) ? undefined : readVar(toml, key));
  const clientId = flags["client-id"] ?? known("MICROSOFT_CLIENT_ID") ?? (await ask("Entra application (client) ID: "));
  if (!clientId) throw new SetupError("the Entra app's client id is needed: --client-id <id>");
  if (!GUID.test(clientId)) throw new SetupError(`--client-id ${clientId} is not an application (client) ID (a GUID)`);
  const publicUrlInput =
    flags["public-url"] ??
    known("PUBLIC_URL") ??
    (await ask("Public URL (https://<worker>.<subdomain>.workers.dev or your domain): "));
  if (!publicUrlInput) throw new SetupError("the public URL is needed: --public-url https://...");
  const publicUrl = checkPublicUrl(publicUrlInput);

  toml = writeVar(toml, "MICROSOFT_CLIENT_ID", clientId);
  toml = writeVar(toml, "PUBLIC_URL", publicUrl);
  if (flags.tenant) toml = writeVar(toml, "MICROSOFT_TENANT", flags.tenant);
  const worker = readVar(toml, "name");
  if (!worker) throw new SetupError(`${configName} has no Worker name`);
  // Written before wrangler runs: its commands read the account and Worker name from it.
  writeFileSync(configPath, toml);

  // Everything is asked for before anything is created.
  console.log("\nSecrets already set");
  const secrets = await existingSecrets(worker);
  const clientSecret =
    flags["client-secret"] ??
    process.env.MICROSOFT_CLIENT_SECRET ??
    (secrets.has("MICROSOFT_CLIENT_SECRET") ? undefined : await ask("Entra client secret value: ", true));
  if (!clientSecret && !secrets.has("MICROSOFT_CLIENT_SECRET"))
    throw new SetupError("the Entra app's client secret is needed: --client-secret <value>");

  console.log("\nKV namespaces");
  const ids = await ensureNamespaces(toml, worker);
  for (const [binding, id] of Object.entries(ids)) if (id) toml = writeKvId(toml, binding, id);
  writeFileSync(configPath, toml);

  console.log("\nSecrets");
  if (clientSecret) await putSecret("MICROSOFT_CLIENT_SECRET", clientSecret, "(the client secret you gave)");
  else console.log("  MICROSOFT_CLIENT_SECRET: kept (already set)");
  // A new encryption key would make every stored Microsoft token unreadable, so existing keys stay.
  const generated: [string, () => string, string][] = [
    ["TOKEN_ENCRYPTION_KEY", () => randomBytes(32).toString("base64"), "(32 random bytes, base64, generated)"],
    ["COOKIE_SECRET", () => randomBytes(32).toString("base64url"), "(32 random bytes, base64url, generated)"],
  ];
  for (const [name, make, label] of generated) {
    if (secrets.has(name)) console.log(`  ${name}: kept (already set)`);
    else await putSecret(name, make(), label);
  }
  // The operator's own key for `npm run forget-user`: a secret cannot be read back, so it is shown this once.
  if (secrets.has("OPERATOR_KEY")) console.log("  OPERATOR_KEY: kept (already set)");
  else {
    const operatorKey = randomBytes(32).toString("base64url");
    await putSecret("OPERATOR_KEY", operatorKey, "(32 random bytes, base64url, generated)");
    if (!dryRun) {
      console.log(`  OPERATOR_KEY is ${operatorKey}
    shown only now: keep it in your password manager; npm run forget-user reads it from OPERATOR_KEY`);
    }
  }

  const env = {
    READ_ONLY: readVar(toml, "READ_ONLY"),
    TOOL_PRESET: readVar(toml, "TOOL_PRESET"),
    ENABLED_TOOLS: readVar(toml, "ENABLED_TOOLS"),
  };
  const permissions = [...IDENTITY_SCOPES, ...graphScopes(enabledTools(env))];
  const upfront = readVar(toml, "CONSENT_MODE") === "upfront";
  const signIn = signInScopes({ BASE_SCOPES: readVar(toml, "BASE_SCOPES") }, enabledTools(env));
  const pending = KV_BINDINGS.filter((binding) => isPlaceholder(readKvId(toml, binding)));
  console.log(`
Wrote ${configName}${pending.length ? ` (${pending.join(", ")} ids are filled in by a real run)` : ""}.

In the Entra app registration:
  Supported account types: to match MICROSOFT_TENANT = "${readVar(toml, "MICROSOFT_TENANT") ?? ""}"
  Authentication → Web → Redirect URI:
    ${publicUrl}/callback
  API permissions → Microsoft Graph → Delegated (${permissions.length}), then "Grant admin consent":
${permissions.map((permission) => `    ${permission}`).join("\n")}
  (for READ_ONLY = "${env.READ_ONLY ?? "false"}", TOOL_PRESET = "${env.TOOL_PRESET ?? "all"}", ENABLED_TOOLS = "${env.ENABLED_TOOLS ?? ""}"; rerun setup after changing them)
  ${
    upfront
      ? "CONSENT_MODE = upfront: sign-in asks for all of them at once."
      : `Sign-in asks for ${signIn.join(", ")} (BASE_SCOPES); each user grants the others when a tool first needs one. Admin consent grants them for everyone, and is the only way for those only an administrator can grant.`
  }

Then: npm run deploy, and connect a client to ${publicUrl}/mcp`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  console.error(`setup: ${error.message}`);
  process.exitCode = 1;
}
