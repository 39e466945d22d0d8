/**
 * `npm run setup` as a person runs it, twice: on its dry-run path, and
 * against a fake `wrangler` on PATH that keeps an account in a temp dir, so
 * the real command sequence, rerun safety and what lands in the config and
 * the secrets can be checked without a Cloudflare account.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/dev-stack.ts";
import { IDENTITY_SCOPES } from "../../src/auth/microsoft.ts";
import { enabledTools, graphScopes } from "../../src/tools/catalog.ts";
import { installFakeWrangler, type FakeWrangler } from "../support/fake-wrangler.ts";

const CLIENT_ID = "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b";
const CLIENT_SECRET = "entra~secret.value-for-the-test";
const PUBLIC_URL = "https://m365-mcp.example.workers.dev";
const FIRST_RUN = ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--public-url", PUBLIC_URL];
const TITLES = ["m365-mcp-server-OAUTH_KV", "m365-mcp-server-CONFIG_KV", "m365-mcp-server-CACHE_KV"];

let dir: string;
let wrangler: FakeWrangler;
let config: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "m365-setup-"));
  wrangler = installFakeWrangler(dir);
  config = join(dir, "wrangler.production.toml");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs scripts/setup.ts without a terminal, with the fake wrangler first on PATH. */
async function setup(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [wrangler.bin, process.env.PATH].join(delimiter) };
  delete env.MICROSOFT_CLIENT_SECRET;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["scripts/setup.ts", "--config", config, ...args],
      { cwd: ROOT, env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The wrangler calls, each as its command words (without the --config every one carries). */
function commands(): string[] {
  return wrangler.account().calls.map((call) => {
    expect(call.args.slice(-2)).toEqual(["--config", config]);
    return call.args.slice(0, -2).join(" ");
  });
}

function kvIds(toml: string): Record<string, string | undefined> {
  return Object.fromEntries(
    ["OAUTH_KV", "CONFIG_KV", "CACHE_KV"].map((binding) => [
      binding,
      new RegExp(`binding = "${binding}"\\nid = "([^"]*)"`).exec(toml)?.[1],
    ]),
  );
}

/** The permissions setup printed, one a line under the API permissions heading. */
function printedPermissions(stdout: string): string[] {
  const block = stdout.split("API permissions")[1]!.split("\n").slice(1);
  return block.filter((line) => /^ {4}\S+$/.test(line)).map((line) => line.trim());
}

describe("npm run setup", () => {
  it("on a dry run prints each wrangler command, writes the config, and runs no wrangler", async () => {
    const { code, stdout } = await setup(["--dry-run", ...FIRST_RUN]);
    expect(code).toBe(0);
    expect(wrangler.account().calls).toEqual([]);
    const wouldRun = stdout
      .split("\n")
      .filter((line) => line.startsWith("would run: "))
      .map((line) => line.replace("would run: ", "").replace(` --config ${config}`, ""));
    expect(wouldRun).toEqual([
      "wrangler secret list --format json",
      "wrangler kv namespace list",
      ...TITLES.map((title) => `wrangler kv namespace create ${title}`),
      "wrangler secret put MICROSOFT_CLIENT_SECRET  < (the client secret you gave)",
      "wrangler secret put TOKEN_ENCRYPTION_KEY  < (32 random bytes, base64, generated)",
      "wrangler secret put COOKIE_SECRET  < (32 random bytes, base64url, generated)",
      "wrangler secret put OPERATOR_KEY  < (32 random bytes, base64url, generated)",
    ]);
    expect(stdout).not.toContain(CLIENT_SECRET);

    // The example with the client id and URL filled in; the KV ids wait for a real run.
    const example = readFileSync(join(ROOT, "wrangler.example.toml"), "utf8");
    expect(readFileSync(config, "utf8")).toBe(
      example
        .replace('MICROSOFT_CLIENT_ID = "<your-entra-application-client-id>"', `MICROSOFT_CLIENT_ID = "${CLIENT_ID}"`)
        .replace('PUBLIC_URL = "https://<your-worker>.<your-subdomain>.workers.dev"', `PUBLIC_URL = "${PUBLIC_URL}"`),
    );
    expect(stdout).toContain(`${PUBLIC_URL}/callback`);
    expect(printedPermissions(stdout)).toEqual([...IDENTITY_SCOPES, ...graphScopes()]);
  });

  it("creates the namespaces and secrets, and a rerun without flags changes nothing", async () => {
    const first = await setup(FIRST_RUN);
    expect(first.code, first.stderr).toBe(0);
    expect(commands()).toEqual([
      "secret list --format json",
      "kv namespace list",
      ...TITLES.map((title) => `kv namespace create ${title}`),
      "kv namespace list",
      "secret put MICROSOFT_CLIENT_SECRET",
      "secret put TOKEN_ENCRYPTION_KEY",
      "secret put COOKIE_SECRET",
      "secret put OPERATOR_KEY",
    ]);
    const account = wrangler.account();
    expect(account.namespaces.map((namespace) => namespace.title).sort()).toEqual([...TITLES].sort());
    const written = readFileSync(config, "utf8");
    const byTitle = (title: string) => account.namespaces.find((namespace) => namespace.title === title)!.id;
    expect(kvIds(written)).toEqual({
      OAUTH_KV: byTitle(TITLES[0]!),
      CONFIG_KV: byTitle(TITLES[1]!),
      CACHE_KV: byTitle(TITLES[2]!),
    });
    const secrets = account.workers["m365-mcp-server"]!;
    expect(secrets.MICROSOFT_CLIENT_SECRET).toBe(CLIENT_SECRET);
    expect(Buffer.from(secrets.TOKEN_ENCRYPTION_KEY!, "base64")).toHaveLength(32);
    expect(secrets.COOKIE_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.stdout).not.toContain(secrets.TOKEN_ENCRYPTION_KEY);
    expect(first.stdout).not.toContain(secrets.COOKIE_SECRET);
    // The operator key is the one secret the operator uses themselves: shown once, as it was stored.
    expect(secrets.OPERATOR_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.stdout.split(secrets.OPERATOR_KEY!)).toHaveLength(2);
    expect(first.stdout).not.toContain(CLIENT_SECRET);

    // The second run reads what it needs from the config and the account.
    const callsBefore = account.calls.length;
    const second = await setup([]);
    expect(second.code, second.stderr).toBe(0);
    expect(commands().slice(callsBefore)).toEqual(["secret list --format json", "kv namespace list"]);
    expect(readFileSync(config, "utf8")).toBe(written);
    expect(wrangler.account().workers).toEqual(account.workers);
    expect(wrangler.account().namespaces).toEqual(account.namespaces);
  });

  it("replaces only the client secret when a new one is given, and keeps the keys", async () => {
    expect((await setup(FIRST_RUN)).code).toBe(0);
    const before = wrangler.account();
    const rotated = await setup(["--client-secret", "the-new-secret"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(commands().slice(before.calls.length)).toEqual([
      "secret list --format json",
      "kv namespace list",
      "secret put MICROSOFT_CLIENT_SECRET",
    ]);
    expect(wrangler.account().workers["m365-mcp-server"]).toEqual({
      ...before.workers["m365-mcp-server"],
      MICROSOFT_CLIENT_SECRET: "the-new-secret",
    });
  });

  it("reuses a namespace by its title or by the id already in the config, never another project's", async () => {
    // A namespace from the README's old manual steps, titled by its binding, and a foreign one.
    wrangler.seed({
      namespaces: [
        { id: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", title: "OAUTH_KV" },
        { id: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", title: "m365-mcp-server-CACHE_KV" },
        { id: "cccccccccccccccccccccccccccccccc", title: "CONFIG_KV" },
      ],
    });
    const example = readFileSync(join(ROOT, "wrangler.example.toml"), "utf8");
    writeFileSync(config, example.replace('"<oauth-kv-namespace-id>"', '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'));
    const { code, stderr } = await setup(FIRST_RUN);
    expect(code, stderr).toBe(0);
    expect(commands().filter((command) => command.includes("create"))).toEqual([
      "kv namespace create m365-mcp-server-CONFIG_KV",
    ]);
    const created = wrangler.account().namespaces.find((namespace) => namespace.title === TITLES[1])!;
    expect(kvIds(readFileSync(config, "utf8"))).toEqual({
      OAUTH_KV: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      CONFIG_KV: created.id,
      CACHE_KV: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    });
  });

  it("keeps the config's own settings and prints the permissions they need", async () => {
    const example = readFileSync(join(ROOT, "wrangler.example.toml"), "utf8");
    writeFileSync(config, example.replace('READ_ONLY = "false"', 'READ_ONLY = "true"'));
    const { code, stdout, stderr } = await setup(["--dry-run", ...FIRST_RUN, "--tenant", "contoso.onmicrosoft.com"]);
    expect(code, stderr).toBe(0);
    const written = readFileSync(config, "utf8");
    expect(written).toContain('READ_ONLY = "true"');
    expect(written).toContain('MICROSOFT_TENANT = "contoso.onmicrosoft.com"');
    const readScopes = graphScopes(enabledTools({ READ_ONLY: "true", TOOL_PRESET: "all", ENABLED_TOOLS: "" }));
    expect(readScopes).not.toContain("Mail.Send");
    expect(printedPermissions(stdout)).toEqual([...IDENTITY_SCOPES, ...readScopes]);
  });

  it("refuses missing or malformed values without a terminal, before creating anything", async () => {
    const cases: [string[], RegExp][] = [
      [["--client-secret", CLIENT_SECRET, "--public-url", PUBLIC_URL], /--client-id/],
      [["--client-id", "my-app", "--client-secret", CLIENT_SECRET, "--public-url", PUBLIC_URL], /not an application/],
      [["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET], /public URL is needed/],
      [["--client-id", CLIENT_ID, "--public-url", "http://m365.example.com"], /must be https/],
      [["--client-id", CLIENT_ID, "--public-url", `${PUBLIC_URL}/mcp`], /without a path/],
      [["--client-id", CLIENT_ID, "--public-url", PUBLIC_URL], /client secret is needed/],
      [["--client-id", CLIENT_ID, "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await setup(args);
      expect(code, args.join(" ")).not.toBe(0);
      expect(stderr).toMatch(message);
    }
    expect(commands().filter((command) => command !== "secret list --format json")).toEqual([]);
  });

  it("stops with wrangler's own message when wrangler fails", async () => {
    wrangler.seed({ failWith: "✘ [ERROR] You are not logged in. Run `wrangler login`." });
    const { code, stderr } = await setup(FIRST_RUN);
    expect(code).toBe(1);
    expect(stderr).toContain("You are not logged in");
    expect(commands()).toEqual(["secret list --format json"]);
  });

  it("keeps wrangler.production.toml out of git", () => {
    const ignored = readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n");
    expect(ignored).toContain("wrangler.production.toml");
  });
});
