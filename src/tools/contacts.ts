/**
 * Contacts, people and the directory: the user's Outlook contacts (list,
 * find, read, create, update, delete), the people most relevant to them, and
 * users of their organization's directory.
 */
import type { Contact, Person, PhysicalAddress, User } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../graph/errors.ts";
import { defineTool } from "./spec.ts";
import { clip } from "./format.ts";

// ---------------------------------------------------------------------------
// Shared pieces

interface Page<T> {
  value: T[];
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
}

const countInput = z.number().int().min(1).max(50).default(20).describe("Results per page");
const cursorInput = z.string().optional().describe("nextCursor from the previous call");
const nextCursorOutput = z.string().optional().describe("Pass as cursor for more");
const contactIdInput = z.string().describe("Contact id from getContacts");

/** Exchange item ids: URL-safe base64 (some carry + and /); nothing else reaches the path. */
const ITEM_ID = /^[A-Za-z0-9_=+/-]+$/;

function contactPath(id: string): string {
  if (!ITEM_ID.test(id)) {
    throw new ToolError("invalid_input", `id: "${clip(id, 60)}" is not a contact id (use an id from getContacts).`);
  }
  return `/me/contacts/${encodeURIComponent(id)}`;
}

/** An OData string literal: single quotes doubled. */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** "Title, Department, Company", leaving out what is missing. */
function workOf(...parts: (string | null | undefined)[]): string {
  return parts.filter((part) => part && part.trim()).join(", ");
}

function moreLine(nextCursor: string | undefined): string[] {
  return nextCursor ? [`More: call again with cursor "${nextCursor}".`] : [];
}

// ---------------------------------------------------------------------------
// Outlook contacts

const LIST_FIELDS = "displayName,emailAddresses,companyName,jobTitle,businessPhones,mobilePhone";
const DETAIL_FIELDS =
  "displayName,givenName,surname,nickName,emailAddresses,companyName,jobTitle,department,officeLocation,businessPhones,mobilePhone,homePhones,businessAddress,homeAddress,otherAddress,birthday,categories,personalNotes";
const NOTES_CHARS = 1000;

const contactSummary = z.object({
  id: z.string(),
  name: z.string(),
  emails: z.array(z.string()),
  work: z.string(),
  phone: z.string(),
});
type ContactSummary = z.infer<typeof contactSummary>;

function emailsOf(contact: Contact): string[] {
  return (contact.emailAddresses ?? []).map((email) => email.address ?? "").filter(Boolean);
}

function summarizeContact(contact: Contact): ContactSummary {
  return {
    id: contact.id ?? "",
    name: contact.displayName || emailsOf(contact)[0] || "(no name)",
    emails: emailsOf(contact),
    work: workOf(contact.jobTitle, contact.companyName),
    phone: contact.mobilePhone || contact.businessPhones?.[0] || "",
  };
}

function contactLine(contact: ContactSummary, index: number): string {
  const facts = [contact.emails.length ? `<${contact.emails.join(", ")}>` : "", contact.work, contact.phone];
  return `${index + 1}. ${contact.name} ${facts.filter(Boolean).join(" | ")} | id: ${contact.id}`.replace(/ {2,}/, " ");
}

/** Contacts whose name starts with `query`, or with exactly that address (what Exchange's $filter can do). */
function contactFilter(query: string): string {
  const text = odataString(query);
  return [
    `startswith(displayName,${text})`,
    `startswith(givenName,${text})`,
    `startswith(surname,${text})`,
    `emailAddresses/any(a:a/address eq ${text})`,
  ].join(" or ");
}

