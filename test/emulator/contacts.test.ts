import type { Contact } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { control, graph, graphJson, postJson, signIn, type GraphErrorBody } from "./helpers.ts";

interface Page<T> {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: T[];
}

let emulator: RunningEmulator;
let adele: string;
let megan: string;

const SCOPES = "openid Contacts.ReadWrite Mail.Read";

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
beforeEach(async () => {
  await control(emulator.url, "reset", {});
  adele = (await signIn(emulator.url, "adele@contoso.example", SCOPES)).access_token;
  megan = (await signIn(emulator.url, "megan@contoso.example", SCOPES)).access_token;
});
afterAll(() => emulator.close());

const get = <T>(path: string, token = adele) => graphJson<T>(emulator.url, token, path);

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as GraphErrorBody;
  return { status: response.status, code: error.code, message: error.message };
}

const filtered = (filter: string, token = adele) =>
  get<Page<Contact>>(`/me/contacts?$select=displayName,emailAddresses&$filter=${encodeURIComponent(filter)}`, token);

function patch(path: string, body: unknown, token = adele): Promise<Response> {
  return graph(emulator.url, token, path, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("listing contacts", () => {
  it("pages past 50 contacts with @odata.nextLink, every contact once", async () => {
    const first = await get<Page<Contact>>("/me/contacts?$top=50&$count=true&$orderby=displayName&$select=displayName");
    expect(first["@odata.count"]).toBeGreaterThan(50);
    expect(first.value).toHaveLength(50);
    expect(first["@odata.nextLink"]).toMatch(/\$skip=50/);
    const second = await get<Page<Contact>>(first["@odata.nextLink"]!);
    expect(second.value.length).toBe(first["@odata.count"]! - 50);
    expect(second["@odata.nextLink"]).toBeUndefined();
    const ids = [...first.value, ...second.value].map((contact) => contact.id);
    expect(new Set(ids).size).toBe(first["@odata.count"]);
    const names = [...first.value, ...second.value].map((contact) => contact.displayName!.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it("returns every property with an etag by default, only the selected ones with $select", async () => {
    const full = await get<Page<Contact & { "@odata.etag": string }>>("/me/contacts?$top=1");
    expect(full.value[0]).toMatchObject({
      "@odata.etag": expect.stringMatching(/^W\/"/),
      id: expect.any(String),
      emailAddresses: expect.any(Array),
      businessPhones: expect.any(Array),
      parentFolderId: expect.any(String),
    });
    const slim = await get<Page<Contact>>("/me/contacts?$top=2&$select=displayName");
    expect(slim["@odata.context"]).toMatch(/contacts\(displayName\)$/);
    for (const contact of slim.value) {
      expect(Object.keys(contact).sort()).toEqual(["@odata.etag", "displayName", "id"]);
    }
  });

  it("seeds each user's own address book, without themselves", async () => {
    const adeles = await get<Page<Contact>>("/me/contacts?$top=999&$select=emailAddresses");
    const megans = await get<Page<Contact>>("/me/contacts?$top=999&$select=emailAddresses", megan);
    const addresses = (page: Page<Contact>) => page.value.flatMap((c) => c.emailAddresses!.map((e) => e.address));
    expect(addresses(adeles)).not.toContain("adele@contoso.example");
    expect(addresses(megans)).toContain("adele@contoso.example");
    expect(megans.value.length).toBeLessThan(adeles.value.length);
  });

  it("refuses $search on contacts", async () => {
    const response = await graph(emulator.url, adele, '/me/contacts?$search="megan"');
    expect(await errorOf(response)).toMatchObject({ status: 400, code: "BadRequest" });
  });
});

describe("$filter on contacts", () => {
  it("finds contacts by the start of a name, case-insensitively", async () => {
    const page = await filtered("startswith(displayName,'meg') or startswith(surname,'meg')");
    expect(page.value.map((contact) => contact.displayName)).toEqual(["Megan Bowen"]);
    const bySurname = await filtered("startswith(surname,'Gup')");
    expect(bySurname.value.map((contact) => contact.displayName)).toEqual(["Pradeep Gupta"]);
  });

  it("finds a contact by an exact email address with any(), and only exact ones", async () => {
    const exact = await filtered("emailAddresses/any(a:a/address eq 'Pradeep@Relecloud.example')");
    expect(exact.value.map((contact) => contact.displayName)).toEqual(["Pradeep Gupta"]);
    expect((await filtered("emailAddresses/any(a:a/address eq 'pradeep')")).value).toEqual([]);
  });

  it("reads doubled single quotes in literals (O'Brien)", async () => {
    const page = await filtered(
      "startswith(displayName,'O''Brien') or startswith(givenName,'O''Brien') or startswith(surname,'O''Brien') or emailAddresses/any(a:a/address eq 'O''Brien')",
    );
    expect(page.value.map((contact) => contact.displayName).sort()).toEqual(["Sean O'Brien", "Siobhan O'Brien"]);
  });

  it("combines and, or, not and parentheses", async () => {
    const page = await filtered(
      "(startswith(givenName,'s') or startswith(givenName,'m')) and not startswith(surname,'o')",
    );
    const names = page.value.map((contact) => contact.displayName!);
    expect(names).toContain("Megan Bowen");
    expect(names).toContain("Miriam Graham");
    expect(names.some((name) => name.includes("O'Brien"))).toBe(false);
    const categories = await filtered("categories/any(c:c eq 'Blue category')");
    expect(categories.value.map((contact) => contact.displayName)).toContain("Siobhan O'Brien");
  });

  it("refuses what Exchange refuses on contacts", async () => {
    for (const filter of [
      "contains(displayName,'an')",
      "emailAddresses/any(a:startswith(a/address,'pr'))",
      "startswith(jobTitle,'Pro')",
      "birthday eq 2020-01-01",
    ]) {
      const response = await graph(emulator.url, adele, `/me/contacts?$filter=${encodeURIComponent(filter)}`);
      expect((await errorOf(response)).status, filter).toBe(400);
    }
    const syntax = await graph(
      emulator.url,
      adele,
      `/me/contacts?$filter=${encodeURIComponent("startswith(displayName,'x'")}`,
    );
    expect(await errorOf(syntax)).toMatchObject({ status: 400, code: "BadRequest" });
  });
});

describe("writing contacts", () => {
  it("creates a contact (201) that later reads and filters see, in the user's book only", async () => {
    const response = await postJson(emulator.url, adele, "/me/contacts", {
      givenName: "Renata",
      surname: "Kowalczyk",
      emailAddresses: [{ address: "renata@fabrikam.example", name: "Renata Kowalczyk" }],
      businessPhones: ["+48 22 555 0101"],
      companyName: "Fabrikam",
      businessAddress: { street: "1 Rynek", city: "Warsaw", countryOrRegion: "Poland" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toMatch(/contacts\('/);
    const created = (await response.json()) as Contact & { "@odata.context": string };
    expect(created).toMatchObject({
      displayName: "Renata Kowalczyk",
      fileAs: "Kowalczyk, Renata",
      companyName: "Fabrikam",
      businessAddress: { street: "1 Rynek", city: "Warsaw", countryOrRegion: "Poland" },
      homePhones: [],
    });
    expect(created["@odata.context"]).toMatch(/contacts\/\$entity$/);
    expect((await get<Contact>(`/me/contacts/${created.id}`)).displayName).toBe("Renata Kowalczyk");
    const found = await filtered("startswith(displayName,'renata')");
    expect(found.value.map((contact) => contact.id)).toEqual([created.id]);
    expect((await filtered("startswith(displayName,'renata')", megan)).value).toEqual([]);
    expect((await graph(emulator.url, megan, `/me/contacts/${created.id}`)).status).toBe(404);
  });

  it("refuses unknown properties, wrong types and more than three addresses", async () => {
    const unknown = await postJson(emulator.url, adele, "/me/contacts", { givenName: "A", shoeSize: 42 });
    expect(await errorOf(unknown)).toMatchObject({ status: 400, code: "RequestBodyRead" });
    const wrongType = await postJson(emulator.url, adele, "/me/contacts", { givenName: 7 });
    expect(await errorOf(wrongType)).toMatchObject({ status: 400, code: "RequestBodyRead" });
    const tooMany = await postJson(emulator.url, adele, "/me/contacts", {
      givenName: "A",
      emailAddresses: ["a", "b", "c", "d"].map((name) => ({ address: `${name}@x.example` })),
    });
    expect(await errorOf(tooMany)).toMatchObject({ status: 400, code: "ErrorInvalidArgument" });
  });

  it("updates with PATCH: fields change, the rest stays, names are derived again", async () => {
    const [contact] = (await filtered("startswith(displayName,'Pradeep')")).value;
    const before = await get<Contact>(`/me/contacts/${contact!.id}`);
    const response = await patch(`/me/contacts/${contact!.id}`, { givenName: "Pradeep K.", jobTitle: "Art Director" });
    expect(response.status).toBe(200);
    const updated = (await response.json()) as Contact;
    expect(updated).toMatchObject({
      displayName: "Pradeep K. Gupta",
      fileAs: "Gupta, Pradeep K.",
      jobTitle: "Art Director",
      companyName: before.companyName,
      emailAddresses: before.emailAddresses,
    });
    expect(updated.changeKey).not.toBe(before.changeKey);
    expect((await get<Contact>(`/me/contacts/${contact!.id}`)).jobTitle).toBe("Art Director");
    const missing = await patch("/me/contacts/AAMkAGI2nothere", { jobTitle: "x" });
    expect(await errorOf(missing)).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
  });

  it("deletes with 204; the contact is gone; reset brings the seed back", async () => {
    const [contact] = (await filtered("startswith(displayName,'Enrico')")).value;
    const deleted = await graph(emulator.url, adele, `/me/contacts/${contact!.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    const again = await graph(emulator.url, adele, `/me/contacts/${contact!.id}`, { method: "DELETE" });
    expect(await errorOf(again)).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
    expect((await filtered("startswith(displayName,'Enrico')")).value).toEqual([]);
    await control(emulator.url, "reset", {});
    const token = (await signIn(emulator.url, "adele@contoso.example", SCOPES)).access_token;
    expect((await filtered("startswith(displayName,'Enrico')", token)).value).toHaveLength(1);
  });

  it("answers a malformed id with ErrorInvalidIdMalformed", async () => {
    const response = await graph(emulator.url, adele, `/me/contacts/${encodeURIComponent("bad id!")}`);
    expect(await errorOf(response)).toMatchObject({ status: 400, code: "ErrorInvalidIdMalformed" });
  });

  it("needs Contacts.Read to read and Contacts.ReadWrite to write", async () => {
    const reader = (await signIn(emulator.url, "adele@contoso.example", "openid Contacts.Read")).access_token;
    expect((await graph(emulator.url, reader, "/me/contacts?$top=1")).status).toBe(200);
    const write = await postJson(emulator.url, reader, "/me/contacts", { givenName: "A" });
    expect(await errorOf(write)).toMatchObject({ status: 403, code: "ErrorAccessDenied" });
    const mailOnly = (await signIn(emulator.url, "adele@contoso.example", "openid Mail.Read")).access_token;
    expect((await graph(emulator.url, mailOnly, "/me/contacts")).status).toBe(403);
  });

  it("lists the default contact folder", async () => {
    const folders = await get<Page<{ id: string; displayName: string }>>("/me/contactFolders");
    const [contact] = (await get<Page<Contact>>("/me/contacts?$top=1&$select=parentFolderId")).value;
    expect(folders.value).toEqual([expect.objectContaining({ displayName: "Contacts", id: contact!.parentFolderId })]);
  });
});
