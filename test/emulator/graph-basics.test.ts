import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPH_CONTENT_TYPE } from "../../emulator/graph/responses.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { ADELE, MEGAN } from "../../emulator/tenant.ts";
import { control, graph, graphJson, signIn, type GraphErrorBody, type Tokens } from "./helpers.ts";

let emulator: RunningEmulator;
let adele: Tokens;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  adele = await signIn(emulator.url, "adele@contoso.example");
});
afterAll(() => emulator.close());

async function graphError(response: Response): Promise<GraphErrorBody["error"]> {
  expect(response.headers.get("content-type")).toBe(GRAPH_CONTENT_TYPE);
  return ((await response.json()) as GraphErrorBody).error;
}

describe("authentication and permissions", () => {
  it("refuses a request without a token, with Graph's error and a WWW-Authenticate challenge", async () => {
    const response = await fetch(`${emulator.url}/v1.0/me`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const error = await graphError(response);
    expect(error.code).toBe("InvalidAuthenticationToken");
    expect(error.message).toBe("Access token is empty.");
    expect(error.innerError["request-id"]).toBe(response.headers.get("request-id"));
    expect(error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  });

  it("refuses a token it did not issue", async () => {
    const response = await graph(emulator.url, "eyJ0eXAiOiJKV1QifQ.made.up", "/me");
    expect(response.status).toBe(401);
    expect((await graphError(response)).code).toBe("InvalidAuthenticationToken");
  });

  it("refuses an expired token with the lifetime message", async () => {
    const short = await startEmulator({ port: 0, accessTokenLifetimeSeconds: 1 });
    try {
      const tokens = await signIn(short.url);
      expect(tokens.expires_in).toBe(1);
      expect((await graph(short.url, tokens.access_token, "/me")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const response = await graph(short.url, tokens.access_token, "/me");
      expect(response.status).toBe(401);
      const error = await graphError(response);
      expect(error).toMatchObject({
        code: "InvalidAuthenticationToken",
        message: "Lifetime validation failed, the token is expired.",
      });
    } finally {
      await short.close();
    }
  });

  it("expires tokens on request, of one user or of all", async () => {
    const megan = await signIn(emulator.url, "megan@contoso.example");
    const alex = await signIn(emulator.url, "alex@contoso.example");
    const { expired } = await control<{ expired: number }>(emulator.url, "expire-tokens", { userId: MEGAN.id });
    expect(expired).toBe(1);
    const refused = await graph(emulator.url, megan.access_token, "/me");
    expect(refused.status).toBe(401);
    expect((await graphError(refused)).message).toBe("Lifetime validation failed, the token is expired.");
    expect((await graph(emulator.url, alex.access_token, "/me")).status).toBe(200);
    await control(emulator.url, "expire-tokens", {});
    expect((await graph(emulator.url, alex.access_token, "/me")).status).toBe(401);
    adele = await signIn(emulator.url, "adele@contoso.example");
  });

  it("answers 403 ErrorAccessDenied when the token lacks the permission", async () => {
    const profileOnly = await signIn(emulator.url, "alex@contoso.example", "openid offline_access User.Read");
    const response = await graph(emulator.url, profileOnly.access_token, "/me/messages");
    expect(response.status).toBe(403);
    expect(await graphError(response)).toMatchObject({
      code: "ErrorAccessDenied",
      message: "Access is denied. Check credentials and try again.",
    });
    const send = await graph(emulator.url, profileOnly.access_token, "/me/sendMail", { method: "POST" });
    expect(send.status).toBe(403);
    const mailOnly = await signIn(emulator.url, "alex@contoso.example", "Mail.Read");
    expect((await graph(emulator.url, mailOnly.access_token, "/me")).status).toBe(403);
  });
});

describe("response conventions", () => {
  it("sends Graph's JSON content type, a request-id and the client's client-request-id", async () => {
    const response = await graph(emulator.url, adele.access_token, "/me", {
      headers: { "client-request-id": "11111111-2222-3333-4444-555555555555" },
    });
    expect(response.headers.get("content-type")).toBe(GRAPH_CONTENT_TYPE);
    expect(response.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("client-request-id")).toBe("11111111-2222-3333-4444-555555555555");
    const own = await graph(emulator.url, adele.access_token, "/me");
    expect(own.headers.get("client-request-id")).toBe(own.headers.get("request-id"));
    const body = (await response.json()) as Record<string, unknown>;
    expect(body["@odata.context"]).toBe(`${emulator.url}/v1.0/$metadata#users/$entity`);
  });

  it("answers an unknown segment with 400 BadRequest and an unknown query option with 400", async () => {
    const unknown = await graph(emulator.url, adele.access_token, "/me/notAThing");
    expect(unknown.status).toBe(400);
    expect(await graphError(unknown)).toMatchObject({
      code: "BadRequest",
      message: "Resource not found for the segment 'notAThing'.",
    });
    const option = await graph(emulator.url, adele.access_token, "/me/messages?$apply=groupby(subject)");
    expect(option.status).toBe(400);
    expect((await graphError(option)).message).toContain("'apply'");
  });

  it("refuses a write without a Content-Type", async () => {
    const response = await graph(emulator.url, adele.access_token, "/me/sendMail", {
      method: "POST",
      body: new Uint8Array(Buffer.from("{}")),
    });
    expect(response.status).toBe(400);
    expect((await graphError(response)).message).toContain("Content-Type");
  });
});

describe("users", () => {
  it("returns the signed-in user with Graph's default properties", async () => {
    const me = await graphJson<Record<string, unknown>>(emulator.url, adele.access_token, "/me");
    expect(me).toEqual({
      "@odata.context": `${emulator.url}/v1.0/$metadata#users/$entity`,
      businessPhones: ADELE.businessPhones,
      displayName: "Adele Vance",
      givenName: "Adele",
      jobTitle: ADELE.jobTitle,
      mail: "adele@contoso.example",
      mobilePhone: ADELE.mobilePhone,
      officeLocation: ADELE.officeLocation,
      preferredLanguage: "en-US",
      surname: "Vance",
      userPrincipalName: "adele@contoso.example",
      id: ADELE.id,
    });
  });

  it("applies $select, including properties outside the default set, and refuses unknown ones", async () => {
    const me = await graphJson<Record<string, unknown>>(
      emulator.url,
      adele.access_token,
      "/me?$select=displayName,department,mailboxSettings",
    );
    expect(me).toEqual({
      "@odata.context": `${emulator.url}/v1.0/$metadata#users(displayName,department,mailboxSettings)/$entity`,
      displayName: "Adele Vance",
      department: "Marketing",
      mailboxSettings: expect.objectContaining({ timeZone: "Pacific Standard Time" }),
    });
    const unknown = await graph(emulator.url, adele.access_token, "/me?$select=displayName,shoeSize");
    expect(unknown.status).toBe(400);
    expect((await graphError(unknown)).message).toBe(
      "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    );
  });

  it("finds users by id or user principal name; others need User.ReadBasic.All", async () => {
    const self = await graphJson<{ id: string }>(emulator.url, adele.access_token, "/users/ADELE@contoso.example");
    expect(self.id).toBe(ADELE.id);
    const other = await graph(emulator.url, adele.access_token, `/users/${MEGAN.id}`);
    expect(other.status).toBe(403);
    expect((await graphError(other)).code).toBe("Authorization_RequestDenied");
    const directory = await signIn(emulator.url, "adele@contoso.example", "User.Read User.ReadBasic.All");
    const megan = await graphJson<{ mail: string; officeLocation: string }>(
      emulator.url,
      directory.access_token,
      "/users/megan@contoso.example",
    );
    expect(megan).toMatchObject({ mail: "megan@contoso.example", officeLocation: MEGAN.officeLocation });
    const missing = await graph(emulator.url, directory.access_token, "/users/nobody@contoso.example");
    expect(missing.status).toBe(404);
    expect((await graphError(missing)).code).toBe("Request_ResourceNotFound");
  });

  it("serves mailbox settings with each user's time zone to holders of MailboxSettings.Read", async () => {
    const zones: Record<string, string> = {};
    for (const user of ["adele@contoso.example", "megan@contoso.example", "alex@contoso.example"]) {
      const tokens = await signIn(emulator.url, user, "MailboxSettings.Read");
      zones[user] = (
        await graphJson<{ timeZone: string }>(emulator.url, tokens.access_token, "/me/mailboxSettings")
      ).timeZone;
    }
    expect(zones).toEqual({
      "adele@contoso.example": "Pacific Standard Time",
      "megan@contoso.example": "W. Europe Standard Time",
      "alex@contoso.example": "Eastern Standard Time",
    });
    expect((await graph(emulator.url, adele.access_token, "/me/mailboxSettings")).status).toBe(403);
  });
});
