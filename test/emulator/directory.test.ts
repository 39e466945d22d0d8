import type { Person, User } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIRECTORY, findDirectoryUser, findDirectoryUserByAddress } from "../../emulator/data/directory.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { ADELE, ALEX, DEMO_USERS, MEGAN } from "../../emulator/tenant.ts";
import { graph, graphJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: T[];
}

let emulator: RunningEmulator;
/** Adele with the directory's basic read permission. */
let basic: string;
/** Adele with User.Read.All (managers) and People.Read. */
let full: string;

const EVENTUAL = { ConsistencyLevel: "eventual" };

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  basic = (await signIn(emulator.url, "adele@contoso.example", "openid User.Read User.ReadBasic.All")).access_token;
  full = (
    await signIn(
      emulator.url,
      "adele@contoso.example",
      "openid User.Read User.Read.All People.Read Mail.Read MailboxSettings.Read",
    )
  ).access_token;
});
afterAll(() => emulator.close());

const get = <T>(path: string, token = basic, headers: Record<string, string> = {}) =>
  graphJson<T>(emulator.url, token, path, { headers });

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

const names = (page: Page<User | Person>) => page.value.map((user) => user.displayName);

describe("the directory's data", () => {
  it("holds the three sign-in users and 25 or more colleagues, each with a manager up to one CEO", () => {
    expect(DIRECTORY.filter((user) => user.canSignIn).map((user) => user.id)).toEqual(DEMO_USERS.map((u) => u.id));
    const colleagues = DIRECTORY.filter((user) => !user.canSignIn);
    expect(colleagues.length).toBeGreaterThanOrEqual(25);
    expect(new Set(DIRECTORY.map((user) => user.mail)).size).toBe(DIRECTORY.length);
    expect(new Set(DIRECTORY.map((user) => user.department)).size).toBeGreaterThanOrEqual(6);
    const roots = DIRECTORY.filter((user) => user.managerId === null);
    expect(roots.map((user) => user.jobTitle)).toEqual(["Chief Executive Officer"]);
    for (const user of DIRECTORY) {
      let current = user;
      for (let hops = 0; current.managerId !== null; hops++) {
        expect(hops, `${user.displayName}'s reporting line`).toBeLessThan(5);
        current = DIRECTORY.find((candidate) => candidate.id === current.managerId)!;
        expect(current, `${user.displayName}'s manager exists`).toBeDefined();
      }
    }
  });
});

