/**
 * POST /me/onlineMeetings and GET /me/onlineMeetings/{id}: standalone Teams
 * meetings with a join link (no calendar event). Creating one opens its
 * meeting chat for the organizer and the attendees who are users of the tenant.
 */
import { createHash } from "node:crypto";
import type { MeetingParticipantInfo } from "@microsoft/microsoft-graph-types";
import type { StoredOnlineMeeting } from "../data/teams.ts";
import { jsonBody } from "../http.ts";
import { findUser, TENANT_ID } from "../tenant.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { teamsDataOf } from "./teams.ts";

const MEETINGS = ["OnlineMeetings.ReadWrite"];
const READ_MEETINGS = ["OnlineMeetings.Read", "OnlineMeetings.ReadWrite"];
const HOUR = 3_600_000;

function invalid(message: string): GraphFailure {
  return new GraphFailure(400, "BadRequest", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readTime(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const time = typeof value === "string" ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw invalid(`Invalid value for '${name}': '${String(value)}' is not a date and time.`);
  return time;
}

function readAttendees(participants: unknown): MeetingParticipantInfo[] {
  if (participants === undefined || participants === null) return [];
  if (!isObject(participants)) throw invalid("Invalid request body was sent.");
  const attendees = participants.attendees ?? [];
  if (!Array.isArray(attendees)) throw invalid("Invalid request body was sent.");
  return attendees.map((entry: unknown) => {
    if (!isObject(entry)) throw invalid("Invalid request body was sent.");
    const identity = isObject(entry.identity) && isObject(entry.identity.user) ? entry.identity.user : undefined;
    const upn = typeof entry.upn === "string" ? entry.upn : undefined;
    const id = typeof identity?.id === "string" ? identity.id : undefined;
    if (!upn && !id) throw invalid("Each attendee needs a 'upn' or an 'identity.user.id'.");
    const user = findUser(id ?? upn ?? "");
    return {
      upn: upn ?? user?.userPrincipalName ?? null,
      role: entry.role === "presenter" ? "presenter" : "attendee",
      identity: {
        user: {
          id: user?.id ?? id ?? null,
          displayName: user?.displayName ?? null,
          tenantId: user ? TENANT_ID : null,
          identityProvider: "AAD",
        },
      },
    } as MeetingParticipantInfo;
  });
}

function meetingOf(context: GraphContext): StoredOnlineMeeting {
  const meeting = teamsDataOf(context).onlineMeetings.find(
    (candidate) => candidate.id === context.params.meetingId && candidate.organizerId === context.user.id,
  );
  if (!meeting) throw new GraphFailure(404, "NotFound", "The specified meeting was not found.");
  return meeting;
}

function present(context: GraphContext, meeting: StoredOnlineMeeting): Record<string, unknown> {
  const { organizerId: _organizer, ...resource } = structuredClone(meeting);
  return {
    "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/onlineMeetings/$entity`,
    ...resource,
  };
}

/**
 * POST /me/onlineMeetings/createOrGet (onlinemeeting-createorget): "If the external ID already exists,
 * this API will return the onlineMeeting object with that external ID" (200), else creates one (201).
 * externalId is required; the meeting is the organizer's.
 */
function createOrGet(context: GraphContext) {
  const parsed = jsonBody(context.request);
  const externalId = parsed.ok && isObject(parsed.value) ? parsed.value.externalId : undefined;
  if (typeof externalId !== "string" || externalId === "") throw invalid("The externalId parameter is required.");
  const existing = teamsDataOf(context).onlineMeetings.find(
    (meeting) => meeting.organizerId === context.user.id && meeting.externalId === externalId,
  );
  if (existing) return graphJson(context.request, 200, present(context, existing));
  return createMeeting(context, externalId);
}

function createMeeting(context: GraphContext, externalId?: string) {
  const parsed = jsonBody(context.request);
  if (!parsed.ok || (parsed.value !== undefined && !isObject(parsed.value))) {
    throw invalid("Invalid request body was sent.");
  }
  if (parsed.value === undefined) throw invalid("Empty Payload. JSON content expected.");
  const { externalId: _externalId, ...body } = parsed.value as Record<string, unknown>;
  const now = Date.now();
  const start = readTime(body.startDateTime, "startDateTime", now);
  const end = readTime(body.endDateTime, "endDateTime", start + HOUR);
  if (end <= start) throw invalid("The endDateTime of the meeting must be after its startDateTime.");
  if (body.subject !== undefined && body.subject !== null && typeof body.subject !== "string") {
    throw invalid("Invalid request body was sent.");
  }
  const attendees = readAttendees(body.participants);
  const data = teamsDataOf(context);
  const key = createHash("sha256").update(`${context.user.id}|${now}|${data.onlineMeetings.length}`).digest();
  const thread = `19:meeting_${key.subarray(0, 27).toString("base64url")}@thread.v2`;
  const organizerContext = encodeURIComponent(JSON.stringify({ Tid: TENANT_ID, Oid: context.user.id }));
  const joinWebUrl = `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(thread)}/0?context=${organizerContext}`;
  const meeting: StoredOnlineMeeting = {
    id: Buffer.from(`1*${context.user.id}*0**${thread}`).toString("base64url"),
    organizerId: context.user.id,
    creationDateTime: new Date(now).toISOString(),
    startDateTime: new Date(start).toISOString(),
    endDateTime: new Date(end).toISOString(),
    subject: typeof body.subject === "string" ? body.subject : null,
    ...(externalId ? { externalId } : {}),
    joinWebUrl,
    joinUrl: joinWebUrl,
    videoTeleconferenceId: String(key.readUInt32BE(28) % 10_000_000_000).padStart(10, "0"),
    isEntryExitAnnounced: true,
    allowedPresenters: "everyone",
    allowMeetingChat: "enabled",
    allowTeamworkReactions: true,
    recordAutomatically: false,
    lobbyBypassSettings: { scope: "organization", isDialInBypassEnabled: false },
    joinMeetingIdSettings: {
      isPasscodeRequired: true,
      joinMeetingId: String(key.readUInt32BE(0) % 1_000_000_000_000).padStart(12, "3"),
      passcode: key.subarray(4, 10).toString("base64url").slice(0, 6),
    },
    chatInfo: { threadId: thread, messageId: "0", replyChainMessageId: null },
    participants: {
      organizer: {
        upn: context.user.userPrincipalName,
        role: "presenter",
        identity: {
          user: {
            id: context.user.id,
            displayName: null,
            tenantId: TENANT_ID,
            identityProvider: "AAD",
          } as NonNullable<MeetingParticipantInfo["identity"]>["user"],
        },
      },
      attendees,
    },
  } as StoredOnlineMeeting;
  data.onlineMeetings.push(meeting);
  const memberIds = [
    context.user.id,
    ...attendees
      .map((attendee) => attendee.identity?.user?.id)
      .filter((id): id is string => typeof id === "string" && findUser(id) !== undefined),
  ];
  data.chats.push({
    id: thread,
    chatType: "meeting",
    topic: meeting.subject ?? null,
    createdDateTime: meeting.creationDateTime!,
    lastUpdatedDateTime: meeting.creationDateTime!,
    memberIds: [...new Set(memberIds)],
    joinWebUrl,
    messages: [],
  });
  return graphJson(context.request, 201, present(context, meeting));
}

export const onlineMeetingRoutes: readonly GraphRoute[] = [
  { method: "POST", path: "/me/onlineMeetings", scopes: MEETINGS, handle: (context) => createMeeting(context) },
  { method: "POST", path: "/me/onlineMeetings/createOrGet", scopes: MEETINGS, handle: createOrGet },
  {
    method: "GET",
    path: "/me/onlineMeetings/{meetingId}",
    scopes: READ_MEETINGS,
    handle: (context) => graphJson(context.request, 200, present(context, meetingOf(context))),
  },
];
