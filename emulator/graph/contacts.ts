/**
 * Outlook contacts: /me/contacts (list with $filter, $orderby, $select, $top,
 * $skip, $count; create), /me/contacts/{id} (get, update, delete) and
 * /me/contactFolders. $filter takes what Exchange takes on contacts:
 * comparisons, startswith on names, `emailAddresses/any(a:a/address eq '...')`,
 * joined with and/or.
 */
import type { Contact, EmailAddress, PhysicalAddress } from "@microsoft/microsoft-graph-types";
import { randomBytes } from "node:crypto";
import { stableId } from "../data/random.ts";
import { isoSeconds } from "../data/time.ts";
import type { StoredContact } from "../model.ts";
import { extendedPropertyFilter, readExtendedProperties } from "./extended-properties.ts";
import { queryCollection, type CollectionSpec } from "./odata/collection.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { graphEmpty, graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const READ = ["Contacts.Read", "Contacts.ReadWrite"];
const WRITE = ["Contacts.ReadWrite"];
const NOT_FOUND = "The specified object was not found in the store.";

export const CONTACT_SCHEMA: EntitySchema = {
  type: "microsoft.graph.contact",
  properties: [
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "parentFolderId",
    "birthday",
    "fileAs",
    "displayName",
    "givenName",
    "initials",
    "middleName",
    "nickName",
    "surname",
    "title",
    "yomiGivenName",
    "yomiSurname",
    "yomiCompanyName",
    "generation",
    "imAddresses",
    "jobTitle",
    "companyName",
    "department",
    "officeLocation",
    "profession",
    "businessHomePage",
    "assistantName",
    "manager",
    "homePhones",
    "mobilePhone",
    "businessPhones",
    "spouseName",
    "personalNotes",
    "children",
    "emailAddresses",
    "homeAddress",
    "businessAddress",
    "otherAddress",
  ],
  alwaysSelected: ["id"],
};

const NAME_FUNCTIONS = ["startswith"] as const;

export const CONTACT_COLLECTION: CollectionSpec<StoredContact> = {
  entity: CONTACT_SCHEMA,
  filter: {
    displayName: { kind: "string", functions: NAME_FUNCTIONS },
    givenName: { kind: "string", functions: NAME_FUNCTIONS },
    surname: { kind: "string", functions: NAME_FUNCTIONS },
    companyName: { kind: "string", functions: NAME_FUNCTIONS },
    fileAs: { kind: "string", functions: NAME_FUNCTIONS },
    jobTitle: { kind: "string" },
    department: { kind: "string" },
    parentFolderId: { kind: "string" },
    createdDateTime: { kind: "dateTime" },
    lastModifiedDateTime: { kind: "dateTime" },
    // Exchange: on emailAddresses only `any` with `eq` on address.
    emailAddresses: { kind: "collection", items: { address: { kind: "string" } } },
    categories: { kind: "collection", items: { "": { kind: "string" } } },
  },
  filterOptions: { extended: true },
  sortable: ["displayName", "givenName", "surname", "companyName", "fileAs", "createdDateTime", "lastModifiedDateTime"],
  defaultOrder: [{ property: "displayName", descending: false }],
  defaultTop: 10,
  maxTop: 1000,
};

/** Properties a client may set, by the JSON type Graph expects. */
const WRITABLE: Record<string, "string" | "strings" | "emails" | "address" | "date"> = {
  givenName: "string",
  surname: "string",
  middleName: "string",
  nickName: "string",
  displayName: "string",
  fileAs: "string",
  initials: "string",
  title: "string",
  generation: "string",
  jobTitle: "string",
  companyName: "string",
  department: "string",
  officeLocation: "string",
  profession: "string",
  businessHomePage: "string",
  assistantName: "string",
  manager: "string",
  mobilePhone: "string",
  spouseName: "string",
  personalNotes: "string",
  yomiGivenName: "string",
  yomiSurname: "string",
  yomiCompanyName: "string",
  birthday: "date",
  businessPhones: "strings",
  homePhones: "strings",
  imAddresses: "strings",
  categories: "strings",
  children: "strings",
  emailAddresses: "emails",
  homeAddress: "address",
  businessAddress: "address",
  otherAddress: "address",
};

const ADDRESS_FIELDS = ["street", "city", "state", "postalCode", "countryOrRegion"];
/** Outlook keeps three email addresses, two business and two home phones per contact. */
const LIMITS: Record<string, number> = { emailAddresses: 3, businessPhones: 2, homePhones: 2 };

