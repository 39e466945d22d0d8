/** Contacts, people and directory users as a model reads them. */
import type { Contact, PhysicalAddress, Person, User } from "@microsoft/microsoft-graph-types";
import { z } from "zod";

/** "Title, Department, Company", leaving out what is missing. */
export function workOf(...parts: (string | null | undefined)[]): string {
  return parts.filter((part) => part && part.trim()).join(", ");
}

export const contactSummary = z.object({
  id: z.string(),
  name: z.string(),
  emails: z.array(z.string()),
  work: z.string(),
  phone: z.string(),
});
type ContactSummary = z.infer<typeof contactSummary>;

export function emailsOf(contact: Contact): string[] {
  return (contact.emailAddresses ?? []).map((email) => email.address ?? "").filter(Boolean);
}

/** A contact as a listing shows it. */
export function summarizeContact(contact: Contact): ContactSummary {
  return {
    id: contact.id ?? "",
    name: contact.displayName || emailsOf(contact)[0] || "(no name)",
    emails: emailsOf(contact),
    work: workOf(contact.jobTitle, contact.companyName),
    phone: contact.mobilePhone || contact.businessPhones?.[0] || "",
  };
}

/** One numbered listing line: name, emails, work, phone, id. */
export function contactLine(contact: ContactSummary, index: number): string {
  const facts = [contact.emails.length ? `<${contact.emails.join(", ")}>` : "", contact.work, contact.phone];
  return `${index + 1}. ${contact.name} ${facts.filter(Boolean).join(" | ")} | id: ${contact.id}`.replace(/ {2,}/, " ");
}

/** "Business: street, city, ...", or undefined for an empty address. */
export function addressLine(kind: string, address: PhysicalAddress | null | undefined): string | undefined {
  const text = [address?.street, address?.city, address?.state, address?.postalCode, address?.countryOrRegion]
    .filter((part) => part && part.trim())
    .join(", ");
  return text ? `${kind}: ${text}` : undefined;
}

export const personSummary = z.object({ name: z.string(), email: z.string(), work: z.string(), kind: z.string() });
type PersonSummary = z.infer<typeof personSummary>;

const PERSON_KINDS: Record<string, string> = {
  OrganizationUser: "colleague",
  OrganizationContact: "org contact",
  PersonalContact: "contact",
  ImplicitContact: "correspondent",
};

/** A relevant person as searchPeople shows them. */
export function summarizePerson(person: Person): PersonSummary {
  const subclass = person.personType?.subclass ?? "";
  return {
    name: person.displayName ?? "",
    email: person.scoredEmailAddresses?.[0]?.address ?? "",
    work: workOf(person.jobTitle, person.department, person.companyName),
    kind: PERSON_KINDS[subclass] ?? (person.personType?.class ?? "").toLowerCase(),
  };
}

/** A directory user on one line: name, address, work. */
export function userLine(user: User): string {
  return [
    `${user.displayName ?? ""} <${user.mail || user.userPrincipalName || ""}>`,
    workOf(user.jobTitle, user.department, user.officeLocation),
  ]
    .filter(Boolean)
    .join(" | ");
}

export const userSummary = z.object({ id: z.string(), name: z.string(), email: z.string(), work: z.string() });
