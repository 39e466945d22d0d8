import type { Event, Message } from "@microsoft/microsoft-graph-types";
import type { McpServer, PromptCallback } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  ListPromptsRequestSchema,
  type GetPromptResult,
  type Icon,
  type ListPromptsResult,
  type Prompt,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { GraphError } from "../graph/errors.ts";
import { MCP_ICONS } from "../shared/icon.ts";
import { WORKLOAD_MCP_ICONS } from "../shared/workload-icons.ts";
import type { ToolContext } from "./spec.ts";
import { clip, formatAddress, shortDateTime } from "./shared/format.ts";
import { mailboxTimeZone } from "./shared/mailbox-time-zone.ts";

function userMessage(text: string): GetPromptResult {
  return { messages: [{ role: "user", content: { type: "text", text } }] };
}

/** How many items a prompt argument asks for, within bounds; prompt arguments arrive as strings. */
function boundedCount(value: string | undefined, fallback: number, max: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? Math.min(parsed, max) : fallback;
}

interface Briefing {
  events: string[];
  mail: string[];
  unavailable: string[];
}

/**
 * The next 24 hours of meetings and unread important mail, read in one
 * Graph round trip ($batch), rendered compactly for the model.
 */
async function briefingData(context: ToolContext): Promise<Briefing> {
  const now = new Date();
  const end = new Date(now.getTime() + 24 * 60 * 60 * 1000);
  const timeZone = await mailboxTimeZone(context);
  const answers = await context.graph
    .batch([
      {
        id: "events",
        path: "/me/calendarView",
        query: {
          startDateTime: now.toISOString(),
          endDateTime: end.toISOString(),
          $select: "subject,start,end,location,organizer,isOnlineMeeting,responseStatus,isCancelled",
          $orderby: "start/dateTime",
          $top: 25,
        },
        headers: { Prefer: `outlook.timezone="${timeZone}"` },
      },
      {
        id: "mail",
        path: "/me/mailFolders/inbox/messages",
        query: {
          $filter: "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false and importance eq 'high'",
          $orderby: "receivedDateTime desc",
          $select: "id,subject,from,receivedDateTime,bodyPreview",
          $top: 15,
        },
      },
    ])
    // Graph unavailable even after retries: the briefing says what it could not read.
    .catch(() => undefined);
  const unavailable: string[] = [];
  const events = answers?.get("events");
  const mail = answers?.get("mail");
  if (!events || events instanceof GraphError) unavailable.push("calendar");
  if (!mail || mail instanceof GraphError) unavailable.push("mail");
  const eventLines =
    events && !(events instanceof GraphError)
      ? (events as { value: Event[] }).value
          .filter((event) => !event.isCancelled)
          .map((event) => {
            const start = event.start?.dateTime?.slice(0, 16).replace("T", " ") ?? "";
            const endTime = event.end?.dateTime?.slice(11, 16) ?? "";
            const where = event.location?.displayName ? ` @ ${event.location.displayName}` : "";
            const online = event.isOnlineMeeting ? " [online]" : "";
            const response = event.responseStatus?.response;
            const mine = response && response !== "none" && response !== "organizer" ? ` (${response})` : "";
            return `${start}-${endTime} ${event.subject ?? "(no subject)"}${where}${online}${mine}; organizer ${formatAddress(event.organizer?.emailAddress)}`;
          })
      : [];
  const mailLines =
    mail && !(mail instanceof GraphError)
      ? (mail as { value: Message[] }).value.map(
          (message) =>
            `${shortDateTime(message.receivedDateTime)} ${formatAddress(message.from?.emailAddress)}: ${message.subject ?? "(no subject)"}: ${clip(message.bodyPreview, 120)} (id ${message.id})`,
        )
      : [];
  return { events: eventLines, mail: mailLines, unavailable };
}

/** A prompt's arguments as prompts/list shows them: described, and required unless optional. */
function promptArguments(shape: Record<string, z.ZodType>): Prompt["arguments"] {
  return Object.entries(shape).map(([name, field]) => ({
    name,
    description: field.description,
    required: !field.safeParse(undefined).success,
  }));
}

/**
 * Prompts for common jobs, phrased as instructions to the model using this
 * server's tools. The server answers prompts/list itself: the SDK's
 * registerPrompt drops `icons` (typescript-sdk#2054), and each prompt
 * carries the icon of the workload it concerns.
 */
