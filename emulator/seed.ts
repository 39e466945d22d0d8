/**
 * The demo tenant's data: every user's mailbox, calendar and contacts. The
 * same on every start; dates are laid out around the start of the current UTC
 * day, so recent mail looks recent and today's meetings are today.
 */
import { seedCalendar } from "./data/calendar.ts";
import { seedContacts } from "./data/contacts.ts";
import { copyDrive, seedDrive } from "./data/drive.ts";
import { seedMailbox } from "./data/mail.ts";
import { seedGroupMailboxes, seedGroups } from "./data/groups.ts";
import { seedSharedMailboxes } from "./data/shared-mailboxes.ts";
import { seedTodo } from "./data/todo.ts";
import type { UserData } from "./model.ts";
import { DEMO_USERS } from "./tenant.ts";
import { DAY } from "./data/time.ts";

/** The seed of one day, built once: building it takes a while (attachments), copying it does not. */
let cached: { dayStart: number; users: ReadonlyMap<string, UserData> } | undefined;

/** Midnight UTC of the day `now` falls in: the reference instant of the seed. */
export function seedDayStart(now: number): number {
  return Math.floor(now / DAY) * DAY;
}

function copy(data: UserData): UserData {
  return {
    mailbox: {
      folders: structuredClone(data.mailbox.folders),
      messages: new Map(
        [...data.mailbox.messages].map(([id, message]) => {
          const { attachments, ...rest } = message;
          // Attachments are never mutated, so the copies share them (and their large contents).
          return [id, { ...structuredClone(rest), attachments: [...attachments] }];
        }),
      ),
    },
    events: structuredClone(data.events),
    calendars: structuredClone(data.calendars),
    contacts: structuredClone(data.contacts),
    todo: structuredClone(data.todo),
    drive: copyDrive(data.drive),
  };
}

/** A fresh copy of every demo user's data, keyed by user id, for the day of `now`. */
export function seedTenant(now = Date.now()): Map<string, UserData> {
  const dayStart = seedDayStart(now);
  if (cached?.dayStart !== dayStart) {
    const users = new Map<string, UserData>([
      ...DEMO_USERS.map((user): [string, UserData] => [
        user.id,
        {
          mailbox: seedMailbox(user, dayStart),
          ...seedCalendar(user, dayStart),
          contacts: seedContacts(user, dayStart),
          todo: seedTodo(user, dayStart),
          drive: seedDrive(user, dayStart),
        },
      ]),
      ...seedSharedMailboxes(dayStart),
      ...seedGroupMailboxes(seedGroups(dayStart), dayStart),
    ]);
    cached = { dayStart, users };
  }
  return new Map([...cached.users].map(([userId, data]) => [userId, copy(data)]));
}
