/**
 * Mailboxes beyond one's own: the tenant's shared mailbox (support@) and the
 * Exchange rights demo users hold on other mailboxes. Exchange keeps these
 * rights (Full Access, Send As, Send on Behalf, folder permissions on a
 * delegate's calendar); Graph enforces them on /users/{id | upn}/... and
 * offers no API to list them (README: "Shared and delegated mailboxes").
 */
import type { Recipient } from "@microsoft/microsoft-graph-types";
import { bodyPreview, escapeHtml, htmlDocument } from "../html-text.ts";
import type { Mailbox, StoredMessage, UserData } from "../model.ts";
import { ADELE, findUser, MEGAN, TENANT_DOMAIN, type DemoUser } from "../tenant.ts";
import { seedCalendar } from "./calendar.ts";
import { seedDrive } from "./drive.ts";
import { seedMailbox } from "./mail.ts";
import { stableId } from "./random.ts";
import { HOUR, isoSeconds } from "./time.ts";

/** A shared mailbox is a user object without a sign-in: nobody can sign in as it. */
export const SUPPORT: DemoUser = {
  id: "7d4f6e41-b28a-4b5d-8f40-00000000d004",
  displayName: "Contoso Support",
  givenName: "",
  surname: "",
  mail: `support@${TENANT_DOMAIN}`,
  userPrincipalName: `support@${TENANT_DOMAIN}`,
  jobTitle: "",
  department: "Customer Support",
  officeLocation: "",
  city: "",
  country: "",
  mobilePhone: "",
  businessPhones: [],
  preferredLanguage: "en-US",
  timeZone: "Pacific Standard Time",
  utcOffsetHours: -8,
};

export const SHARED_MAILBOXES: readonly DemoUser[] = [SUPPORT];

/**
 * What one user may do in another's mailbox. `calendar` is a folder
 * permission on the owner's calendar alone (Outlook's delegate access).
 */
export interface MailboxRights {
  fullAccess?: boolean;
  sendAs?: boolean;
  sendOnBehalf?: boolean;
  calendar?: "reviewer" | "editor";
}

/** Rights by mailbox owner id, then by the user holding them. */
const RIGHTS: Record<string, Record<string, MailboxRights>> = {
  // Adele works the support queue and answers as support@; Megan reads it but may not send from it; Alex has no access.
  [SUPPORT.id]: {
    [ADELE.id]: { fullAccess: true, sendAs: true },
    [MEGAN.id]: { fullAccess: true },
  },
  // Megan is the delegate of Adele's calendar (editor, send on behalf); Adele's mail stays hers.
  [ADELE.id]: {
    [MEGAN.id]: { calendar: "editor", sendOnBehalf: true },
  },
};

/** The rights `user` holds on the mailbox of `owner`; everything when it is their own. */
export function rightsOn(owner: DemoUser, user: DemoUser): MailboxRights {
  if (owner.id === user.id) return { fullAccess: true, sendAs: true, calendar: "editor" };
  return RIGHTS[owner.id]?.[user.id] ?? {};
}

/** A mailbox owner (a demo user or a shared mailbox) by object id or user principal name. */
export function findMailboxOwner(idOrUpn: string): DemoUser | undefined {
  const key = idOrUpn.toLowerCase();
  const shared = SHARED_MAILBOXES.find((mailbox) => mailbox.id === key || mailbox.userPrincipalName === key);
  if (shared) return shared;
  const user = findUser(key);
  return user && (user.id === key || user.userPrincipalName === key) ? user : undefined;
}

/** A mailbox owner by SMTP address (a message's `from`). */
export function mailboxByAddress(address: string): DemoUser | undefined {
  const key = address.toLowerCase();
  return SHARED_MAILBOXES.find((mailbox) => mailbox.mail === key) ?? findUser(key);
}

const TICKETS: readonly { from: Recipient; subject: string; text: string; hoursAgo: number }[] = [
  {
    from: { emailAddress: { name: "Jordan Reyes", address: "jordan.reyes@fabrikam.example" } },
    subject: "Ticket 4411: cannot sign in to the partner portal",
    text: "Since this morning the partner portal says my account is locked. Could you unlock it? Order 88213 is waiting.",
    hoursAgo: 2,
  },
  {
    from: { emailAddress: { name: "Priya Nair", address: "priya.nair@tailspin.example" } },
    subject: "Ticket 4412: invoice INV-2291 shows the wrong VAT number",
    text: "Our VAT number on invoice INV-2291 is missing a digit. Please send a corrected invoice.",
    hoursAgo: 5,
  },
  {
    from: { emailAddress: { name: "Sam Okafor", address: "sam.okafor@northwind.example" } },
    subject: "Ticket 4413: Mark 8 docking station not detected",
    text: "The Mark 8 docking station is not detected after the latest firmware update. Is there a fix?",
    hoursAgo: 26,
  },
  {
    from: { emailAddress: { name: "Lena Fischer", address: "lena.fischer@woodgrove.example" } },
    subject: "Ticket 4414: request for a product demo",
    text: "We would like a demo of the Mark 8 for our sales team next week. Who can we talk to?",
    hoursAgo: 50,
  },
];

/** support@'s inbox: customer tickets, unread, newest first. */
function supportMailbox(dayStart: number): Mailbox {
  const { folders } = seedMailbox(SUPPORT, dayStart);
  const inbox = folders.find((folder) => folder.wellKnownName === "inbox")!;
  const to: Recipient = { emailAddress: { name: SUPPORT.displayName, address: SUPPORT.mail } };
  const messages = new Map<string, StoredMessage>();
  TICKETS.forEach((ticket, index) => {
    const at = isoSeconds(dayStart - ticket.hoursAgo * HOUR + 8 * HOUR);
    const id = stableId("AAMkAGI2", SUPPORT.id, "ticket", index);
    messages.set(id, {
      id,
      createdDateTime: at,
      lastModifiedDateTime: at,
      receivedDateTime: at,
      sentDateTime: at,
      changeKey: stableId("", SUPPORT.id, "ticket-change", index).slice(0, 40),
      categories: [],
      hasAttachments: false,
      internetMessageId: `<${stableId("", SUPPORT.id, "ticket-internet", index).slice(0, 32)}@mail.example>`,
      subject: ticket.subject,
      bodyPreview: bodyPreview(ticket.text),
      importance: "normal",
      parentFolderId: inbox.id,
      conversationId: stableId("AAQkAGI2", SUPPORT.id, "ticket", index),
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      isRead: false,
      isDraft: false,
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      inferenceClassification: "focused",
      body: { contentType: "html", content: htmlDocument(`<p>${escapeHtml(ticket.text)}</p>`) },
      sender: ticket.from,
      from: ticket.from,
      toRecipients: [to],
      ccRecipients: [],
      bccRecipients: [],
      replyTo: [],
      flag: { flagStatus: "notFlagged" },
      attachments: [],
    });
  });
  return { folders, messages };
}

/** The seeded data of each shared mailbox, by its id. */
export function seedSharedMailboxes(dayStart: number): [string, UserData][] {
  const calendars = seedCalendar(SUPPORT, dayStart).calendars.filter((calendar) => calendar.isDefaultCalendar);
  return [
    [
      SUPPORT.id,
      {
        mailbox: supportMailbox(dayStart),
        events: [],
        calendars,
        contacts: [],
        todo: { lists: [] },
        drive: seedDrive(SUPPORT, dayStart),
      },
    ],
  ];
}