export function registerPrompts(server: McpServer, context?: () => ToolContext): void {
  const listed: Prompt[] = [];
  const registerPrompt = <Args extends Record<string, z.ZodType>>(
    name: string,
    config: { title: string; description: string; argsSchema?: Args; icons: Icon[] },
    callback: PromptCallback<Args>,
  ) => {
    const { icons, ...sdkConfig } = config;
    server.registerPrompt(name, sdkConfig, callback);
    listed.push({
      name,
      title: config.title,
      description: config.description,
      ...(config.argsSchema ? { arguments: promptArguments(config.argsSchema) } : {}),
      icons,
    });
  };

  registerPrompt(
    "triageInbox",
    {
      title: "Triage my inbox",
      description: "Sort unread mail into what needs a reply, what to read, and what can wait",
      argsSchema: { count: z.string().optional().describe("How many unread messages to look at (default 20)") },
      icons: WORKLOAD_MCP_ICONS.mail,
    },
    ({ count }) =>
      userMessage(
        `Call getEmails with unreadOnly=true and count=${boundedCount(count, 20, 50)}. Group the messages into: needs my reply, worth reading, can wait. For each, give sender, subject and one line on why. Do not send, move or change anything.`,
      ),
  );

  registerPrompt(
    "dailyBriefing",
    {
      title: "Daily briefing",
      description: "The next 24 hours of meetings and unread important mail, summarised",
      // Calendar and mail both: the server's own icon.
      icons: MCP_ICONS,
    },
    async () => {
      const instructions =
        "Write my briefing: first the meetings in time order (flag conflicts, meetings I have not answered, and ones that need preparation), then the important unread mail (who needs what from me). Keep it short. Do not send or change anything.";
      if (!context) {
        return userMessage(
          `Call getCalendarEvents for the next 24 hours and getEmails with unreadOnly=true, then: ${instructions}`,
        );
      }
      const data = await briefingData(context());
      const sections = [
        `Meetings in the next 24 hours (${data.events.length}):`,
        ...(data.events.length ? data.events : ["none"]),
        "",
        `Unread high-importance mail (${data.mail.length}):`,
        ...(data.mail.length ? data.mail : ["none"]),
        ...(data.unavailable.length ? ["", `Could not read: ${data.unavailable.join(", ")}.`] : []),
        "",
        instructions,
      ];
      return userMessage(sections.join("\n"));
    },
  );

  registerPrompt(
    "scheduleMeeting",
    {
      title: "Schedule a meeting",
      description: "Find a time that suits everyone and send the invitation after you confirm",
      argsSchema: {
        attendees: z.string().describe("Who to meet: names or email addresses, comma-separated"),
        topic: z.string().describe("What the meeting is about"),
        duration: z.string().optional().describe("Length in minutes (default 30)"),
        when: z.string().optional().describe("Preferred window, e.g. 'this week' or 'Tuesday afternoon'"),
      },
      icons: WORKLOAD_MCP_ICONS.calendar,
    },
    ({ attendees, topic, duration, when }) =>
      userMessage(
        [
          `I want a ${boundedCount(duration, 30, 480)}-minute meeting about "${topic}" with ${attendees}${when ? `, ${when}` : ""}.`,
          "1. Resolve each person to an email address (searchPeople or searchUsers) unless given.",
          "2. Call findMeetingTimes with them for that duration and window; if it finds nothing, widen the window once.",
          "3. Show me the best three options with who is free.",
          "4. Only after I pick one, call createCalendarEvent with the attendees, subject and isOnlineMeeting=true, then tell me the join link.",
        ].join("\n"),
      ),
  );

  registerPrompt(
    "catchUpOnTeams",
    {
      title: "Catch up on Teams",
      description: "What happened in my chats and channels since a given time",
      argsSchema: { since: z.string().optional().describe("How far back, e.g. 'yesterday' (default: last 24 hours)") },
      icons: WORKLOAD_MCP_ICONS.teams,
    },
    ({ since }) =>
      userMessage(
        `Catch me up on Teams since ${since || "the last 24 hours"}: call listChats and read the chats updated in that time with getChatMessages; call listTeams, listChannels and getChannelMessages for channels with new posts. Summarise per chat or channel: what was decided, questions addressed to me, and anything waiting on me. Do not post anything.`,
      ),
  );

  server.server.setRequestHandler(ListPromptsRequestSchema, (): ListPromptsResult => ({ prompts: listed }));
}
