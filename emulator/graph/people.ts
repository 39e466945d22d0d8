/**
 * The People API: /me/people, the people most relevant to the signed-in user,
 * ranked from their mail and calendar correspondents, their contacts and
 * their place in the org chart. $search matches the start of a name or an
 * address (fuzzily, as Graph does, by word prefix); $top, $skip, $select,
 * $filter and $orderby=displayName as Graph allows them.
 */
import type { Person, Phone } from "@microsoft/microsoft-graph-types";
import { DIRECTORY, findDirectoryUser, findDirectoryUserByAddress, type DirectoryUser } from "../data/directory.ts";
import { stableGuid } from "../data/random.ts";
import { DAY } from "../data/time.ts";
import type { StoredContact } from "../model.ts";
import { TENANT_NAME } from "../tenant.ts";
import { integerOption } from "./odata/collection.ts";
import { parseFilter, type FilterSchema } from "./odata/filter.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const PERSON_SCHEMA: EntitySchema = {
  type: "microsoft.graph.person",
  properties: [
    "id",
    "displayName",
    "givenName",
    "surname",
    "birthday",
    "personNotes",
    "isFavorite",
    "jobTitle",
    "companyName",
    "yomiCompany",
    "department",
    "officeLocation",
    "profession",
    "userPrincipalName",
    "imAddress",
    "scoredEmailAddresses",
    "phones",
    "postalAddresses",
    "websites",
    "personType",
  ],
  alwaysSelected: ["id"],
};

const PERSON_FILTER: FilterSchema = {
  "personType/class": { kind: "string" },
  "personType/subclass": { kind: "string" },
  companyName: { kind: "string" },
  department: { kind: "string" },
  jobTitle: { kind: "string" },
};

const DEFAULT_TOP = 10;
const MAX_TOP = 1000;

interface Candidate {
  address: string;
  name: string;
  score: number;
}

/** How much a message or meeting `ageDays` old adds: recent ones count more. */
function weight(ageDays: number): number {
  return 1 + 2 * Math.exp(-Math.max(0, ageDays) / 30);
}

/** Relevance by address: correspondence, meetings, the org chart and the address book. */
function relevance(context: GraphContext): Map<string, Candidate> {
  const me = context.user.mail.toLowerCase();
  const data = context.state.dataOf(context.user.id);
  const now = Date.now();
  const candidates = new Map<string, Candidate>();
  const add = (address: string | null | undefined, name: string | null | undefined, score: number) => {
    const key = (address ?? "").toLowerCase();
    if (!key || key === me) return;
    const entry = candidates.get(key) ?? { address: address!, name: name || address!, score: 0 };
    entry.score += score;
    if (name && entry.name === entry.address) entry.name = name;
    candidates.set(key, entry);
  };

  const junk = new Set(
    data.mailbox.folders
      .filter((folder) => folder.wellKnownName === "junkemail" || folder.wellKnownName === "deleteditems")
      .map((folder) => folder.id),
  );
  for (const message of data.mailbox.messages.values()) {
    if (junk.has(message.parentFolderId) || message.isDraft) continue;
    const age = (now - Date.parse(message.receivedDateTime)) / DAY;
    const from = message.from?.emailAddress;
    if (from?.address?.toLowerCase() === me) {
      // Mail the user wrote says more about relevance than mail they received.
      for (const recipient of [...(message.toRecipients ?? []), ...(message.ccRecipients ?? [])]) {
        add(recipient.emailAddress?.address, recipient.emailAddress?.name, 2 * weight(age));
      }
    } else {
      add(from?.address, from?.name, weight(age));
    }
  }
  for (const event of data.events ?? []) {
    const start = Date.parse(`${event.start?.dateTime ?? ""}Z`);
    const age = Number.isNaN(start) ? 30 : Math.abs(now - start) / DAY;
    add(event.organizer?.emailAddress?.address, event.organizer?.emailAddress?.name, weight(age));
    for (const attendee of event.attendees ?? []) {
      add(attendee.emailAddress?.address, attendee.emailAddress?.name, weight(age));
    }
  }
  for (const contact of data.contacts) {
    for (const email of contact.emailAddresses ?? []) add(email.address, contact.displayName, 3);
  }
  const self = findDirectoryUser(context.user.id);
  for (const colleague of DIRECTORY) {
    const related =
      colleague.id === self?.managerId
        ? 60
        : colleague.managerId === self?.id
          ? 40
          : colleague.managerId && colleague.managerId === self?.managerId
            ? 12
            : colleague.department === self?.department
              ? 3
              : 0.5;
    add(colleague.mail, colleague.displayName, related);
  }
  return candidates;
}

