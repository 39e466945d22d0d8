import { env } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { beforeEach, describe, expect, it } from "vitest";
import { callTool, connectClient, emulator, requestLog, resultText, signIn } from "./helpers.ts";

interface ContactListing {
  contacts: { id: string; name: string; emails: string[]; work: string; phone: string }[];
  nextCursor?: string;
}

interface ContactDetail {
  id: string;
  name: string;
  emails: string[];
  work?: string;
  phones: string[];
  addresses: string[];
  birthday?: string;
  categories: string[];
  notes?: string;
}

interface UserListing {
  users: { id: string; name: string; email: string; work: string }[];
  total?: number;
  nextCursor?: string;
}

const call = callTool;

const text = resultText;

async function ok<T>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await call(client, name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent as T;
}

async function adele(): Promise<Client> {
  return connectClient((await signIn("adele@contoso.example")).access_token);
}

/** A name no seeded contact has, so cached results of other tests never answer for it. */
function uniqueName(): string {
  return `Zed${crypto
    .randomUUID()
    .replace(/[^a-f]/g, "")
    .slice(0, 6)}`;
}

beforeEach(async () => {
  await emulator(env, "reset", {});
});

describe("getContacts", () => {
  it("lists contacts by name, one line each with emails, work, phone and id", async () => {
    const client = await adele();
    const result = await call(client, "getContacts", { count: 5, fresh: true });
    expect(result.isError).toBeFalsy();
    const listing = result.structuredContent as unknown as ContactListing;
    expect(listing.contacts).toHaveLength(5);
    const names = listing.contacts.map((contact) => contact.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const rendered = text(result);
    expect(rendered).toMatch(/^Contacts: 5 contacts\./);
    for (const contact of listing.contacts) {
      expect(rendered).toContain(`${contact.name} <${contact.emails.join(", ")}>`);
      expect(rendered).toContain(`id: ${contact.id}`);
    }
    expect(rendered).toContain(`More: call again with cursor "${listing.nextCursor}"`);
    expect(rendered).not.toContain("@odata");
    const [listed] = (await requestLog()).filter((entry) => entry.path === "/v1.0/me/contacts");
    expect(decodeURIComponent(listed!.query)).toContain("$select=displayName,emailAddresses,companyName");
  });

  it("pages past 50 contacts with the cursor, each contact once", async () => {
    const client = await adele();
    const first = await ok<ContactListing>(client, "getContacts", { count: 50, fresh: true });
    expect(first.contacts).toHaveLength(50);
    expect(first.nextCursor).toMatch(/^[\w-]{12}$/);
    const second = await ok<ContactListing>(client, "getContacts", {
      count: 50,
      cursor: first.nextCursor,
      fresh: true,
    });
    expect(second.contacts.length).toBeGreaterThan(0);
    expect(second.nextCursor).toBeUndefined();
    const ids = [...first.contacts, ...second.contacts].map((contact) => contact.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("finds contacts by the start of a name and by an exact email", async () => {
    const client = await adele();
    const partial = await ok<ContactListing>(client, "getContacts", { query: "prad", fresh: true });
    expect(partial.contacts.map((contact) => contact.name)).toEqual(["Pradeep Gupta"]);
    expect(partial.contacts[0]).toMatchObject({
      emails: ["pradeep@relecloud.example"],
      work: "Photographer, Relecloud",
      phone: "+1 425 555 0148",
    });
    const bySurname = await ok<ContactListing>(client, "getContacts", { query: "Gupta", fresh: true });
    expect(bySurname.contacts.map((contact) => contact.id)).toEqual([partial.contacts[0]!.id]);
    const byEmail = await ok<ContactListing>(client, "getContacts", { query: "Lidia@Northwind.example", fresh: true });
    expect(byEmail.contacts.map((contact) => contact.name)).toEqual(["Lidia Holloway"]);
    const none = await call(client, "getContacts", { query: "lidia@northwind", fresh: true });
    expect(text(none)).toMatch(/^No contacts match "lidia@northwind"/);
    expect((none.structuredContent as unknown as ContactListing).contacts).toEqual([]);
  });

  it("takes a quote in the query (O'Brien) without breaking the filter", async () => {
    const client = await adele();
    const result = await call(client, "getContacts", { query: "O'Brien", fresh: true });
    expect(result.isError, text(result)).toBeFalsy();
    const names = (result.structuredContent as unknown as ContactListing).contacts.map((contact) => contact.name);
    expect(names.sort()).toEqual(["Sean O'Brien", "Siobhan O'Brien"]);
    const sent = (await requestLog()).find((entry) => entry.path === "/v1.0/me/contacts");
    expect(new URLSearchParams(sent!.query).get("$filter")).toContain("startswith(surname,'O''Brien')");
  });

  it("refuses invalid arguments, naming the field", async () => {
    const client = await adele();
    for (const args of [{ count: 0 }, { count: 51 }, { count: 2.5 }]) {
      const result = await call(client, "getContacts", args);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/count/);
    }
    const empty = await call(client, "getContacts", { query: "   " });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/query/);
    const foreign = await call(client, "getContacts", { cursor: "https://attacker.example/v1.0/me/contacts" });
    expect(text(foreign)).toContain("invalid_input");
  });
});

describe("getContact", () => {
  it("reads a contact in full: emails, phones, address, birthday, categories, notes", async () => {
    const client = await adele();
    const [found] = (await ok<ContactListing>(client, "getContacts", { query: "Siobhan", fresh: true })).contacts;
    const result = await call(client, "getContact", { id: found!.id, fresh: true });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toEqual({
      id: found!.id,
      name: "Siobhan O'Brien",
      emails: ["siobhan.obrien@litware.example"],
      work: "Partner Marketing Lead, Partner Marketing, Litware",
      phones: ["mobile: +353 87 555 0199", "business: +353 1 555 0142"],
      addresses: ["business: 12 Grand Canal Quay, Dublin, D02 XY34, Ireland"],
      birthday: "1986-09-14",
      categories: ["Blue category"],
      notes: "Met at the partner summit. Prefers calls before noon Irish time.",
    });
    const rendered = text(result);
    expect(rendered).toContain("Siobhan O'Brien");
    expect(rendered).toContain("Address (business): 12 Grand Canal Quay, Dublin");
    expect(rendered).toContain("Birthday: 1986-09-14");
    expect(rendered).toContain(`id: ${found!.id}`);
  });

  it("answers not_found for an unknown id and refuses an id that is not one", async () => {
    const client = await adele();
    const missing = await call(client, "getContact", { id: "AAMkAGI2doesnotexist", fresh: true });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("Error [not_found]");
    const traversal = await call(client, "getContact", { id: "../../users/megan/contacts" });
    expect(text(traversal)).toMatch(/invalid_input.*id/);
    expect((await requestLog()).filter((entry) => entry.path.includes("megan"))).toEqual([]);
  });
});

describe("createContact, updateContact, deleteContact", () => {
  it("creates a contact that getContacts then finds, without a fresh read", async () => {
    const client = await adele();
    const givenName = uniqueName();
    const before = await ok<ContactListing>(client, "getContacts", { query: givenName });
    expect(before.contacts).toEqual([]);
    const created = await call(client, "createContact", {
      givenName,
      surname: "Okoro",
      emails: [`${givenName.toLowerCase()}@tailspin.example`],
      businessPhone: "+1 206 555 0177",
      company: "Tailspin Toys",
      jobTitle: "Buyer",
      department: "Purchasing",
      address: { street: "1 Pier Way", city: "Seattle", postalCode: "98101", countryOrRegion: "United States" },
      notes: "Met at the trade fair.",
    });
    expect(created.isError, text(created)).toBeFalsy();
    const id = /\(id: ([^)]+)\)/.exec(text(created))?.[1];
    expect(text(created)).toContain(`Created contact "${givenName} Okoro"`);
    expect(id).toBeTruthy();
    const after = await ok<ContactListing>(client, "getContacts", { query: givenName });
    expect(after.contacts.map((contact) => contact.id)).toEqual([id]);
    const detail = await ok<ContactDetail>(client, "getContact", { id });
    expect(detail).toMatchObject({
      name: `${givenName} Okoro`,
      emails: [`${givenName.toLowerCase()}@tailspin.example`],
      work: "Buyer, Purchasing, Tailspin Toys",
      phones: ["business: +1 206 555 0177"],
      addresses: ["business: 1 Pier Way, Seattle, 98101, United States"],
      notes: "Met at the trade fair.",
    });
    const posts = (await requestLog()).filter((entry) => entry.method === "POST" && entry.path === "/v1.0/me/contacts");
    expect(posts.map((entry) => entry.status)).toEqual([201]);
  });

  it("refuses invalid contacts before anything reaches Graph", async () => {
    const client = await adele();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ surname: "Only" }, /givenName/],
      [{ givenName: "A", emails: ["not-an-address"] }, /emails/],
      [{ givenName: "A", emails: ["a@x.example", "b@x.example", "c@x.example", "d@x.example"] }, /emails/],
    ];
    for (const [args, field] of cases) {
      const result = await call(client, "createContact", args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result)).toMatch(field);
    }
    expect((await requestLog()).filter((entry) => entry.path === "/v1.0/me/contacts")).toEqual([]);
  });

  it("updates only the fields given, and says which", async () => {
    const client = await adele();
    const [pradeep] = (await ok<ContactListing>(client, "getContacts", { query: "Pradeep", fresh: true })).contacts;
    const result = await call(client, "updateContact", {
      id: pradeep!.id,
      jobTitle: "Art Director",
      emails: ["pradeep@relecloud.example", "pg@studio.example"],
    });
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toBe(`Updated contact "Pradeep Gupta": emails, jobTitle (id: ${pradeep!.id}).`);
    const detail = await ok<ContactDetail>(client, "getContact", { id: pradeep!.id });
    expect(detail).toMatchObject({
      name: "Pradeep Gupta",
      emails: ["pradeep@relecloud.example", "pg@studio.example"],
      work: "Art Director, Relecloud",
      notes: "Shot the Mark 8 product photos.",
    });
    const patches = (await requestLog()).filter((entry) => entry.method === "PATCH");
    expect(patches.map((entry) => entry.status)).toEqual([200]);
  });

  it("refuses an update without changes and answers not_found for an unknown contact", async () => {
    const client = await adele();
    const nothing = await call(client, "updateContact", { id: "AAMkAGI2whatever" });
    expect(text(nothing)).toMatch(/invalid_input.*Nothing to change/);
    const missing = await call(client, "updateContact", { id: "AAMkAGI2doesnotexist", jobTitle: "x" });
    expect(text(missing)).toContain("Error [not_found]");
  });

  it("deletes a contact; reading it then says not_found, and so does deleting again", async () => {
    const client = await adele();
    const [enrico] = (await ok<ContactListing>(client, "getContacts", { query: "Enrico", fresh: true })).contacts;
    const deleted = await call(client, "deleteContact", { id: enrico!.id });
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(text(deleted)).toBe(`Deleted contact ${enrico!.id}.`);
    expect(text(await call(client, "getContact", { id: enrico!.id }))).toContain("Error [not_found]");
    expect(text(await call(client, "deleteContact", { id: enrico!.id }))).toContain("Error [not_found]");
    expect((await ok<ContactListing>(client, "getContacts", { query: "Enrico" })).contacts).toEqual([]);
  });
});