function folderIdOf(context: GraphContext): string {
  return stableId("AQMkADAwATM0MDAAMS1", context.user.id, "folder", "contacts");
}

function contactsOf(context: GraphContext): StoredContact[] {
  return context.state.dataOf(context.user.id).contacts;
}

function findContact(context: GraphContext): StoredContact {
  const id = context.params.contactId ?? "";
  if (!/^[A-Za-z0-9_=+/-]+$/.test(id)) throw new GraphFailure(400, "ErrorInvalidIdMalformed", "Id is malformed.");
  const contact = contactsOf(context).find((candidate) => candidate.id === id);
  if (!contact) throw new GraphFailure(404, "ErrorItemNotFound", NOT_FOUND);
  return contact;
}

function metadata(context: GraphContext, path: string): string {
  return `${context.origin}/v1.0/$metadata#users('${context.user.id}')/${path}`;
}

function selection(select: readonly string[] | undefined): string {
  return select ? `(${select.join(",")})` : "";
}

function present(contact: StoredContact, select: readonly string[] | undefined): Record<string, unknown> {
  const { singleValueExtendedProperties: _extended, ...shown } = contact;
  return applySelect({ "@odata.etag": `W/"${contact.changeKey}"`, ...structuredClone(shown) }, CONTACT_SCHEMA, select);
}

function badBody(message: string): GraphFailure {
  return new GraphFailure(400, "RequestBodyRead", message);
}

function readBody(context: GraphContext): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(context.request.body.toString("utf8") || "null");
  } catch {
    throw badBody("The request body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badBody("The request body must be a JSON object (a microsoft.graph.contact).");
  }
  return body as Record<string, unknown>;
}