export const getContacts = defineTool({
  name: "getContacts",
  title: "List or find contacts",
  description:
    "The user's Outlook contacts, by name; query finds a name start or an exact email. For coworkers not saved use searchPeople.",
  input: {
    query: z.string().trim().min(1).max(100).optional().describe("Name start or exact email; omit to list all"),
    count: countInput,
    cursor: cursorInput,
  },
  output: { contacts: z.array(contactSummary), nextCursor: nextCursorOutput },
  scopes: ["Contacts.Read"],
  access: "read",
  cacheKind: "contacts",
  async run({ query, count, cursor }, { graph }) {
    const page = await graph.get<Page<Contact>>(cursor ?? "/me/contacts", {
      query: cursor
        ? undefined
        : {
            $top: count,
            $select: LIST_FIELDS,
            ...(query ? { $filter: contactFilter(query) } : { $orderby: "displayName" }),
          },
    });
    const contacts = page.value.map(summarizeContact);
    const nextCursor = page["@odata.nextLink"];
    const heading = query ? `Contacts matching "${query}"` : "Contacts";
    const text =
      contacts.length === 0
        ? query
          ? `No contacts match "${query}" (names match from their start; emails exactly). Try searchPeople or searchUsers.`
          : "No contacts."
        : [
            `${heading}: ${plural(contacts.length, "contact")}.`,
            ...contacts.map(contactLine),
            ...moreLine(nextCursor),
          ].join("\n");
    return { text, structured: { contacts, ...(nextCursor ? { nextCursor } : {}) } };
  },
});

function addressLine(kind: string, address: PhysicalAddress | null | undefined): string | undefined {
  const text = [address?.street, address?.city, address?.state, address?.postalCode, address?.countryOrRegion]
    .filter((part) => part && part.trim())
    .join(", ");
  return text ? `${kind}: ${text}` : undefined;
}

export const getContact = defineTool({
  name: "getContact",
  title: "Read a contact",
  description: "One Outlook contact in full: emails, phones, addresses, work, birthday, categories, notes.",
  input: { id: contactIdInput },
  output: {
    id: z.string(),
    name: z.string(),
    emails: z.array(z.string()),
    work: z.string().optional(),
    phones: z.array(z.string()),
    addresses: z.array(z.string()),
    birthday: z.string().optional(),
    categories: z.array(z.string()),
    notes: z.string().optional(),
  },
  scopes: ["Contacts.Read"],
  access: "read",
  cacheKind: "contacts",
  async run({ id }, { graph }) {
    const contact = await graph.get<Contact>(contactPath(id), { query: { $select: DETAIL_FIELDS } });
    const phones = [
      ...(contact.mobilePhone ? [`mobile: ${contact.mobilePhone}`] : []),
      ...(contact.businessPhones ?? []).map((number) => `business: ${number}`),
      ...(contact.homePhones ?? []).map((number) => `home: ${number}`),
    ];
    const addresses = [
      addressLine("business", contact.businessAddress),
      addressLine("home", contact.homeAddress),
      addressLine("other", contact.otherAddress),
    ].filter((line): line is string => line !== undefined);
    const work = workOf(contact.jobTitle, contact.department, contact.companyName, contact.officeLocation);
    const birthday = contact.birthday?.slice(0, 10);
    const notes = clip(contact.personalNotes, NOTES_CHARS);
    const result = {
      id: contact.id ?? id,
      name: contact.displayName || emailsOf(contact)[0] || "(no name)",
      emails: emailsOf(contact),
      ...(work ? { work } : {}),
      phones,
      addresses,
      ...(birthday ? { birthday } : {}),
      categories: contact.categories ?? [],
      ...(notes ? { notes } : {}),
    };
    const lines = [
      `${result.name}${contact.nickName ? ` ("${contact.nickName}")` : ""}`,
      result.emails.length ? `Email: ${result.emails.join(", ")}` : "",
      result.work ? `Work: ${result.work}` : "",
      phones.length ? `Phone: ${phones.join("; ")}` : "",
      ...addresses.map((line) => `Address (${line.replace(": ", "): ")}`),
      result.birthday ? `Birthday: ${result.birthday}` : "",
      result.categories.length ? `Categories: ${result.categories.join(", ")}` : "",
      result.notes ? `Notes: ${result.notes}` : "",
      `id: ${result.id}`,
    ];
    return { text: lines.filter(Boolean).join("\n"), structured: result };
  },
});

