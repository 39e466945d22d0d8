/**
 * Writes that happen once (README "Writes that happen once"): each rule of
 * the idempotencyKey step, through the real session and UserAccount objects
 * against the emulator. A keyed call that certainly did not reach Graph
 * releases its key; one that may have acted is reconciled by the next call
 * with the key (it did act: its result; it did not: it runs now); a finished
 * key replays; other arguments are refused. What exists in Microsoft 365 is
 * read back from the emulator's Graph, not from our own answers.
 */
import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeEach, describe, expect, it } from "vitest";
import { graphJson, postJson, signIn as signInToEmulator } from "../emulator/helpers.ts";
import { callTool, clearLog, connectClient, emulator, emulatorUrl, requestLog, resultText, signIn } from "./helpers.ts";

const SCOPE =
  "openid profile email offline_access User.Read Mail.ReadWrite Calendars.Read Contacts.Read Tasks.Read Chat.Read Files.Read";

/** What the emulator holds, read as an app would (a token of its own for the user). */
async function msToken(user = "adele@contoso.example"): Promise<string> {
  return (await signInToEmulator(emulatorUrl(env), user, SCOPE)).access_token;
}

/** Every item of a Graph collection, following nextLink. */
async function all<T>(token: string, path: string): Promise<T[]> {
  const items: T[] = [];
  for (let next: string | undefined = path; next;) {
    const page: { value: T[]; "@odata.nextLink"?: string } = await graphJson(emulatorUrl(env), token, next);
    items.push(...page.value);
    next = page["@odata.nextLink"];
  }
  return items;
}

const quote = (text: string) => encodeURIComponent(`'${text.replace(/'/g, "''")}'`);

/** Writes that reached the emulator (answered or faulted) whose "METHOD path" matches. */
async function attempts(pattern: RegExp): Promise<number> {
  return (await requestLog()).filter((entry) => pattern.test(`${entry.method} ${entry.path}`)).length;
}

const code = (result: CallToolResult) => result._meta?.errorCode;
const wait = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** One keyed write of each kind, with the endpoint its write goes to and how to count what it made. */
interface Case {
  tool: string;
  args: Record<string, unknown>;
  endpoint: string;
  /** Items the write made, as the emulator holds them. */
  made(): Promise<number>;
}