/** The contact fields of a POST or PATCH body, checked as Graph checks them. */
function writableFields(body: Record<string, unknown>): Partial<Contact> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith("@odata.")) continue;
    const kind = WRITABLE[name];
    if (!kind) {
      if (CONTACT_SCHEMA.properties.includes(name)) continue; // read-only properties are ignored
      throw badBody(
        `The property '${name}' does not exist on type 'microsoft.graph.contact'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
    const mismatch = () => badBody(`Cannot convert the literal '${JSON.stringify(value)}' for the property '${name}'.`);
    if (value === null) {
      fields[name] = kind === "strings" || kind === "emails" ? [] : kind === "address" ? {} : null;
      continue;
    }
    switch (kind) {
      case "string":
        if (typeof value !== "string") throw mismatch();
        fields[name] = value;
        break;
      case "date":
        if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw mismatch();
        fields[name] = isoSeconds(Date.parse(value));
        break;
      case "strings":
        if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw mismatch();
        fields[name] = [...value];
        break;
      case "emails": {
        if (!Array.isArray(value)) throw mismatch();
        fields[name] = value.map((item) => {
          const entry = item as EmailAddress;
          if (typeof entry !== "object" || entry === null || typeof entry.address !== "string") throw mismatch();
          return { name: typeof entry.name === "string" ? entry.name : entry.address, address: entry.address };
        });
        break;
      }
      case "address": {
        if (typeof value !== "object" || Array.isArray(value)) throw mismatch();
        const address: PhysicalAddress = {};
        for (const [field, part] of Object.entries(value as Record<string, unknown>)) {
          if (!ADDRESS_FIELDS.includes(field) || (typeof part !== "string" && part !== null)) throw mismatch();
          if (typeof part === "string") (address as Record<string, string>)[field] = part;
        }
        fields[name] = address;
        break;
      }
    }
    const limit = LIMITS[name];
    if (limit !== undefined && (fields[name] as unknown[]).length > limit) {
      throw new GraphFailure(400, "ErrorInvalidArgument", `A contact can have at most ${limit} ${name}.`);
    }
  }
  return fields as Partial<Contact>;
}

/** Outlook's derived names: displayName and fileAs from the name parts when not given. */
function deriveNames(contact: StoredContact): void {
  const parts = [contact.givenName, contact.middleName, contact.surname].filter(Boolean).join(" ");
  if (!contact.displayName)
    contact.displayName = parts || contact.companyName || contact.emailAddresses?.[0]?.address || "";
  if (!contact.fileAs) {
    contact.fileAs =
      contact.surname && contact.givenName ? `${contact.surname}, ${contact.givenName}` : contact.displayName;
  }
}

function newChangeKey(): string {
  return randomBytes(30).toString("base64url").slice(0, 40);
}

function createContact(context: GraphContext) {
  // Extended properties may be set when the contact is created (and are then returned only when asked for).
  const { singleValueExtendedProperties, ...body } = readBody(context);
  const extended = readExtendedProperties(singleValueExtendedProperties);
  const fields = writableFields(body);
  const now = isoSeconds(Date.now());
  const contact: StoredContact = {
    id: `AAMkAGI2${randomBytes(90).toString("base64url")}AAA=`,
    createdDateTime: now,
    lastModifiedDateTime: now,
    changeKey: newChangeKey(),
    categories: [],
    parentFolderId: folderIdOf(context),
    birthday: null,
    fileAs: "",
    displayName: "",
    givenName: null,
    initials: null,
    middleName: null,
    nickName: null,
    surname: null,
    title: null,
    generation: null,
    imAddresses: [],
    jobTitle: null,
    companyName: null,
    department: null,
    officeLocation: null,
    profession: null,
    businessHomePage: null,
    assistantName: null,
    manager: null,
    homePhones: [],
    mobilePhone: null,
    businessPhones: [],
    spouseName: null,
    personalNotes: "",
    children: [],
    emailAddresses: [],
    homeAddress: {},
    businessAddress: {},
    otherAddress: {},
    ...fields,
    ...(extended.length ? { singleValueExtendedProperties: extended } : {}),
  };
  deriveNames(contact);
  contactsOf(context).push(contact);
  return graphJson(
    context.request,
    201,
    { "@odata.context": metadata(context, "contacts/$entity"), ...present(contact, undefined) },
    { Location: `${context.origin}/v1.0/users('${context.user.id}')/contacts('${contact.id}')` },
  );
}

function updateContact(context: GraphContext) {
  const contact = findContact(context);
  const fields = writableFields(readBody(context));
  const renamed = ["givenName", "surname", "middleName"].some((name) => name in fields);
  Object.assign(contact, fields);
  if (renamed && !("displayName" in fields)) contact.displayName = "";
  if (renamed && !("fileAs" in fields)) contact.fileAs = "";
  deriveNames(contact);
  contact.lastModifiedDateTime = isoSeconds(Date.now());
  contact.changeKey = newChangeKey();
  return graphJson(context.request, 200, {
    "@odata.context": metadata(context, "contacts/$entity"),
    ...present(contact, undefined),
  });
}

export const contactRoutes: readonly GraphRoute[] = [
  {
    method: "GET",
    path: "/me/contacts",
    scopes: READ,
    handle(context) {
      const select = parseSelect(context.query, CONTACT_SCHEMA);
      const marked = extendedPropertyFilter(context.request);
      const contacts = marked ? contactsOf(context).filter((contact) => marked.test(contact)) : contactsOf(context);
      const page = queryCollection(marked?.rest ?? context.request, contacts, CONTACT_COLLECTION);
      if (marked) page.nextLink = marked.nextLink(page.nextLink);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `contacts${selection(select)}`),
        ...(page.count !== undefined ? { "@odata.count": page.count } : {}),
        value: page.items.map((contact) => present(contact, select)),
        ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      });
    },
  },
  { method: "POST", path: "/me/contacts", scopes: WRITE, handle: createContact },
  {
    method: "GET",
    path: "/me/contacts/{contactId}",
    scopes: READ,
    handle(context) {
      const contact = findContact(context);
      const select = parseSelect(context.query, CONTACT_SCHEMA);
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, `contacts${selection(select)}/$entity`),
        ...present(contact, select),
      });
    },
  },
  { method: "PATCH", path: "/me/contacts/{contactId}", scopes: WRITE, handle: updateContact },
  {
    method: "DELETE",
    path: "/me/contacts/{contactId}",
    scopes: WRITE,
    handle(context) {
      const contact = findContact(context);
      const contacts = contactsOf(context);
      contacts.splice(contacts.indexOf(contact), 1);
      return graphEmpty(context.request, 204);
    },
  },
  {
    method: "GET",
    path: "/me/contactFolders",
    scopes: READ,
    handle(context) {
      return graphJson(context.request, 200, {
        "@odata.context": metadata(context, "contactFolders"),
        value: [
          {
            id: folderIdOf(context),
            displayName: "Contacts",
            parentFolderId: stableId("AQMkADAwATM0MDAAMS1", context.user.id, "folder", "msgfolderroot"),
          },
        ],
      });
    },
  },
];