const contactFields = {
  givenName: z.string().trim().min(1).describe("First name"),
  surname: z.string().trim().optional().describe("Last name"),
  emails: z.array(z.email()).max(3).optional().describe("Up to 3 email addresses"),
  businessPhone: z.string().trim().optional().describe("Work phone"),
  mobilePhone: z.string().trim().optional().describe("Mobile phone"),
  company: z.string().trim().optional().describe("Company name"),
  jobTitle: z.string().trim().optional().describe("Job title"),
  department: z.string().trim().optional().describe("Department"),
  address: z
    .object({
      street: z.string().optional(),
      city: z.string().optional(),
      state: z.string().optional(),
      postalCode: z.string().optional(),
      countryOrRegion: z.string().optional(),
    })
    .optional()
    .describe("Business address"),
  // Outlook keeps notes up to 32 KB; longer text is refused here rather than by Graph.
  notes: z.string().max(32_000).optional().describe("Free-text notes"),
};

type ContactFields = { [K in keyof typeof contactFields]?: z.infer<(typeof contactFields)[K]> };

/** The Graph contact body for the fields given; `undefined` ones are left out (PATCH leaves them as they are). */
function contactBody(fields: ContactFields): Record<string, unknown> {
  const displayName = [fields.givenName, fields.surname].filter(Boolean).join(" ");
  const body: Record<string, unknown> = {
    givenName: fields.givenName,
    surname: fields.surname,
    emailAddresses: fields.emails?.map((address) => ({ address, name: displayName || address })),
    businessPhones: fields.businessPhone === undefined ? undefined : fields.businessPhone ? [fields.businessPhone] : [],
    mobilePhone: fields.mobilePhone,
    companyName: fields.company,
    jobTitle: fields.jobTitle,
    department: fields.department,
    businessAddress: fields.address,
    personalNotes: fields.notes,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

export const createContact = defineTool({
  name: "createContact",
  title: "Create contact",
  description: "Save a new Outlook contact. Check getContacts first to avoid a duplicate.",
  input: contactFields,
  scopes: ["Contacts.ReadWrite"],
  access: "write",
  idempotencyKey: true,
  invalidates: ["contacts"],
  async run(fields, { graph }) {
    const created = await graph.post<Contact>("/me/contacts", contactBody(fields));
    return { text: `Created contact "${created.displayName ?? fields.givenName}" (id: ${created.id}).` };
  },
});

export const updateContact = defineTool({
  name: "updateContact",
  title: "Update contact",
  description: "Change an Outlook contact's fields; omitted fields stay, emails replaces the list.",
  input: { id: contactIdInput, ...contactFields, givenName: contactFields.givenName.optional() },
  scopes: ["Contacts.ReadWrite"],
  access: "write",
  idempotent: true,
  invalidates: ["contacts"],
  async run({ id, ...fields }, { graph }) {
    const path = contactPath(id);
    const body = contactBody(fields);
    if (Object.keys(body).length === 0) {
      throw new ToolError(
        "invalid_input",
        "Nothing to change: give at least one field (givenName, emails, jobTitle, ...).",
      );
    }
    const updated = await graph.patch<Contact>(path, body);
    const changed = Object.keys(fields).filter((name) => fields[name as keyof typeof fields] !== undefined);
    return { text: `Updated contact "${updated.displayName ?? ""}": ${changed.join(", ")} (id: ${updated.id ?? id}).` };
  },
});

export const deleteContact = defineTool({
  name: "deleteContact",
  title: "Delete contact",
  description: "Delete an Outlook contact. Confirm with the user first.",
  input: { id: contactIdInput },
  scopes: ["Contacts.ReadWrite"],
  access: "write",
  destructive: true,
  idempotent: true,
  invalidates: ["contacts"],
  async run({ id }, { graph }) {
    await graph.delete(contactPath(id));
    return { text: `Deleted contact ${id}.` };
  },
});

// ---------------------------------------------------------------------------
// People (relevance) and the directory

const PEOPLE_FIELDS = "displayName,scoredEmailAddresses,jobTitle,department,companyName,personType";

const personSummary = z.object({ name: z.string(), email: z.string(), work: z.string(), kind: z.string() });
type PersonSummary = z.infer<typeof personSummary>;

const PERSON_KINDS: Record<string, string> = {
  OrganizationUser: "colleague",
  OrganizationContact: "org contact",
  PersonalContact: "contact",
  ImplicitContact: "correspondent",
};

function summarizePerson(person: Person): PersonSummary {
  const subclass = person.personType?.subclass ?? "";
  return {
    name: person.displayName ?? "",
    email: person.scoredEmailAddresses?.[0]?.address ?? "",
    work: workOf(person.jobTitle, person.department, person.companyName),
    kind: PERSON_KINDS[subclass] ?? (person.personType?.class ?? "").toLowerCase(),
  };
}

export const searchPeople = defineTool({
  name: "searchPeople",
  title: "Find relevant people",
  description:
    "People the user works with most (mail, meetings, org chart), or whose name or email starts with query. Best to find an address.",
  input: {
    query: z.string().trim().min(1).max(100).optional().describe("Name or email start; omit for the most relevant"),
    count: z.number().int().min(1).max(50).default(10).describe("How many people"),
  },
  output: { people: z.array(personSummary) },
  scopes: ["People.Read"],
  access: "read",
  cacheKind: "directory",
  async run({ query, count }, { graph }) {
    const page = await graph.get<Page<Person>>("/me/people", {
      query: { $top: count, $select: PEOPLE_FIELDS, ...(query ? { $search: `"${query.replace(/"/g, " ")}"` } : {}) },
    });
    const people = page.value.map(summarizePerson);
    const heading = query ? `People matching "${query}"` : "Most relevant people";
    const text =
      people.length === 0
        ? `No people match "${query ?? ""}". Try searchUsers for the whole directory.`
        : [
            `${heading}: ${plural(people.length, "person").replace("persons", "people")}.`,
            ...people.map(
              (person, index) =>
                `${index + 1}. ${person.name}${person.email ? ` <${person.email}>` : ""}${person.work ? ` | ${person.work}` : ""} | ${person.kind}`,
            ),
          ].join("\n");
    return { text, structured: { people } };
  },
});

const USER_FIELDS = "id,displayName,mail,userPrincipalName,jobTitle,department,officeLocation";
const USER_DETAIL_FIELDS = `${USER_FIELDS},businessPhones,mobilePhone,city,country`;

/** A directory user id (GUID) or a user principal name / email; nothing else reaches the path. */
function userPath(user: string): string {
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(user);
  if (!guid && !/^[^\s/\\?@]+@[^\s/\\?@]+\.[^\s/\\?@]+$/.test(user)) {
    throw new ToolError("invalid_input", `user: "${clip(user, 60)}" is neither a user id (GUID) nor an email address.`);
  }
  return `/users/${encodeURIComponent(user)}`;
}

function userLine(user: User): string {
  return [
    `${user.displayName ?? ""} <${user.mail || user.userPrincipalName || ""}>`,
    workOf(user.jobTitle, user.department, user.officeLocation),
  ]
    .filter(Boolean)
    .join(" | ");
}

export const getUser = defineTool({
  name: "getUser",
  title: "Look up a coworker",
  description: "A coworker's directory profile by email or id: title, department, office, phones, optionally manager.",
  input: {
    user: z.string().trim().min(1).max(320).describe("Email or user id"),
    manager: z.boolean().default(false).describe("Also return their manager"),
  },
  output: {
    id: z.string(),
    name: z.string(),
    email: z.string(),
    work: z.string(),
    phones: z.array(z.string()),
    manager: z.string().optional(),
  },
  scopes: ["User.Read.All"],
  access: "read",
  cacheKind: "directory",
  async run({ user, manager }, { graph }) {
    const path = userPath(user);
    const found = await graph.get<User>(path, { query: { $select: USER_DETAIL_FIELDS } });
    let managerText: string | undefined;
    if (manager) {
      try {
        const boss = await graph.get<User>(`${path}/manager`, { query: { $select: USER_FIELDS } });
        managerText = userLine(boss);
      } catch (error) {
        if (!(error instanceof GraphError && error.status === 404)) throw error;
        managerText = "none";
      }
    }
    const phones = [...(found.businessPhones ?? []), ...(found.mobilePhone ? [found.mobilePhone] : [])];
    const result = {
      id: found.id ?? "",
      name: found.displayName ?? "",
      email: found.mail || found.userPrincipalName || "",
      work: workOf(found.jobTitle, found.department, found.officeLocation),
      phones,
      ...(managerText !== undefined ? { manager: managerText } : {}),
    };
    const place = workOf(found.city, found.country);
    const lines = [
      `${result.name} <${result.email}>`,
      result.work ? `Work: ${result.work}` : "",
      place ? `Location: ${place}` : "",
      phones.length ? `Phone: ${phones.join(", ")}` : "",
      managerText !== undefined ? `Manager: ${managerText}` : "",
      `id: ${result.id}`,
    ];
    return { text: lines.filter(Boolean).join("\n"), structured: result };
  },
});

const userSummary = z.object({ id: z.string(), name: z.string(), email: z.string(), work: z.string() });

export const searchUsers = defineTool({
  name: "searchUsers",
  title: "Search the directory",
  description: "Search the organization's directory by name or email start, or list a department.",
  input: {
    query: z.string().trim().min(1).max(100).optional().describe("Start of a name or email"),
    department: z.string().trim().min(1).max(100).optional().describe("Exact department, e.g. Sales"),
    count: countInput,
    cursor: cursorInput,
  },
  output: { users: z.array(userSummary), total: z.number().optional(), nextCursor: nextCursorOutput },
  scopes: ["User.ReadBasic.All"],
  access: "read",
  cacheKind: "directory",
  async run({ query, department, count, cursor }, { graph }) {
    // Entra serves $search and $count only as advanced queries, which need this header.
    const headers = { ConsistencyLevel: "eventual" };
    const term = query?.replace(/["\\]/g, " ").trim();
    const page = await graph.get<Page<User>>(cursor ?? "/users", {
      headers,
      query: cursor
        ? undefined
        : {
            $top: count,
            $select: USER_FIELDS,
            $count: true,
            $orderby: "displayName",
            ...(term ? { $search: `"displayName:${term}" OR "mail:${term}"` } : {}),
            ...(department ? { $filter: `department eq ${odataString(department)}` } : {}),
          },
    });
    const users = page.value.map((user) => ({
      id: user.id ?? "",
      name: user.displayName ?? "",
      email: user.mail || user.userPrincipalName || "",
      work: workOf(user.jobTitle, user.department, user.officeLocation),
    }));
    const total = page["@odata.count"];
    const nextCursor = page["@odata.nextLink"];
    const what = [query ? `"${query}"` : "", department ? `department ${department}` : ""].filter(Boolean).join(", ");
    const heading = `Directory${what ? ` (${what})` : ""}: ${plural(users.length, "user")}${total !== undefined && total > users.length ? ` of ${total}` : ""}.`;
    const text =
      users.length === 0
        ? `No one in the directory matches ${what || "the search"}.`
        : [
            heading,
            ...users.map(
              (user, index) =>
                `${index + 1}. ${user.name} <${user.email}>${user.work ? ` | ${user.work}` : ""} | id: ${user.id}`,
            ),
            ...moreLine(nextCursor),
          ].join("\n");
    return {
      text,
      structured: { users, ...(total !== undefined ? { total } : {}), ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

export const contactTools = [
  getContacts,
  getContact,
  createContact,
  updateContact,
  deleteContact,
  searchPeople,
  getUser,
  searchUsers,
];
