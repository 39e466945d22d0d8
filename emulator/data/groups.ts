/**
 * The tenant's Microsoft 365 groups: members, a group mailbox with
 * conversation threads and their posts, a group calendar, and the group's
 * team site library as its drive (Marketing and Sales, the SharePoint sites
 * seeded in drive.ts). A group's mailbox and calendar are stored like a
 * user's, under the group's id, so the calendar routes serve them.
 */
import type { Recipient } from "@microsoft/microsoft-graph-types";
import { escapeHtml, htmlDocument } from "../html-text.ts";
import type { UserData } from "../model.ts";
import { ADELE, ALEX, MEGAN, TENANT_DOMAIN, type DemoUser } from "../tenant.ts";
import { seedCalendar } from "./calendar.ts";
import { seedDrive } from "./drive.ts";
import { seedMailbox } from "./mail.ts";
import { stableGuid, stableId } from "./random.ts";
import { HOUR, isoSeconds } from "./time.ts";

export interface StoredPost {
  id: string;
  from: Recipient;
  sender: Recipient;
  receivedDateTime: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
  hasAttachments: boolean;
  conversationId: string;
  conversationThreadId: string;
  newParticipants: Recipient[];
  body: { contentType: "html" | "text"; content: string };
}

export interface StoredGroupThread {
  id: string;
  topic: string;
  hasAttachments: boolean;
  lastDeliveredDateTime: string;
  uniqueSenders: string[];
  isLocked: boolean;
  preview: string;
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  posts: StoredPost[];
}

export interface StoredGroup {
  id: string;
  displayName: string;
  description: string;
  mail: string;
  mailNickname: string;
  visibility: "Private" | "Public";
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  createdDateTime: string;
  /** Member user ids. */
  members: string[];
  /** The SharePoint site (drive.ts) whose first library is the group's drive. */
  siteName: string;
  threads: StoredGroupThread[];
}

interface GroupPlan {
  name: string;
  description: string;
  visibility: StoredGroup["visibility"];
  members: DemoUser[];
  threads: { topic: string; posts: { by: DemoUser; text: string; hoursAgo: number }[] }[];
}

const PLANS: readonly GroupPlan[] = [
  {
    name: "Marketing",
    description: "The marketing team: campaigns, launches and the brand.",
    visibility: "Private",
    members: [ADELE, MEGAN],
    threads: [
      {
        topic: "Mark 8 launch checklist",
        posts: [
          { by: MEGAN, text: "Launch is in three weeks. Who owns the press kit and the landing page?", hoursAgo: 30 },
          { by: ADELE, text: "I have the press kit; the landing page copy is with the agency.", hoursAgo: 28 },
        ],
      },
      {
        topic: "Offsite agenda",
        posts: [
          { by: ADELE, text: "Draft agenda for the offsite is in Files. Comments by Friday please.", hoursAgo: 4 },
        ],
      },
    ],
  },
  {
    name: "Sales",
    description: "Sales playbooks, pricing and pipeline reviews.",
    visibility: "Private",
    members: [MEGAN, ALEX],
    threads: [
      {
        topic: "Q3 pipeline review",
        posts: [
          { by: ALEX, text: "The Q3 pipeline deck is ready for review; Northwind moved to commit.", hoursAgo: 20 },
          { by: MEGAN, text: "Thanks, let's walk through it on Thursday.", hoursAgo: 18 },
        ],
      },
    ],
  },
];

/** A group as the calendar and mailbox stores see it: an owner with an address and a time zone. */
export function groupOwner(group: StoredGroup): DemoUser {
  return {
    id: group.id,
    displayName: group.displayName,
    givenName: "",
    surname: "",
    mail: group.mail,
    userPrincipalName: group.mail,
    jobTitle: "",
    department: "",
    officeLocation: "",
    city: "",
    country: "",
    mobilePhone: "",
    businessPhones: [],
    preferredLanguage: "en-US",
    timeZone: "Pacific Standard Time",
    utcOffsetHours: -8,
  };
}

function recipientOf(user: { displayName: string; mail: string }): Recipient {
  return { emailAddress: { name: user.displayName, address: user.mail } };
}

export function newPost(
  group: StoredGroup,
  thread: { id: string; conversationId: string },
  by: Recipient,
  html: string,
  at: number,
  key: (string | number)[],
): StoredPost {
  const when = isoSeconds(at);
  return {
    id: stableId("AAMkAGI2", group.id, "post", ...key),
    from: by,
    sender: by,
    receivedDateTime: when,
    createdDateTime: when,
    lastModifiedDateTime: when,
    changeKey: stableId("", group.id, "post-change", ...key).slice(0, 40),
    categories: [],
    hasAttachments: false,
    conversationId: thread.conversationId,
    conversationThreadId: thread.id,
    newParticipants: [],
    body: { contentType: "html", content: htmlDocument(html) },
  };
}

/** The tenant's groups for the seed day starting at `dayStart`. */
export function seedGroups(dayStart: number): StoredGroup[] {
  return PLANS.map((plan) => {
    const group: StoredGroup = {
      id: stableGuid("group", plan.name),
      displayName: plan.name,
      description: plan.description,
      mail: `${plan.name.toLowerCase()}@${TENANT_DOMAIN}`,
      mailNickname: plan.name.toLowerCase(),
      visibility: plan.visibility,
      groupTypes: ["Unified"],
      mailEnabled: true,
      securityEnabled: false,
      createdDateTime: isoSeconds(dayStart - 800 * 24 * HOUR),
      members: plan.members.map((member) => member.id),
      siteName: plan.name,
      threads: [],
    };
    const to = recipientOf(group);
    group.threads = plan.threads.map((planned, index) => {
      const thread = {
        id: stableId("AAQkAGI2", group.id, "thread", index),
        conversationId: stableId("AAQkAGI2", group.id, "conversation", index),
      };
      const posts = planned.posts.map((post, postIndex) =>
        newPost(
          group,
          thread,
          recipientOf(post.by),
          `<p>${escapeHtml(post.text)}</p>`,
          dayStart - post.hoursAgo * HOUR + 8 * HOUR,
          [index, postIndex],
        ),
      );
      const last = planned.posts[planned.posts.length - 1]!;
      return {
        id: thread.id,
        topic: planned.topic,
        hasAttachments: false,
        lastDeliveredDateTime: posts[posts.length - 1]!.receivedDateTime,
        uniqueSenders: [...new Set(planned.posts.map((post) => post.by.displayName))],
        isLocked: false,
        preview: last.text,
        toRecipients: [to],
        ccRecipients: [],
        posts,
      };
    });
    return group;
  });
}

/** Each group's mailbox and calendar, stored like a user's under the group id. */
export function seedGroupMailboxes(groups: readonly StoredGroup[], dayStart: number): [string, UserData][] {
  return groups.map((group) => {
    const owner = groupOwner(group);
    const { calendars, events } = seedCalendar(owner, dayStart);
    const calendar = calendars.find((candidate) => candidate.isDefaultCalendar)!;
    return [
      group.id,
      {
        mailbox: { folders: seedMailbox(owner, dayStart).folders, messages: new Map() },
        calendars: [calendar],
        // A few of the seeded meetings, as the group's own calendar.
        events: events
          .filter((event) => event.calendarId === calendar.id && event.type === "singleInstance")
          .slice(0, 6),
        contacts: [],
        todo: { lists: [] },
        drive: seedDrive(owner, dayStart),
      },
    ];
  });
}