describe("GET /users", () => {
  it("lists everyone, pages with an opaque $skiptoken, and caps $top at 999", async () => {
    const first = await get<Page<User>>("/users?$top=10&$select=id,displayName");
    expect(first.value).toHaveLength(10);
    expect(first["@odata.context"]).toBe(`${emulator.url}/v1.0/$metadata#users(id,displayName)`);
    const next = first["@odata.nextLink"]!;
    expect(next).toMatch(/\$skiptoken=/);
    expect(next).not.toMatch(/\$skip=/);
    const seen = [...first.value];
    let link: string | undefined = next;
    while (link) {
      const page: Page<User> = await get<Page<User>>(link);
      seen.push(...page.value);
      link = page["@odata.nextLink"];
    }
    expect(seen.map((user) => user.id).sort()).toEqual(DIRECTORY.map((user) => user.id).sort());
    expect((await get<Page<User>>("/users?$top=999")).value).toHaveLength(DIRECTORY.length);
    const tooMany = await errorOf(await graph(emulator.url, basic, "/users?$top=1000"));
    expect(tooMany).toMatchObject({ status: 400, code: "Request_BadRequest" });
    const skip = await errorOf(await graph(emulator.url, basic, "/users?$skip=5"));
    expect(skip).toMatchObject({ status: 400, code: "Request_BadRequest" });
  });

  it("refuses $search without ConsistencyLevel: eventual, with Entra's message", async () => {
    const response = await graph(emulator.url, basic, `/users?$search=${encodeURIComponent('"displayName:sean"')}`);
    expect(await errorOf(response)).toEqual({
      status: 400,
      code: "Request_UnsupportedQuery",
      message:
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    });
  });

  it("searches names and addresses by word prefix with ConsistencyLevel: eventual", async () => {
    const search = (query: string) =>
      get<Page<User>>(
        `/users?$search=${encodeURIComponent(query)}&$count=true&$select=displayName,mail`,
        basic,
        EVENTUAL,
      );
    expect(names(await search('"displayName:sean"'))).toEqual(["Sean O'Brien"]);
    expect(names(await search('"displayName:o\'brien"'))).toEqual(["Sean O'Brien"]);
    expect(names(await search('"displayName:gra"'))).toEqual(["Grace Tan", "Miriam Graham"]);
    expect(names(await search('"mail:megan@contoso.example"'))).toEqual(["Megan Bowen"]);
    const either = await search('"displayName:lynne" OR "mail:henrietta"');
    expect(names(either)).toEqual(["Henrietta Mueller", "Lynne Robbins"]);
    expect(either["@odata.count"]).toBe(2);
    const both = await search('"displayName:lee" AND "mail:lee"');
    expect(names(both)).toEqual(["Lee Gu"]);
    for (const bad of ["sean", '"shoeSize:42"', '"displayName:a" "mail:b"']) {
      const response = await graph(emulator.url, basic, `/users?$search=${encodeURIComponent(bad)}`, {
        headers: EVENTUAL,
      });
      expect(await errorOf(response), bad).toMatchObject({ status: 400, code: "Request_UnsupportedQuery" });
    }
  });

  it("gives @odata.count only with ConsistencyLevel: eventual", async () => {
    expect((await get<Page<User>>("/users?$count=true&$top=1"))["@odata.count"]).toBeUndefined();
    expect((await get<Page<User>>("/users?$count=true&$top=1", basic, EVENTUAL))["@odata.count"]).toBe(
      DIRECTORY.length,
    );
  });

  it("filters by department, address and name start; sorting a filtered list needs the header", async () => {
    const marketing = await get<Page<User>>(
      `/users?$filter=${encodeURIComponent("department eq 'marketing'")}&$select=displayName,department`,
    );
    expect(names(marketing)).toEqual(expect.arrayContaining(["Adele Vance", "Megan Bowen", "Miriam Graham"]));
    expect(marketing.value.every((user) => user.department === "Marketing")).toBe(true);
    const byMail = await get<Page<User>>(`/users?$filter=${encodeURIComponent("mail eq 'ALEX@contoso.example'")}`);
    expect(byMail.value.map((user) => user.id)).toEqual([ALEX.id]);
    const starts = await get<Page<User>>(
      `/users?$filter=${encodeURIComponent("startswith(displayName,'a') or startswith(surname,'Wil')")}`,
    );
    expect(names(starts)).toEqual(["Adele Vance", "Aisha Khan", "Alex Wilber", "Allan Deyoung"]);
    const sorted = `/users?$filter=${encodeURIComponent("department eq 'Sales'")}&$orderby=displayName desc`;
    expect(await errorOf(await graph(emulator.url, basic, sorted))).toMatchObject({
      status: 400,
      code: "Request_UnsupportedQuery",
    });
    expect(names(await get<Page<User>>(`${sorted}&$count=true`, basic, EVENTUAL))).toEqual([
      "Marcus Obi",
      "Cameron White",
      "Ben Walters",
    ]);
  });
});

