/**
 * Consent on demand, piece by piece: which permissions a sign-in asks for,
 * which ones one call needs, the words every permission is shown in, the
 * consent links' single use and expiry, and refresh keeping every permission
 * a user added, across a key rotation. The whole flow, through wrangler dev
 * and real clients, is test/e2e/consent.test.ts.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ADMIN_ONLY_PERMISSIONS } from "../../emulator/entra/consent.ts";
import { signInScopes } from "../../src/auth/sign-in-scopes.ts";
import { StepUps, STEP_UP_TTL_MS } from "../../src/session/account/step-ups.ts";
import type { UserAccount } from "../../src/session/account/user-account.ts";
import { seal } from "../../src/shared/crypto.ts";
import { needsAdmin, PERMISSIONS } from "../../src/shared/permissions.ts";
import { graphScopes, TOOLS } from "../../src/tools/catalog.ts";
import { callScopes } from "../../src/tools/spec.ts";
import { emulator, signIn } from "./helpers.ts";

const tool = (name: string) => TOOLS.find((spec) => spec.name === name)!;

describe("what a sign-in asks for", () => {
  it("asks for the base set by default: identity, own mail and calendar", () => {
    expect(signInScopes({}, TOOLS)).toEqual(["Calendars.Read", "Mail.Read", "MailboxSettings.Read", "User.Read"]);
  });

  it("asks for everything the enabled tools may use with CONSENT_MODE=upfront", () => {
    expect(signInScopes({ CONSENT_MODE: "upfront" }, TOOLS)).toEqual(graphScopes(TOOLS));
    expect(graphScopes(TOOLS).length).toBeGreaterThan(30);
  });

  it("takes presets and permission names in BASE_SCOPES, keeping only what the catalog uses", () => {
    expect(signInScopes({ BASE_SCOPES: "minimal" }, TOOLS)).toEqual(["User.Read"]);
    const read = signInScopes({ BASE_SCOPES: "read" }, TOOLS);
    expect(read).toEqual(expect.arrayContaining(["Mail.Read", "Files.Read", "Tasks.Read", "Chat.Read"]));
    expect(read.filter(needsAdmin)).toEqual([]);
    expect(read).not.toContain("Mail.Send");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    // Names in any letter case, comma- or space-separated; one the catalog never uses is dropped with a warning.
    expect(signInScopes({ BASE_SCOPES: "mail.send, Tasks.ReadWrite Directory.ReadWrite.All" }, TOOLS)).toEqual([
      "Mail.Send",
      "Tasks.ReadWrite",
      "User.Read",
    ]);
    expect(warn.mock.calls.join(" ")).toContain("Directory.ReadWrite.All");
    warn.mockRestore();
  });

  it("asks only for what the enabled tools use", () => {
    const mailOnly = TOOLS.filter((spec) => spec.name === "getEmails");
    expect(signInScopes({ BASE_SCOPES: "read" }, mailOnly)).not.toContain("Tasks.Read");
  });
});

describe("what one call needs", () => {
  it("adds the .Shared, group and directory permissions only when a call's arguments need them", () => {
    expect(callScopes(tool("getEmails"), {})).toEqual(["Mail.Read"]);
    expect(callScopes(tool("getEmails"), { mailbox: "support@contoso.example" })).toEqual([
      "Mail.Read",
      "Mail.Read.Shared",
    ]);
    expect(callScopes(tool("sendEmail"), { mailbox: "support@contoso.example" })).toContain("Mail.Send.Shared");
    expect(callScopes(tool("getCalendarEvents"), { groupId: "g" })).toContain("Group.Read.All");
    expect(callScopes(tool("getCalendarEvents"), {})).not.toContain("Group.Read.All");
    expect(callScopes(tool("sendTeamsMessage"), { mentions: [] })).toEqual(["ChannelMessage.Send"]);
    expect(callScopes(tool("sendTeamsMessage"), { mentions: ["megan@contoso.example"] })).toContain(
      "User.ReadBasic.All",
    );
    expect(callScopes(tool("listFiles"), { driveId: "b!x" })).toContain("Sites.Read.All");
    expect(callScopes(tool("searchMicrosoft365"), { types: ["file"] })).toEqual(["Files.Read.All"]);
  });

  it("never needs a permission the tool does not declare (what an up-front sign-in asks for)", () => {
    for (const spec of TOOLS) {
      // Every argument given (search's types as every type it knows).
      const everyArgument = Object.fromEntries(
        Object.keys(spec.input).map((name) => [name, name === "types" ? ["email", "event", "file", "site"] : ["x"]]),
      );
      for (const args of [{}, everyArgument]) {
        for (const scope of callScopes(spec, args)) expect(spec.scopes, `${spec.name} ${scope}`).toContain(scope);
      }
    }
  });
});

describe("the words of every permission", () => {
  it("has plain words for every permission the catalog can ask for", () => {
    for (const scope of graphScopes(TOOLS)) {
      expect(PERMISSIONS[scope], scope).toBeDefined();
      expect(PERMISSIONS[scope]!.words).not.toMatch(/\w\.\w/);
    }
  });

  it("marks as admin-only exactly what Microsoft's reference does (as the emulator models it)", () => {
    const adminOnly = Object.keys(PERMISSIONS).filter(needsAdmin).sort();
    expect(adminOnly).toEqual([...ADMIN_ONLY_PERMISSIONS].sort());
  });
});

describe("consent links", () => {
  const stub = () =>
    env.USER_ACCOUNT.get(env.USER_ACCOUNT.idFromName("step-ups.test")) as DurableObjectStub<UserAccount>;

  afterEach(() => vi.restoreAllMocks());

  it("works once: a claimed ticket is gone, and an unknown one was never there", async () => {
    await runInDurableObject(stub(), async (_instance, state) => {
      const links = new StepUps(state.storage);
      const { ticket, step } = await links.open({ scopes: ["Mail.Send"], requestedBy: "sendEmail" });
      expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Only the ticket's hash is stored.
      expect(JSON.stringify([...(await state.storage.list())])).not.toContain(ticket);
      expect(await links.peek(ticket)).toMatchObject({ scopes: ["Mail.Send"], elicitationId: step.elicitationId });
      // A ticket not yet started toward Microsoft cannot be claimed: there is no answer to accept.
      expect(await links.claim(ticket)).toBeUndefined();
      const again = await links.open({ scopes: ["Mail.Send"], requestedBy: "sendEmail" });
      const started = await links.start(again.ticket);
      expect(started?.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await links.claim(again.ticket)).toMatchObject({ verifier: expect.any(String) });
      expect(await links.claim(again.ticket)).toBeUndefined();
      expect(await links.peek(again.ticket)).toBeUndefined();
      expect(await links.peek("A".repeat(43))).toBeUndefined();
    });
  });

  it("expires after 15 minutes, started or not", async () => {
    await runInDurableObject(stub(), async (_instance, state) => {
      const links = new StepUps(state.storage);
      const open = await links.open({ scopes: ["Tasks.ReadWrite"], requestedBy: "createTask" });
      const started = await links.open({ scopes: ["Tasks.ReadWrite"], requestedBy: "createTask" });
      await links.start(started.ticket);
      const now = Date.now();
      vi.spyOn(Date, "now").mockReturnValue(now + STEP_UP_TTL_MS + 1000);
      expect(await links.peek(open.ticket)).toBeUndefined();
      expect(await links.start(open.ticket)).toBeUndefined();
      expect(await links.claim(started.ticket)).toBeUndefined();
    });
  });

  it("keeps at most 20 open links per user, dropping the oldest", async () => {
    await runInDurableObject(stub(), async (_instance, state) => {
      await state.storage.deleteAll();
      const links = new StepUps(state.storage);
      const tickets: string[] = [];
      for (let i = 0; i < 22; i++) {
        vi.spyOn(Date, "now").mockReturnValue(1_800_000_000_000 + i);
        tickets.push((await links.open({ scopes: ["Mail.Send"], requestedBy: `call ${i}` })).ticket);
      }
      expect((await state.storage.list({ prefix: "stepup:" })).size).toBe(20);
      expect(await links.peek(tickets[0]!)).toBeUndefined();
      expect(await links.peek(tickets[21]!)).toBeDefined();
    });
  });
});

describe("refresh keeps every granted permission", () => {
  beforeEach(async () => {
    await emulator(env, "reset", {});
  });

  it("asks Microsoft for all of them, also when the tokens were sealed with the previous key", async () => {
    const { access_token } = await signIn("megan@contoso.example");
    // The provider's access tokens read "{userId}:{grantId}:{secret}"; the user id names the account object.
    const account = env.USER_ACCOUNT.get(
      env.USER_ACCOUNT.idFromName(access_token.split(":")[0]!),
    ) as DurableObjectStub<UserAccount>;
    const before = await account.getAccessToken();
    expect(before.ok && before.scopes.length).toBeGreaterThan(30);
    await runInDurableObject(account, async (_instance, state) => {
      const stored = await state.storage.get<{ identity: { tenantId: string; objectId: string }; tokens: unknown }>(
        "account",
      );
      const { unseal, keyRingOf } = await import("../../src/shared/crypto.ts");
      const context = `microsoft-tokens:${stored!.identity.tenantId}.${stored!.identity.objectId}`;
      const tokens = await unseal<{ expiresAt: number }>(stored!.tokens as never, keyRingOf(env), context);
      // As a previous deployment left it: sealed with the retired key, and due for refresh.
      const due = { ...tokens, expiresAt: Date.now() };
      await state.storage.put("account", {
        ...stored,
        tokens: await seal(due, env.TOKEN_ENCRYPTION_KEYS_PREVIOUS, context),
      });
    });
    // A fresh object reads what storage holds.
    await runInDurableObject(account, async (instance) => {
      (instance as unknown as { tokens: { forget(): void } }).tokens.forget();
      (instance as unknown as { tokens: { account: undefined } }).tokens.account = undefined;
    });
    const after = await account.getAccessToken();
    expect(after.ok).toBe(true);
    expect(after.ok && after.accessToken).not.toBe(before.ok && before.accessToken);
    expect(after.ok && [...after.scopes].sort()).toEqual(before.ok && [...before.scopes].sort());
  });
});
