/** Changing the user's Outlook contacts: create, update, delete. */
import type { Contact } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { ToolError } from "../../graph/errors.ts";
import { findMarked, markerProperty } from "../shared/once-marker.ts";
import { defineTool } from "../spec.ts";
import { contactIdInput, contactPath } from "./inputs.ts";

const contactFields = {
  givenName: z.string().trim().min(1).describe("First name"),
  surname: z.string().trim().optional().describe("Last name"),
  emails: z.array(z.email()).max(3).optional().describe("Up to 3 email addresses"),
  businessPhone: z.string().trim().optional().describe("Work phone"),
  mobilePhone: z.string().trim().optional().describe("Mobile phone"),
  company: z.string().trim().optional().describe("Company name"),
  jobTitle: z.string().trim().optional().describe("Job title"),
  department: z.string().trim().optional(),
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
  async run(fields, { graph, once }) {
    const created = await graph.post<Contact>("/me/contacts", { ...contactBody(fields), ...markerProperty(once) });
    return { text: createdText(created, fields.givenName) };
  },
  async reconcile(fields, { graph, once }) {
    const found = await findMarked<Contact>(graph, "/me/contacts", once, "id,displayName", "Contacts.Read");
    return found ? { text: createdText(found, fields.givenName) } : undefined;
  },
});

function createdText(contact: Contact, givenName: string): string {
  return `Created contact "${contact.displayName ?? givenName}" (id: ${contact.id}).`;
}

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