describe("one user, their manager and reports", () => {
  it("finds a colleague by user principal name and by id; others are 404", async () => {
    const sean = findDirectoryUser("sean@contoso.example")!;
    const byUpn = await get<User>("/users/SEAN@contoso.example?$select=id,displayName,jobTitle,department");
    expect(byUpn).toMatchObject({ id: sean.id, displayName: "Sean O'Brien", jobTitle: "Content Strategist" });
    const byId = await get<User>(`/users/${sean.id}`);
    expect(byId).toMatchObject({ userPrincipalName: "sean@contoso.example", officeLocation: sean.officeLocation });
    const missing = await graph(emulator.url, basic, "/users/nobody@contoso.example");
    expect(await errorOf(missing)).toMatchObject({ status: 404, code: "Request_ResourceNotFound" });
  });

  it("addresses users by id or user principal name only: a mail address that differs from the UPN is 404", async () => {
    const hannah = findDirectoryUserByAddress("hannah@contoso.example")!;
    expect(hannah.userPrincipalName).toBe("hweber@contoso.example");
    expect(await get<User>("/users/hweber@contoso.example?$select=id,mail")).toMatchObject({
      id: hannah.id,
      mail: "hannah@contoso.example",
    });
    const byMail = await graph(emulator.url, basic, "/users/hannah@contoso.example");
    expect(await errorOf(byMail)).toMatchObject({ status: 404, code: "Request_ResourceNotFound" });
  });

  it("finds a user by mail, user principal name or proxy address with $filter", async () => {
    const hannah = findDirectoryUserByAddress("hannah@contoso.example")!;
    const select = "&$select=id,displayName,mail,userPrincipalName,proxyAddresses";
    const found = async (filter: string) =>
      (await get<Page<User>>(`/users?$filter=${encodeURIComponent(filter)}${select}`, full)).value.map((u) => u.id);
    expect(await found("mail eq 'HANNAH@contoso.example'")).toEqual([hannah.id]);
    expect(await found("userPrincipalName eq 'hweber@contoso.example'")).toEqual([hannah.id]);
    expect(await found("proxyAddresses/any(p:p eq 'smtp:hannah.weber@contoso.example')")).toEqual([hannah.id]);
    expect(
      await found(
        "mail eq 'hannah.weber@contoso.example' or userPrincipalName eq 'hannah.weber@contoso.example' or proxyAddresses/any(p:p eq 'smtp:hannah.weber@contoso.example')",
      ),
    ).toEqual([hannah.id]);
    const user = (
      await get<Page<User>>(`/users?$filter=${encodeURIComponent("mail eq 'hannah@contoso.example'")}${select}`, full)
    ).value[0]!;
    expect(user.proxyAddresses).toEqual([
      "SMTP:hannah@contoso.example",
      "smtp:hannah.weber@contoso.example",
      "smtp:hweber@contoso.example",
    ]);
    // A multi-valued property needs any().
    const bare = await graph(emulator.url, full, `/users?$filter=${encodeURIComponent("proxyAddresses eq 'x'")}`);
    expect((await errorOf(bare)).status).toBe(400);
  });

  it("serves managers to holders of User.Read.All, and 404 at the top", async () => {
    const denied = await graph(emulator.url, basic, "/me/manager");
    expect(await errorOf(denied)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
    const mine = await get<User & { "@odata.type": string }>("/me/manager", full);
    expect(mine).toMatchObject({ "@odata.type": "#microsoft.graph.user", displayName: "Miriam Graham" });
    const alexs = await get<User>(`/users/${ALEX.id}/manager?$select=displayName,jobTitle`, full);
    expect(alexs).toMatchObject({ displayName: "Christie Cline", jobTitle: "Design Director" });
    const ceo = await graph(emulator.url, full, "/users/lynne@contoso.example/manager");
    expect(await errorOf(ceo)).toMatchObject({ status: 404, code: "Request_ResourceNotFound" });
  });

  it("lists direct reports with User.ReadBasic.All", async () => {
    const miriam = await get<Page<User>>("/users/miriam@contoso.example/directReports?$select=displayName", basic);
    expect(names(miriam).sort()).toEqual(["Adele Vance", "Daniel Brooks", "Grace Tan", "Megan Bowen", "Sean O'Brien"]);
    expect((await get<Page<User>>("/me/directReports")).value).toEqual([]);
  });

  it("keeps /me and each user's mailbox time zone", async () => {
    expect((await get<User>("/me")).id).toBe(ADELE.id);
    const settings = await get<{ timeZone: string }>("/me/mailboxSettings", full);
    expect(settings.timeZone).toBe(ADELE.timeZone);
  });
});

describe("GET /me/people", () => {
  it("ranks the manager and frequent correspondents first, never the user", async () => {
    const people = await get<Page<Person>>("/me/people?$top=25", full);
    expect(people.value).toHaveLength(25);
    const top = names(people);
    expect(top).toContain("Miriam Graham");
    expect(top).toContain("Megan Bowen");
    expect(top).not.toContain("Adele Vance");
    const megan = people.value.find((person) => person.displayName === "Megan Bowen")!;
    expect(megan).toMatchObject({
      id: MEGAN.id,
      userPrincipalName: "megan@contoso.example",
      jobTitle: MEGAN.jobTitle,
      personType: { class: "Person", subclass: "OrganizationUser" },
      scoredEmailAddresses: [expect.objectContaining({ address: "megan@contoso.example" })],
    });
    const scores = people.value.map((person) => person.scoredEmailAddresses![0]!.relevanceScore!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("searches by the start of a name or address, external people included", async () => {
    const search = (term: string) =>
      get<Page<Person>>(`/me/people?$search=${encodeURIComponent(`"${term}"`)}&$select=displayName,personType`, full);
    expect(names(await search("meg"))).toEqual(["Megan Bowen"]);
    expect(names(await search("megan bow"))).toEqual(["Megan Bowen"]);
    expect(names(await search("o'brien")).sort()).toEqual(["Sean O'Brien", "Siobhan O'Brien"]);
    const external = await search("pradeep");
    expect(external.value).toEqual([
      expect.objectContaining({
        displayName: "Pradeep Gupta",
        personType: { class: "Person", subclass: "PersonalContact" },
      }),
    ]);
    expect(Object.keys(external.value[0]!).sort()).toEqual(["displayName", "id", "personType"]);
    expect((await search("zzzz")).value).toEqual([]);
  });

  it("pages with $top and $skip, and needs People.Read", async () => {
    const first = await get<Page<Person>>("/me/people?$top=5", full);
    const second = await get<Page<Person>>(first["@odata.nextLink"]!, full);
    expect(first["@odata.nextLink"]).toMatch(/\$skip=5/);
    expect(second.value).toHaveLength(5);
    expect(second.value.map((p) => p.id)).not.toContain(first.value[0]!.id);
    expect((await graph(emulator.url, basic, "/me/people")).status).toBe(403);
  });
});