describe("searchPeople", () => {
  it("lists the most relevant people with their address, work and kind", async () => {
    const client = await adele();
    const result = await call(client, "searchPeople", { count: 25, fresh: true });
    expect(result.isError, text(result)).toBeFalsy();
    const { people } = result.structuredContent as { people: { name: string; email: string; kind: string }[] };
    expect(people).toHaveLength(25);
    expect(people).toContainEqual({
      name: "Miriam Graham",
      email: "miriam@contoso.example",
      work: "Director of Marketing, Marketing, Contoso (demo)",
      kind: "colleague",
    });
    expect(people.map((person) => person.email)).not.toContain("adele@contoso.example");
    expect(text(result)).toMatch(/^Most relevant people: 25 people\.\n1\. /);
  });

  it("finds people by the start of a name", async () => {
    const client = await adele();
    const result = await call(client, "searchPeople", { query: "meg", fresh: true });
    expect(result.structuredContent).toEqual({
      people: [
        {
          name: "Megan Bowen",
          email: "megan@contoso.example",
          work: "Marketing Manager, Marketing, Contoso (demo)",
          kind: "colleague",
        },
      ],
    });
    expect(text(result)).toBe(
      'People matching "meg": 1 person.\n1. Megan Bowen <megan@contoso.example> | Marketing Manager, Marketing, Contoso (demo) | colleague',
    );
    const none = await call(client, "searchPeople", { query: "qqqq", fresh: true });
    expect(text(none)).toMatch(/^No people match "qqqq"/);
  });
});