function phonesOf(user: DirectoryUser | undefined, contact: StoredContact | undefined): Phone[] {
  const business = user?.businessPhones ?? contact?.businessPhones ?? [];
  const mobile = user ? user.mobilePhone : contact?.mobilePhone;
  return [
    ...business.map((number) => ({ type: "business" as const, number })),
    ...(mobile ? [{ type: "mobile" as const, number: mobile }] : []),
  ];
}

function personOf(candidate: Candidate, contacts: readonly StoredContact[]): Person {
  const address = candidate.address.toLowerCase();
  const user = findDirectoryUserByAddress(address);
  const contact = contacts.find((entry) =>
    (entry.emailAddresses ?? []).some((email) => email.address?.toLowerCase() === address),
  );
  const [given = "", ...rest] = candidate.name.split(" ");
  const subclass = user ? "OrganizationUser" : contact ? "PersonalContact" : "ImplicitContact";
  return {
    id: user?.id ?? stableGuid("person", address),
    displayName: user?.displayName ?? contact?.displayName ?? candidate.name,
    givenName: user?.givenName ?? contact?.givenName ?? (given || null),
    surname: user?.surname ?? contact?.surname ?? (rest.join(" ") || null),
    birthday: contact?.birthday?.slice(0, 10) ?? "",
    personNotes: "",
    isFavorite: false,
    jobTitle: user?.jobTitle ?? contact?.jobTitle ?? null,
    companyName: user ? TENANT_NAME : (contact?.companyName ?? null),
    yomiCompany: "",
    department: user?.department ?? contact?.department ?? null,
    officeLocation: user?.officeLocation ?? null,
    profession: "",
    userPrincipalName: user?.userPrincipalName ?? "",
    imAddress: user ? `sip:${user.mail}` : null,
    scoredEmailAddresses: [
      {
        address: user?.mail ?? candidate.address,
        relevanceScore: Math.round(candidate.score * 10) / 10,
        selectionLikelihood: "notSpecified",
      },
    ],
    phones: phonesOf(user, contact),
    postalAddresses: [],
    websites: [],
    personType: { class: "Person", subclass },
  };
}

/** People search: every word of the query starts a word of the name or of the address. */
function matchesSearch(person: Person, raw: string): boolean {
  const words = raw
    .replace(/^"([\s\S]*)"$/, "$1")
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
  const names = [person.displayName, person.givenName, person.surname].filter(Boolean).join(" ").toLowerCase();
  const address = person.scoredEmailAddresses?.[0]?.address?.toLowerCase() ?? "";
  const parts = [...names.split(/\s+/), ...names.split(/[\s'-]+/), address, ...address.split(/[@._-]+/)];
  return words.every((word) => parts.some((part) => part.startsWith(word)));
}

function listPeople(context: GraphContext) {
  const query = context.query;
  const select = parseSelect(query, PERSON_SCHEMA);
  const contacts = context.state.dataOf(context.user.id).contacts;
  let people = [...relevance(context).values()]
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .map((candidate) => personOf(candidate, contacts));
  const search = query.get("$search");
  if (search !== null) {
    if (search.replace(/"/g, "").trim() === "")
      throw new GraphFailure(400, "BadRequest", "Syntax error: the $search query is empty.");
    people = people.filter((person) => matchesSearch(person, search.trim()));
  }
  const filterText = query.get("$filter");
  if (filterText !== null) {
    const filter = parseFilter(filterText, PERSON_FILTER, PERSON_SCHEMA);
    people = people.filter((person) => filter.test(person));
  }
  const order = query.get("$orderby");
  if (order !== null) {
    const match = /^\s*displayName(?:\s+(asc|desc))?\s*$/i.exec(order);
    if (!match) throw new GraphFailure(400, "BadRequest", `The people API sorts by displayName only, not '${order}'.`);
    const direction = match[1]?.toLowerCase() === "desc" ? -1 : 1;
    people.sort((a, b) => direction * (a.displayName ?? "").localeCompare(b.displayName ?? ""));
  }
  const top = integerOption(query, "$top", DEFAULT_TOP, 1, MAX_TOP);
  const skip = integerOption(query, "$skip", 0, 0, Number.MAX_SAFE_INTEGER);
  const page = people.slice(skip, skip + top);
  let nextLink: string | undefined;
  if (skip + top < people.length) {
    const next = new URLSearchParams([...query].filter(([name]) => name !== "$skip"));
    next.set("$top", String(top));
    next.set("$skip", String(skip + top));
    const search = [...next]
      .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, "$")}=${encodeURIComponent(value)}`)
      .join("&");
    nextLink = `${context.origin}/v1.0/me/people?${search}`;
  }
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/people${select ? `(${select.join(",")})` : ""}`,
    value: page.map((person) => applySelect({ ...person }, PERSON_SCHEMA, select)),
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
  });
}

export const peopleRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me/people", scopes: ["People.Read", "People.Read.All"], handle: listPeople },
];
