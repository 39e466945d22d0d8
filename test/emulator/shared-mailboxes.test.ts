import type { Event, Message } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  value: T[];
}

const SHARED_SCOPES =
  "openid profile email offline_access User.Read Mail.Read Mail.Send Mail.Read.Shared Mail.Send.Shared Calendars.ReadWrite Calendars.ReadWrite.Shared";

let emulator: RunningEmulator;
const tokens: Record<"adele" | "megan" | "alex", string> = { adele: "", megan: "", alex: "" };

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code };
}

function inbox(user: keyof typeof tokens, mailbox: string, top = 10): Promise<Response> {
  return graph(emulator.url, tokens[user], `/users/${mailbox}/mailFolders/inbox/messages?$top=${top}`);
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  tokens.adele = (await signIn(emulator.url, "adele@contoso.example", SHARED_SCOPES)).access_token;
  tokens.megan = (await signIn(emulator.url, "megan@contoso.example", SHARED_SCOPES)).access_token;
  tokens.alex = (await signIn(emulator.url, "alex@contoso.example", SHARED_SCOPES)).access_token;
});
afterAll(() => emulator.close());

describe("a shared mailbox through /users/{upn}", () => {
  it("serves support@'s inbox to a user with Full Access, by UPN and by id", async () => {
    const byUpn = (await (await inbox("adele", "support@contoso.example")).json()) as Page<Message>;
    expect(byUpn.value.map((message) => message.subject)).toContain(
      "Ticket 4411: cannot sign in to the partner portal",
    );
    const byId = (await (await inbox("megan", "7d4f6e41-b28a-4b5d-8f40-00000000d004")).json()) as Page<Message>;
    expect(byId.value.map((message) => message.id)).toEqual(byUpn.value.map((message) => message.id));
  });

  it("refuses a user without rights with 403 ErrorAccessDenied, and their own mail is not what they get", async () => {
    const response = await inbox("alex", "support@contoso.example");
    expect(await errorOf(response)).toEqual({ status: 403, code: "ErrorAccessDenied" });
    const message = (await (await inbox("adele", "support@contoso.example", 1)).json()) as Page<Message>;
    const id = message.value[0]!.id!;
    const direct = await graph(emulator.url, tokens.alex, `/users/support@contoso.example/messages/${id}`);
    expect(await errorOf(direct)).toEqual({ status: 403, code: "ErrorAccessDenied" });
  });

  it("needs the .Shared permission on the token, even with the right in Exchange", async () => {
    const plain = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read Mail.Read")).access_token;
    const response = await graph(emulator.url, plain, "/users/support@contoso.example/messages");
    expect(await errorOf(response)).toEqual({ status: 403, code: "ErrorAccessDenied" });
    // One's own mailbox by UPN is /me, and needs no .Shared permission.
    expect((await graph(emulator.url, plain, "/users/adele@contoso.example/messages?$top=1")).status).toBe(200);
  });

  it("answers an unknown user 404 ErrorInvalidUser, and takes no mail address that is not a UPN", async () => {
    const response = await inbox("adele", "nobody@contoso.example");
    expect(await errorOf(response)).toEqual({ status: 404, code: "ErrorInvalidUser" });
  });

  it("sends as support@ with Send As: from and sender are the mailbox; the copy is in the user's Sent Items", async () => {
    const response = await postJson(emulator.url, tokens.adele, "/me/sendMail", {
      message: {
        subject: "Re: Ticket 4411",
        body: { contentType: "Text", content: "Unlocked." },
        toRecipients: [{ emailAddress: { address: "megan@contoso.example" } }],
        from: { emailAddress: { address: "support@contoso.example" } },
      },
    });
    expect(response.status).toBe(202);
    const received = await graphJson<Page<Message>>(
      emulator.url,
      tokens.megan,
      "/me/mailFolders/inbox/messages?$top=1&$orderby=receivedDateTime desc",
    );
    expect(received.value[0]?.from?.emailAddress?.address).toBe("support@contoso.example");
    expect(received.value[0]?.sender?.emailAddress?.address).toBe("support@contoso.example");
  });

  it("refuses sending from support@ without Send As or Send on Behalf: 403 ErrorSendAsDenied", async () => {
    const body = {
      message: {
        subject: "Hello from support",
        body: { contentType: "Text", content: "Hi" },
        toRecipients: [{ emailAddress: { address: "adele@contoso.example" } }],
        from: { emailAddress: { address: "support@contoso.example" } },
      },
    };
    for (const user of ["megan", "alex"] as const) {
      const response = await postJson(emulator.url, tokens[user], "/me/sendMail", body);
      expect(await errorOf(response)).toEqual({ status: 403, code: "ErrorSendAsDenied" });
    }
    const shared = await postJson(emulator.url, tokens.alex, "/users/support@contoso.example/sendMail", body);
    expect(await errorOf(shared)).toEqual({ status: 403, code: "ErrorAccessDenied" });
  });
});

describe("a delegate's calendar", () => {
  it("lets Megan read and add to Adele's calendar, but not read Adele's mail", async () => {
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const end = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const view = await graph(
      emulator.url,
      tokens.megan,
      `/users/adele@contoso.example/calendarView?startDateTime=${start}&endDateTime=${end}`,
    );
    expect(view.status).toBe(200);
    const own = await graphJson<Page<Event>>(
      emulator.url,
      tokens.adele,
      `/me/calendarView?startDateTime=${start}&endDateTime=${end}`,
    );
    expect(((await view.json()) as Page<Event>).value.map((event) => event.id)).toEqual(
      own.value.map((event) => event.id),
    );
    const created = await postJson(emulator.url, tokens.megan, "/users/adele@contoso.example/events", {
      subject: "Booked by Megan",
      start: { dateTime: "2030-01-07T10:00:00", timeZone: "UTC" },
      end: { dateTime: "2030-01-07T10:30:00", timeZone: "UTC" },
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as Event).organizer?.emailAddress?.address).toBe("adele@contoso.example");
    const mail = await inbox("megan", "adele@contoso.example");
    expect(await errorOf(mail)).toEqual({ status: 403, code: "ErrorAccessDenied" });
  });

  it("refuses Alex, who is nobody's delegate", async () => {
    const response = await graph(emulator.url, tokens.alex, "/users/adele@contoso.example/calendars");
    expect(await errorOf(response)).toEqual({ status: 403, code: "ErrorAccessDenied" });
  });
});