describe("getUser", () => {
  it("reads a coworker by user principal name, with their manager", async () => {
    const client = await adele();
    const result = await call(client, "getUser", { user: "sean@contoso.example", manager: true, fresh: true });
    expect(result.isError, text(result)).toBeFalsy();
    const profile = result.structuredContent as { id: string; manager?: string };
    expect(profile).toMatchObject({
      name: "Sean O'Brien",
      email: "sean@contoso.example",
      work: expect.stringMatching(/^Content Strategist, Marketing, 18\//),
      phones: [expect.stringMatching(/^\+1 425 555/), expect.stringMatching(/^\+1 425 555/)],
      manager: "Miriam Graham <miriam@contoso.example> | Director of Marketing, Marketing, 18/1114",
    });
    expect(text(result)).toContain("Manager: Miriam Graham <miriam@contoso.example>");
    expect(text(result)).toContain("Location: Seattle, United States");

    const byId = await call(client, "getUser", { user: profile.id, fresh: true });
    expect(byId.isError, text(byId)).toBeFalsy();
    expect((byId.structuredContent as { email: string }).email).toBe("sean@contoso.example");
    expect(byId.structuredContent).not.toHaveProperty("manager");
    expect(text(byId)).not.toContain("Manager:");
  });

  it("finds a coworker by mail address or alias where it differs from the user principal name", async () => {
    const client = await adele();
    const byMail = await call(client, "getUser", { user: "hannah@contoso.example", manager: true, fresh: true });
    expect(byMail.isError, text(byMail)).toBeFalsy();
    expect(byMail.structuredContent).toMatchObject({
      name: "Hannah Weber",
      email: "hannah@contoso.example",
      manager: expect.stringMatching(/^Christie Cline <christie@contoso\.example>/),
    });
    const byAlias = await call(client, "getUser", { user: "hannah.weber@contoso.example", fresh: true });
    expect(byAlias.structuredContent).toMatchObject({ name: "Hannah Weber", email: "hannah@contoso.example" });
    const byUpn = await call(client, "getUser", { user: "HWEBER@contoso.example", fresh: true });
    expect(byUpn.structuredContent).toMatchObject({ name: "Hannah Weber" });
    // Graph's /users/{x} takes an id or UPN only: an address goes through $filter, the manager by id.
    const paths = (await requestLog()).filter((entry) => entry.path.startsWith("/v1.0/users")).map((e) => e.path);
    expect(paths.filter((path) => /@/.test(path))).toEqual([]);
  });

  it("says none for someone without a manager; not_found and invalid_input otherwise", async () => {
    const client = await adele();
    const ceo = await call(client, "getUser", { user: "lynne@contoso.example", manager: true, fresh: true });
    expect(text(ceo)).toContain("Manager: none");
    const missing = await call(client, "getUser", { user: "nobody@contoso.example", fresh: true });
    expect(text(missing)).toContain("Error [not_found]");
    const invalid = await call(client, "getUser", { user: "../me/messages" });
    expect(text(invalid)).toMatch(/invalid_input.*user/);
  });
});

describe("searchUsers", () => {
  it("searches the directory by name start (sending ConsistencyLevel), with a total", async () => {
    const client = await adele();
    const result = await call(client, "searchUsers", { query: "o'brien", fresh: true });
    expect(result.isError, text(result)).toBeFalsy();
    const listing = result.structuredContent as unknown as UserListing;
    expect(listing.users).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: "Sean O'Brien",
        email: "sean@contoso.example",
        work: expect.stringMatching(/^Content Strategist, Marketing/),
      },
    ]);
    expect(listing.total).toBe(1);
    expect(text(result)).toContain(`1. Sean O'Brien <sean@contoso.example> | Content Strategist, Marketing`);
    const [request] = (await requestLog()).filter((entry) => entry.path === "/v1.0/users");
    expect(request!.status).toBe(200);
    expect(new URLSearchParams(request!.query).get("$search")).toBe(`"displayName:o'brien" OR "mail:o'brien"`);
  });

  it("lists a department and pages with the cursor", async () => {
    const client = await adele();
    const sales = await ok<UserListing>(client, "searchUsers", { department: "Sales", fresh: true });
    expect(sales.users.map((user) => user.name)).toEqual(["Ben Walters", "Cameron White", "Marcus Obi"]);
    const first = await ok<UserListing>(client, "searchUsers", { query: "a", count: 2, fresh: true });
    expect(first.users).toHaveLength(2);
    expect(first.total).toBeGreaterThan(2);
    const second = await ok<UserListing>(client, "searchUsers", {
      query: "a",
      count: 2,
      cursor: first.nextCursor,
      fresh: true,
    });
    expect(second.users.length).toBeGreaterThan(0);
    expect(second.users.map((user) => user.id)).not.toContain(first.users[0]!.id);
  });

  it("says when no one matches, and reports Graph failures with a code", async () => {
    const client = await adele();
    const none = await call(client, "searchUsers", { query: "qqqq", fresh: true });
    expect(text(none)).toBe('No one in the directory matches "qqqq".');
    await emulator(env, "faults", { match: "GET /v1.0/users", status: 503, count: 10 });
    const failed = await call(client, "searchUsers", { query: "sean", fresh: true });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain("Error [upstream_unavailable]");
  });
});