async function cases(tag: string): Promise<Case[]> {
  const adele = await msToken();
  const megan = await msToken("megan@contoso.example");
  const inbox = await all<{ id: string; subject: string; conversationId: string }>(
    adele,
    "/me/mailFolders/inbox/messages?$top=5&$select=id,subject,conversationId",
  );
  const original = inbox[0]!;
  const chats = await all<{ id: string; chatType: string }>(adele, "/me/chats?$top=50");
  const chat = chats.find((candidate) => candidate.chatType !== "meeting")!;
  const draft = (await (
    await postJson(emulatorUrl(env), adele, "/me/messages", {
      subject: `draft ${tag}`,
      toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
    })
  ).json()) as { id: string };
  const inMeganInbox = async (subject: string) =>
    (await all(megan, `/me/mailFolders/inbox/messages?$filter=subject eq ${quote(subject)}&$top=100`)).length;
  const file = `once-${tag}.txt`;
  return [
    {
      tool: "sendEmail",
      args: { to: ["megan@contoso.example"], subject: `mail ${tag}`, body: "hello" },
      endpoint: "^POST /v1\\.0/me/sendMail$",
      made: () => inMeganInbox(`mail ${tag}`),
    },
    {
      tool: "createDraft",
      args: { subject: `new draft ${tag}`, body: "later" },
      endpoint: "^POST /v1\\.0/me/messages$",
      made: async () =>
        (await all(adele, `/me/mailFolders/drafts/messages?$filter=subject eq ${quote(`new draft ${tag}`)}`)).length,
    },
    {
      tool: "sendDraft",
      args: { id: draft.id },
      endpoint: "^POST /v1\\.0/me/messages/[^/]+/send$",
      made: () => inMeganInbox(`draft ${tag}`),
    },
    {
      tool: "replyToEmail",
      args: { id: original.id, comment: `reply ${tag}` },
      endpoint: "^POST /v1\\.0/me/messages/[^/]+/reply$",
      made: async () =>
        (
          await all(
            adele,
            `/me/mailFolders/sentitems/messages?$filter=conversationId eq ${quote(original.conversationId)}&$top=100`,
          )
        ).filter((message) => JSON.stringify(message).includes(`reply ${tag}`)).length,
    },
    {
      tool: "createCalendarEvent",
      args: { subject: `event ${tag}`, start: "2027-03-01T10:00", timeZone: "UTC" },
      endpoint: "^POST /v1\\.0/me/events$",
      made: async () => (await all(adele, `/me/events?$filter=subject eq ${quote(`event ${tag}`)}`)).length,
    },
    {
      tool: "createContact",
      args: { givenName: `Once${tag}`, surname: "Contact" },
      endpoint: "^POST /v1\\.0/me/contacts$",
      made: async () =>
        (await all<{ givenName: string }>(adele, "/me/contacts?$top=1000")).filter(
          (contact) => contact.givenName === `Once${tag}`,
        ).length,
    },
    {
      tool: "createTask",
      args: { title: `task ${tag}` },
      endpoint: "^POST /v1\\.0/me/todo/lists/[^/]+/tasks$",
      made: async () => {
        const lists = await all<{ id: string; wellknownListName: string }>(adele, "/me/todo/lists");
        const tasks = lists.find((list) => list.wellknownListName === "defaultList")!;
        return (await all(adele, `/me/todo/lists/${tasks.id}/tasks?$filter=title eq ${quote(`task ${tag}`)}`)).length;
      },
    },
    {
      tool: "sendChatMessage",
      args: { chatId: chat.id, message: `chat ${tag}` },
      endpoint: "^POST /v1\\.0/chats/[^/]+/messages$",
      made: async () =>
        (await all<{ body: { content: string } }>(adele, `/chats/${chat.id}/messages?$top=50`)).filter(
          (message) => message.body.content === `chat ${tag}`,
        ).length,
    },
    {
      tool: "createTeamsMeeting",
      args: { subject: `meeting ${tag}`, start: "2027-03-02T10:00:00Z", end: "2027-03-02T10:30:00Z" },
      endpoint: "^POST /v1\\.0/me/onlineMeetings/createOrGet$",
      // Each meeting opens its own meeting chat, named after it.
      made: async () => (await all(adele, `/me/chats?$filter=topic eq ${quote(`meeting ${tag}`)}`)).length,
    },
    {
      tool: "uploadFile",
      args: { path: `/${file}`, text: `content ${tag}`, conflict: "fail" },
      endpoint: `^PUT /v1\\.0/me/drive/root:/${file.replace(/\./g, "\\.")}:/content$`,
      made: async () =>
        (await all<{ name: string }>(adele, "/me/drive/root/children?$top=999")).filter((item) =>
          item.name.startsWith(`once-${tag}`),
        ).length,
    },
  ];
}

let client: Client;

beforeEach(async () => {
  await emulator(env, "reset", {});
  client = await connectClient((await signIn()).access_token);
});

describe("a keyed write that finished", () => {
  it("replays its result for a repeat and acts no more", async () => {
    const args = { to: ["megan@contoso.example"], subject: "only once", body: "x", idempotencyKey: "once-replay-1" };
    const first = await callTool(client, "sendEmail", args);
    const second = await callTool(client, "sendEmail", args);
    expect(first.isError, resultText(first)).toBeFalsy();
    expect(resultText(second)).toBe(resultText(first));
    expect(second._meta?.idempotentReplay).toBe(true);
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(1);
  });

  it("refuses the key with other arguments, sending nothing", async () => {
    const args = { to: ["megan@contoso.example"], subject: "first", body: "x", idempotencyKey: "once-mismatch" };
    expect((await callTool(client, "sendEmail", args)).isError).toBeFalsy();
    const reused = await callTool(client, "sendEmail", { ...args, subject: "second" });
    expect(code(reused)).toBe("invalid_input");
    expect(resultText(reused)).toMatch(/different arguments/);
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(1);
  });
});

