/** The user's Outlook contacts: list, find, read. */
import type { Contact } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { clip, plural } from "../shared/format.ts";
import { moreLine, type GraphPage } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";
import { addressLine, contactLine, contactSummary, emailsOf, summarizeContact, workOf } from "./format.ts";
import { contactIdInput, contactPath, countInput, cursorInput, nextCursorOutput, odataString } from "./inputs.ts";

const LIST_FIELDS = "displayName,emailAddresses,companyName,jobTitle,businessPhones,mobilePhone";
const DETAIL_FIELDS =
  "displayName,givenName,surname,nickName,emailAddresses,companyName,jobTitle,department,officeLocation,businessPhones,mobilePhone,homePhones,businessAddress,homeAddress,otherAddress,birthday,categories,personalNotes";
const NOTES_CHARS = 1000;

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
    const page = await graph.get<GraphPage<Contact>>(cursor ?? "/me/contacts", {
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
