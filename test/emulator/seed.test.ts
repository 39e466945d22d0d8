import type { Message } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDayStart, seedTenant } from "../../emulator/seed.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { ADELE, ALEX, DEMO_USERS, MEGAN } from "../../emulator/tenant.ts";
import { graphJson, signIn } from "./helpers.ts";

const DAY = 86_400_000;

describe("seed determinism", () => {
  let first: RunningEmulator;
  let second: RunningEmulator;
  beforeAll(async () => {
    [first, second] = await Promise.all([startEmulator({ port: 0 }), startEmulator({ port: 0 })]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  async function snapshot(emulator: RunningEmulator, user: string) {
    const token = (await signIn(emulator.url, user)).access_token;
    const messages = await graphJson<{ value: Message[] }>(
      emulator.url,
      token,
      "/me/messages?$top=1000&$select=subject,receivedDateTime,isRead,conversationId",
    );
    const folders = await graphJson<{ value: { id: string; totalItemCount: number }[] }>(
      emulator.url,
      token,
      "/me/mailFolders",
    );
    return { messages: messages.value, folders: folders.value };
  }

  it("gives two emulators the same users, folders, messages and ids", async () => {
    for (const user of ["adele@contoso.example", "alex@contoso.example"]) {
      const [a, b] = await Promise.all([snapshot(first, user), snapshot(second, user)]);
      expect(a.messages.length).toBeGreaterThan(100);
      expect(b).toEqual(a);
    }
  });

  it("builds the same data for the same day, and a fresh copy each time", () => {
    const now = Date.now();
    const one = seedTenant(now);
    const two = seedTenant(now);
    const adeleOne = one.get(ADELE.id)!.mailbox;
    const adeleTwo = two.get(ADELE.id)!.mailbox;
    expect([...adeleTwo.messages.keys()]).toEqual([...adeleOne.messages.keys()]);
    const [id, message] = [...adeleOne.messages][0]!;
    message.isRead = !message.isRead;
    expect(adeleTwo.messages.get(id)!.isRead).toBe(!message.isRead);
  });
});

describe("seed content", () => {
  const now = Date.now();
  const dayStart = seedDayStart(now);
  const tenant = seedTenant(now);

  it("gives every demo user a mailbox of a few hundred messages, Adele at least 300", () => {
    expect(tenant.get(ADELE.id)!.mailbox.messages.size).toBeGreaterThanOrEqual(300);
    for (const user of DEMO_USERS) {
      expect(tenant.get(user.id)!.mailbox.messages.size, user.mail).toBeGreaterThanOrEqual(150);
    }
  });

  it("fills every folder a user reads, with mail from colleagues, partners and services", () => {
    const { folders, messages } = tenant.get(MEGAN.id)!.mailbox;
    const counts = new Map<string, number>();
    for (const message of messages.values()) {
      const folder = folders.find((candidate) => candidate.id === message.parentFolderId)!;
      counts.set(folder.displayName, (counts.get(folder.displayName) ?? 0) + 1);
    }
    for (const name of ["Inbox", "Sent Items", "Drafts", "Archive", "Deleted Items", "Junk Email", "Projects"]) {
      expect(counts.get(name), name).toBeGreaterThan(0);
    }
    const senders = new Set(
      [...messages.values()].map((message) => message.from!.emailAddress!.address!.split("@")[1]),
    );
    expect(senders.has("contoso.example")).toBe(true);
    expect(senders.size).toBeGreaterThan(5);
  });

  it("dates mail before the start of today, recent mail included", () => {
    const times = [...tenant.get(ADELE.id)!.mailbox.messages.values()].map((message) =>
      Date.parse(message.receivedDateTime),
    );
    expect(Math.max(...times)).toBeLessThan(dayStart);
    expect(times.filter((time) => time > dayStart - 2 * DAY).length).toBeGreaterThan(3);
    expect(Math.min(...times)).toBeGreaterThan(dayStart - 160 * DAY);
  });

  it("seeds calendars with meetings today and contacts for every user", () => {
    for (const user of [ADELE, MEGAN, ALEX]) {
      const { events, contacts } = tenant.get(user.id)!;
      const today = events.filter((event) => {
        const start = Date.parse(`${event.start!.dateTime!.slice(0, 19)}Z`);
        return start >= dayStart && start < dayStart + DAY;
      });
      expect(today.length, user.mail).toBeGreaterThanOrEqual(2);
      expect(
        events.every((event) => event.start!.timeZone === "UTC" && event.originalStartTimeZone === user.timeZone),
      ).toBe(true);
      expect(events.some((event) => event.isOnlineMeeting && event.onlineMeeting?.joinUrl)).toBe(true);
      expect(events.some((event) => event.isAllDay)).toBe(true);
      expect(contacts.length).toBeGreaterThanOrEqual(8);
      expect(contacts.map((contact) => contact.emailAddresses![0]!.address)).not.toContain(user.mail);
    }
  });
});