describe("concurrent repeats of one key", () => {
  it("run once; a repeat that arrives while the first runs is told to wait", async () => {
    const args = { to: ["megan@contoso.example"], subject: "race", body: "x", idempotencyKey: "once-race-1" };
    const results = await Promise.all(Array.from({ length: 5 }, () => callTool(client, "sendEmail", args)));
    expect(results.filter((result) => !result.isError).length).toBeGreaterThanOrEqual(1);
    for (const refused of results.filter((result) => result.isError)) {
      expect(resultText(refused)).toMatch(/conflict.*still running/s);
      expect(refused._meta?.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(1);
  });
});

describe("a keyed write that certainly did not reach Graph releases its key", () => {
  // Each test its own key: the account object (and its records) outlives a test.
  let args: Record<string, unknown>;
  beforeEach(() => {
    args = {
      to: ["megan@contoso.example"],
      subject: "released",
      body: "x",
      idempotencyKey: `once-release-${Math.random()}`,
    };
  });

  it("after Graph throttled it for longer than the client waits (429)", async () => {
    await emulator(env, "faults", {
      match: "^POST /v1\\.0/me/sendMail$",
      status: 429,
      retryAfterSeconds: 30,
      count: 1,
    });
    const throttled = await callTool(client, "sendEmail", args);
    expect(code(throttled)).toBe("throttled");
    const again = await callTool(client, "sendEmail", args);
    expect(again.isError, resultText(again)).toBeFalsy();
    expect(again._meta?.idempotentReplay).toBeUndefined();
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(2);
  });

  it("after Graph refused it (4xx)", async () => {
    await emulator(env, "faults", { match: "^POST /v1\\.0/me/sendMail$", status: 400, count: 1 });
    expect(code(await callTool(client, "sendEmail", args))).toBe("invalid_input");
    expect((await callTool(client, "sendEmail", args)).isError).toBeFalsy();
  });

  it("when the sign-in could not be renewed", async () => {
    await emulator(env, "expire-tokens", {});
    await emulator(env, "faults", { match: "/oauth2/v2.0/token", status: 503, count: 1 });
    const failed = await callTool(client, "sendEmail", args);
    expect(code(failed)).toBe("upstream_unavailable");
    expect(resultText(failed)).toMatch(/renew/);
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(1); // refused with 401, never processed
    const again = await callTool(client, "sendEmail", args);
    expect(again.isError, resultText(again)).toBeFalsy();
  });

  it("when its circuit was open; the user's reads go on meanwhile", async () => {
    await emulator(env, "faults", { match: "^POST /v1\\.0/me/sendMail$", status: 500, count: 5 });
    for (let i = 0; i < 5; i++) {
      const outage = await callTool(client, "sendEmail", {
        to: ["megan@contoso.example"],
        subject: `o${i}`,
        body: "x",
      });
      expect(code(outage)).toBe("upstream_unavailable");
    }
    const paused = await callTool(client, "sendEmail", args);
    expect(resultText(paused)).toMatch(/mail writes.*paused.*nothing was sent/s);
    expect(paused._meta?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(5);
    // 5xx answers on sendMail opened the mail-write circuit only: mail reads still go to Graph.
    const read = await callTool(client, "getEmails", { count: 1, fresh: true });
    expect(read.isError, resultText(read)).toBeFalsy();

    await wait(Number(paused._meta?.retryAfterSeconds) + 0.2);
    const sent = await callTool(client, "sendEmail", args);
    expect(sent.isError, resultText(sent)).toBeFalsy();
    expect(await attempts(/^POST \/v1\.0\/me\/sendMail$/)).toBe(6);
  });

  it("when the tool refused its arguments before sending anything", async () => {
    const task = { title: "remind me", reminder: "tomorrow at nine", idempotencyKey: "once-invalid-1" };
    const refused = await callTool(client, "createTask", task);
    expect(code(refused)).toBe("invalid_input");
    // Released: the repeat runs (and is refused on its merits), never "conflict" or a replay.
    const again = await callTool(client, "createTask", task);
    expect(code(again)).toBe("invalid_input");
    expect(await attempts(/^POST \/v1\.0\//)).toBe(0);
  });
});

describe("a keyed write that may have acted is reconciled by the next call with its key", () => {
  /** Runs every case with its fault, then repeats each like a client would, and returns what each made. */
  async function faultThenRepeat(fault: Record<string, unknown>, tag: string) {
    const all = await cases(tag);
    await clearLog();
    for (const { endpoint } of all) await emulator(env, "faults", { match: endpoint, count: 1, ...fault });
    const keyed = all.map((entry, index) => ({
      ...entry,
      args: { ...entry.args, idempotencyKey: `once-${tag}-${index}` },
    }));
    const failed = await Promise.all(keyed.map(({ tool, args }) => callTool(client, tool, args)));
    for (const [index, result] of failed.entries()) {
      expect(result.isError, `${keyed[index]!.tool}: ${resultText(result)}`).toBe(true);
      expect(resultText(result), keyed[index]!.tool).toMatch(/may or may not have taken effect.*same idempotencyKey/s);
      expect(result._meta?.retryAfterSeconds, keyed[index]!.tool).toBe(5);
    }
    // At once, the key is not checked yet: the first attempt may still be landing.
    const early = await callTool(client, keyed[0]!.tool, keyed[0]!.args);
    expect(code(early)).toBe("conflict");
    expect(resultText(early)).toMatch(/may still be completing/);
    await wait(5.5);
    const repeated = await Promise.all(keyed.map(({ tool, args }) => callTool(client, tool, args)));
    for (const [index, result] of repeated.entries()) {
      expect(result.isError, `${keyed[index]!.tool}: ${resultText(result)}`).toBeFalsy();
    }
    // A third call replays the stored result.
    const replayed = await callTool(client, keyed[0]!.tool, keyed[0]!.args);
    expect(replayed._meta?.idempotentReplay).toBe(true);
    const made = Object.fromEntries(await Promise.all(keyed.map(async ({ tool, made }) => [tool, await made()])));
    const sent = Object.fromEntries(
      await Promise.all(keyed.map(async ({ tool, endpoint }) => [tool, await attempts(new RegExp(endpoint))])),
    );
    return { made, sent, tools: keyed.map(({ tool }) => tool) };
  }

  it("it did act (answered after the client gave up): the write is found and not made again", async () => {
    const { made, sent, tools } = await faultThenRepeat({ latencyMs: 6500 }, "acted");
    expect(made).toEqual(Object.fromEntries(tools.map((tool) => [tool, 1])));
    // Found by its marker or by what it is: one request each. Events and meetings are sent again and
    // Graph de-duplicates them (transactionId, createOrGet's externalId).
    expect(sent).toEqual({
      ...Object.fromEntries(tools.map((tool) => [tool, 1])),
      createCalendarEvent: 2,
      createTeamsMeeting: 2,
    });
  }, 60_000);

  it("it did not act (a 503 Graph answered before acting): the write runs now, once", async () => {
    const { made, sent, tools } = await faultThenRepeat({ status: 503 }, "idle");
    expect(made).toEqual(Object.fromEntries(tools.map((tool) => [tool, 1])));
    expect(sent).toEqual(Object.fromEntries(tools.map((tool) => [tool, 2])));
  }, 60_000);

  it("a timeout that never reached Graph's action (504) is run again the same way", async () => {
    const args = { to: ["megan@contoso.example"], subject: "gateway", body: "x", idempotencyKey: "once-504-mail" };
    await emulator(env, "faults", { match: "^POST /v1\\.0/me/sendMail$", status: 504, count: 1 });
    expect(code(await callTool(client, "sendEmail", args))).toBe("upstream_unavailable");
    await wait(5.2);
    expect((await callTool(client, "sendEmail", args)).isError).toBeFalsy();
    const megan = await msToken("megan@contoso.example");
    expect(await all(megan, `/me/mailFolders/inbox/messages?$filter=subject eq ${quote("gateway")}`)).toHaveLength(1);
  }, 30_000);

  it("says so where a write cannot be checked (an upload with conflict rename), and keeps the key blocked", async () => {
    const args = { path: "/once-rename.txt", text: "x", conflict: "rename", idempotencyKey: "once-rename-1" };
    await emulator(env, "faults", { match: "^PUT /v1\\.0/me/drive/root:/once-rename\\.txt:/content$", status: 503 });
    const failed = await callTool(client, "uploadFile", args);
    expect(resultText(failed)).toMatch(/may or may not have taken effect, and this tool cannot check/);
    const repeat = await callTool(client, "uploadFile", args);
    expect(code(repeat)).toBe("conflict");
    expect(resultText(repeat)).toMatch(/may have acted, and this tool cannot check/);
    expect(await attempts(/^PUT .*once-rename/)).toBe(1);
  });
});
