/**
 * The demo tenant's Microsoft Teams: teams with standard and private channels
 * full of threads, one-on-one, group and meeting chats, and the online
 * meetings users create. Tenant-wide (a team and a chat have several members),
 * the same on every start, dated back from the seed day.
 */
import type {
  ChatMessage,
  ChatMessageFromIdentitySet,
  ChatMessageMention,
  ChatMessageReaction,
  ItemBody,
  OnlineMeeting,
} from "@microsoft/microsoft-graph-types";
import { escapeHtml } from "../html-text.ts";
import { ADELE, ALEX, MEGAN, TENANT_ID, type DemoUser } from "../tenant.ts";
import { DIRECTORY } from "./directory.ts";
import { SeededRandom, stableGuid } from "./random.ts";
import { DAY, HOUR, MINUTE } from "./time.ts";

export interface StoredChatMessage extends ChatMessage {
  /** Epoch milliseconds of creation, as Teams numbers its messages. */
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  body: ItemBody;
}

/** A channel post and its replies, oldest reply first. */
export interface StoredThread {
  post: StoredChatMessage;
  replies: StoredChatMessage[];
}

export interface StoredChannel {
  id: string;
  displayName: string;
  description: string | null;
  membershipType: "standard" | "private";
  createdDateTime: string;
  email: string;
  /** Private channels only: who may see them. */
  memberIds?: string[];
  /** Oldest post first. */
  threads: StoredThread[];
}

export interface StoredTeam {
  id: string;
  displayName: string;
  description: string;
  visibility: "public" | "private";
  createdDateTime: string;
  ownerIds: string[];
  /** Owners included. */
  memberIds: string[];
  /** The General channel first. */
  channels: StoredChannel[];
}

export interface StoredChat {
  id: string;
  chatType: "oneOnOne" | "group" | "meeting";
  topic: string | null;
  createdDateTime: string;
  lastUpdatedDateTime: string;
  memberIds: string[];
  joinWebUrl?: string;
  /** Oldest first. */
  messages: StoredChatMessage[];
}

export interface StoredOnlineMeeting extends OnlineMeeting {
  id: string;
  organizerId: string;
}

export interface TeamsData {
  teams: StoredTeam[];
  chats: StoredChat[];
  onlineMeetings: StoredOnlineMeeting[];
  /** The highest message id handed out: ids are creation times in ms, unique across the tenant. */
  lastMessageId: number;
}

/** A message id for a message created at `time` (ms): its time, or one more than the last id. */
export function nextMessageId(data: TeamsData, time: number): string {
  data.lastMessageId = Math.max(Math.floor(time), data.lastMessageId + 1);
  return String(data.lastMessageId);
}

export function userIdentitySet(user: DemoUser): ChatMessageFromIdentitySet {
  return {
    application: null,
    device: null,
    user: {
      "@odata.type": "#microsoft.graph.teamworkUserIdentity",
      id: user.id,
      displayName: user.displayName,
      userIdentityType: "aadUser",
      tenantId: TENANT_ID,
    } as ChatMessageFromIdentitySet["user"],
  };
}

export function mentionOf(index: number, user: { id: string; displayName: string }): ChatMessageMention {
  return {
    id: index,
    mentionText: user.displayName,
    mentioned: {
      application: null,
      device: null,
      conversation: null,
      user: {
        "@odata.type": "#microsoft.graph.teamworkUserIdentity",
        id: user.id,
        displayName: user.displayName,
        userIdentityType: "aadUser",
      } as NonNullable<ChatMessageMention["mentioned"]>["user"],
    } as ChatMessageMention["mentioned"],
  };
}

export function channelMessageUrl(teamId: string, channelId: string, id: string, parentId: string): string {
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(channelId)}/${id}?groupId=${teamId}&tenantId=${TENANT_ID}&createdTime=${id}&parentMessageId=${parentId}`;
}

export function chatMessageUrl(chatId: string, id: string): string {
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(chatId)}/${id}?context=%7B%22contextType%22%3A%22chat%22%7D`;
}

export function chatUrl(chatId: string): string {
  return `https://teams.microsoft.com/l/chat/${encodeURIComponent(chatId)}/0?tenantId=${TENANT_ID}`;
}

/** A chatMessage with every property Graph returns, nulls included. */
export function buildMessage(fields: {
  id: string;
  from: DemoUser;
  body: ItemBody;
  replyToId?: string | null;
  subject?: string | null;
  importance?: "normal" | "high" | "urgent";
  mentions?: ChatMessageMention[];
  reactions?: ChatMessageReaction[];
  channel?: { teamId: string; channelId: string; rootId: string };
  chatId?: string;
}): StoredChatMessage {
  const created = new Date(Number(fields.id)).toISOString();
  return {
    id: fields.id,
    replyToId: fields.replyToId ?? null,
    etag: fields.id,
    messageType: "message",
    createdDateTime: created,
    lastModifiedDateTime: created,
    lastEditedDateTime: null,
    deletedDateTime: null,
    subject: fields.subject ?? null,
    summary: null,
    chatId: fields.chatId ?? null,
    importance: fields.importance ?? "normal",
    locale: "en-us",
    webUrl: fields.channel
      ? channelMessageUrl(fields.channel.teamId, fields.channel.channelId, fields.id, fields.channel.rootId)
      : fields.chatId
        ? chatMessageUrl(fields.chatId, fields.id)
        : null,
    policyViolation: null,
    eventDetail: null,
    from: userIdentitySet(fields.from),
    body: fields.body,
    channelIdentity: fields.channel ? { teamId: fields.channel.teamId, channelId: fields.channel.channelId } : null,
    attachments: [],
    mentions: fields.mentions ?? [],
    reactions: fields.reactions ?? [],
    messageHistory: [],
  };
}

/** What a seeded post or chat line says; `{@}` marks where another member is @mentioned. */
interface Line {
  text: string;
  subject?: string;
  important?: boolean;
}

interface PostPlan extends Line {
  replies: string[];
}

interface ChannelPlan {
  name: string;
  description: string | null;
  private?: DemoUser[];
  posts: PostPlan[];
  /** Generated announcements on top of `posts` (the long channel). */
  generated?: number;
}

interface TeamPlan {
  name: string;
  description: string;
  visibility: "public" | "private";
  owners: DemoUser[];
  members: DemoUser[];
  channels: ChannelPlan[];
}

const TEAMS: readonly TeamPlan[] = [
  {
    name: "Contoso Marketing",
    description: "Campaigns, budgets and brand work of the marketing team.",
    visibility: "private",
    owners: [MEGAN],
    members: [MEGAN, ADELE],
    channels: [
      {
        name: "General",
        description: "Everything marketing that has no better place.",
        posts: [
          {
            text: "Welcome to the marketing team space! Pin the brand guide and the campaign calendar here.",
            replies: ["Pinned both, thanks.", "The calendar link now points at the FY plan."],
          },
          {
            subject: "Q3 budget review",
            text: "{@} the Q3 budget is 4% over plan, mostly the September event costs. Can we move some paid social into Q4?",
            replies: [
              "Yes, I can shift about 15k of paid social.",
              "Finance wants the revised forecast before Thursday's review.",
              "Forecast uploaded to the Budget folder.",
            ],
          },
          {
            text: "Reminder: brand refresh workshop on Wednesday, 10:00 in the Lisbon room.",
            replies: ["Will the agency join remotely?", "Yes, Litware dials in."],
          },
          {
            subject: "Press kit",
            text: "The Mark 8 press kit draft is ready for review. Photos are still placeholders.",
            replies: ["Reviewed the copy, two small edits in the boilerplate."],
          },
          {
            text: "Who owns the newsletter this month? {@} I think it is your turn.",
            replies: ["Mine, I'll send the outline tomorrow."],
          },
          { text: "Analytics dashboard now refreshes hourly instead of daily.", replies: [] },
          {
            text: "Customer quotes for the case study came back approved by Fabrikam legal.",
            replies: ["Great news, that unblocks the web page.", "I'll update the draft tonight."],
          },
          { text: "Out of office Friday, Megan covers approvals.", replies: ["Covered."] },
        ],
      },
      {
        name: "Campaigns",
        description: "Planning and results of every campaign.",
        posts: [
          {
            subject: "Spring campaign results",
            text: "Spring campaign closed: 2.1M impressions, CTR 1.8%, 430 qualified leads.",
            replies: [
              "Beat the target by 12%.",
              "Paid search carried most of it.",
              "Let's reuse the creative in June.",
            ],
          },
          {
            text: "{@} can you share the final creative for the webinar series?",
            replies: ["Uploaded to Campaigns/Webinars.", "Thanks, looks great."],
          },
          {
            subject: "Retargeting test",
            text: "Starting the retargeting A/B test Monday: variant B uses the product video.",
            replies: ["What's the sample size?", "20k per arm, two weeks."],
          },
          { text: "Email open rates dipped to 21% this week; subject lines were too long.", replies: [] },
          {
            text: "Influencer shortlist is in the planning sheet, please vote by Friday.",
            replies: ["Voted.", "Voted, I prefer the two design creators."],
          },
        ],
      },
      {
        name: "Leadership",
        description: "Headcount and budget decisions.",
        private: [MEGAN],
        posts: [
          {
            text: "Draft headcount plan for next year, confidential until the all-hands.",
            replies: ["Notes added for the agency budget."],
          },
          { text: "Agency contract renewal due end of month.", replies: [] },
        ],
      },
    ],
  },
  {
    name: "Mark 8 Launch",
    description: "Cross-team launch of the Mark 8 product.",
    visibility: "private",
    owners: [ADELE],
    members: [ADELE, ALEX],
    channels: [
      {
        name: "General",
        description: "Launch coordination.",
        posts: [
          {
            subject: "Launch date",
            text: "Launch date is confirmed for the 14th. Marketing freeze starts a week before.",
            important: true,
            replies: ["Noted, design assets final by the 5th.", "Retail partners informed."],
          },
          {
            text: "{@} the landing page needs the new hero image, can you export it in 2x?",
            replies: ["Exported, in Launch/Web.", "Perfect, thanks!"],
          },
          {
            text: "Demo units arrive Tuesday; sign up for one in the tracker.",
            replies: ["Signed up.", "Can we get one for the Berlin office?", "Two are reserved for Berlin."],
          },
          { text: "Launch FAQ draft is open for comments until Thursday.", replies: [] },
        ],
      },
      {
        name: "Design",
        description: "Packaging, web and event design.",
        posts: [
          {
            subject: "Packaging v3",
            text: "Packaging v3 mockups are up. Matte finish, logo embossed.",
            replies: ["Love the matte.", "Printer needs final files by Friday."],
          },
          {
            text: "Booth design for the expo: two options, please comment on the board.",
            replies: ["Option B, the open layout works better for demos."],
          },
          { text: "Icon set updated to the new stroke width.", replies: ["Thanks, applied on the site."] },
        ],
      },
      {
        name: "Launch budget",
        description: "Pricing and spend; launch owners only.",
        private: [ADELE],
        posts: [
          {
            text: "Launch spend to date: 61% of budget. Events are the big remaining item.",
            replies: ["Expo booth quote came in 8% under estimate."],
          },
        ],
      },
    ],
  },
  {
    name: "Design Studio",
    description: "The design team: reviews, critiques and inspiration.",
    visibility: "public",
    owners: [ALEX],
    members: [ALEX, MEGAN],
    channels: [
      {
        name: "General",
        description: null,
        posts: [
          {
            text: "Design critique moves to Thursdays at 15:00 starting next week.",
            replies: ["Works for me.", "Calendar updated."],
          },
          { text: "New font licenses are installed on all studio machines.", replies: [] },
          {
            text: "{@} marketing asked for a refreshed slide template, do you have time this sprint?",
            replies: ["Yes, I'll start Monday.", "First draft is in Studio/Templates."],
          },
        ],
      },
      {
        name: "Reviews",
        description: "Work in progress for feedback.",
        posts: [
          {
            subject: "Brand illustrations",
            text: "Five new brand illustrations for review; the palette follows the refresh.",
            replies: ["The third one is my favourite.", "Maybe lighten the background on #2?", "Updated #2."],
          },
          {
            text: "Web header animation prototype, 3 seconds loop.",
            replies: ["Smooth. Can it respect reduced motion?", "Done: static frame with reduced motion."],
          },
        ],
      },
    ],
  },
  {
    name: "All Company",
    description: "News and announcements for everyone at Contoso.",
    visibility: "public",
    owners: [ADELE, MEGAN],
    members: [ADELE, MEGAN, ALEX],
    channels: [
      {
        name: "General",
        description: "Company-wide announcements.",
        generated: 64,
        posts: [
          {
            subject: "Welcome",
            text: "Welcome to All Company: company news and announcements live here.",
            replies: ["Hello everyone!"],
          },
        ],
      },
      {
        name: "Social",
        description: "Lunch plans, photos and everything else.",
        posts: [
          {
            text: "Team lunch Friday at the Italian place, who's in?",
            replies: ["In!", "Count me in.", "Can't make it, enjoy!"],
          },
          { text: "Photos from the summer party are in the shared album.", replies: ["Great pictures."] },
          {
            text: "Running club starts again next Tuesday, 7:00 at the river.",
            replies: ["See you there.", "Is there a beginner group?", "Yes, 5k at an easy pace."],
          },
        ],
      },
    ],
  },
];

/** The weekly announcements of the long channel; each week picks one and fills in its details. */
const ANNOUNCEMENTS: readonly ((week: number, random: SeededRandom) => PostPlan)[] = [
  (week) => ({
    subject: `Week ${week} update`,
    text: `Week ${week} update: sales pipeline up ${3 + (week % 5)}%, two new enterprise customers, and the support backlog is under 40 tickets.`,
    replies: [],
  }),
  (week, random) => ({
    subject: "Office notice",
    text: `The Seattle office ${random.pick(["kitchen", "third floor", "parking garage", "lobby"])} is closed for maintenance on ${random.pick(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])} of week ${week}.`,
    replies: [],
  }),
  (week) => ({
    text: `Reminder: timesheets for week ${week} are due Friday at noon.`,
    replies: [],
  }),
  (week, random) => ({
    subject: "New colleagues",
    text: `Please welcome ${random.int(2, 6)} new colleagues who joined in week ${week} in Sales, Support and Engineering.`,
    replies: ["Welcome aboard!"],
  }),
  (week, random) => ({
    subject: "All-hands",
    text: `All-hands on Thursday of week ${week}: ${random.pick(["product roadmap", "half-year results", "customer stories", "the new office"])} and open Q&A. {@} will host.`,
    replies: ["Will it be recorded?", "Yes, the recording goes to Stream."],
  }),
  (week) => ({
    text: `IT: laptops get the week ${week} security update tonight; leave them on and plugged in.`,
    important: true,
    replies: [],
  }),
  (week, random) => ({
    text: `Customer win: ${random.pick(["Fabrikam", "Northwind Traders", "Adatum", "Litware", "Tailspin Toys", "Wingtip Toys"])} renewed for three years (week ${week}). Thanks to everyone involved!`,
    replies: ["Fantastic!"],
  }),
  (week) => ({
    text: `Benefits enrollment closes at the end of week ${week}; the People team holds office hours Wednesday.`,
    replies: [],
  }),
];

/** Chats and what is said in them; `by` is the index of the member who speaks, in order. */
interface ChatPlan {
  type: StoredChat["chatType"];
  topic: string | null;
  members: DemoUser[];
  /** Directory users who are members too but say nothing (ids), after `members`. */
  silentMemberIds?: readonly string[];
  lines: [by: number, text: string][];
  /** Days back of the first message. */
  startDaysAgo: number;
}

const CHATS: readonly ChatPlan[] = [
  {
    type: "oneOnOne",
    topic: null,
    members: [ADELE, MEGAN],
    startDaysAgo: 20,
    lines: [
      [0, "Hi Megan, do you have five minutes for the budget sheet?"],
      [1, "Sure, calling you now."],
      [0, "Thanks, that helped a lot."],
      [1, "Can you send me the agency invoice?"],
      [0, "Sent by mail."],
      [1, "Got it."],
      [0, "Are we still on for the campaign review tomorrow?"],
      [1, "Yes, 10:00."],
      [0, "I moved the press kit deadline to Friday."],
      [1, "Fine by me."],
      [1, "Did Fabrikam confirm the quote?"],
      [0, "Yes, legal approved it this morning."],
      [0, "<p>Draft of the <b>newsletter</b> is in the Marketing files.</p>"],
      [1, "Reading it now."],
      [1, "Two small comments, otherwise good to go."],
      [0, "Fixed, sending it out at 9."],
      [1, "How did the webinar go?"],
      [0, "180 attendees, lots of questions about pricing."],
      [1, "Nice! Let's add a pricing FAQ."],
      [0, "On it."],
      [1, "Can you cover my approvals on Friday?"],
      [0, "Of course."],
      [0, "The influencer shortlist needs your vote."],
      [1, "Voted."],
      [0, "Have a good weekend!"],
    ],
  },
  {
    type: "oneOnOne",
    topic: null,
    members: [ADELE, ALEX],
    startDaysAgo: 12,
    lines: [
      [0, "Alex, the landing page hero needs a 2x export."],
      [1, "On it, later today."],
      [1, "Uploaded to Launch/Web."],
      [0, "Perfect, thanks."],
      [0, "Do you have the packaging files for the printer?"],
      [1, "Sending the final PDFs Friday morning."],
      [0, "Great."],
      [1, "Can we move our 1:1 to Thursday?"],
      [0, "Sure, Thursday 14:00."],
      [1, "Thanks!"],
      [0, "Loved the booth option B."],
      [1, "Me too, it works better for demos."],
    ],
  },
  {
    type: "oneOnOne",
    topic: null,
    members: [MEGAN, ALEX],
    startDaysAgo: 9,
    lines: [
      [0, "Hi Alex, can the studio do a slide template refresh?"],
      [1, "Yes, starting Monday."],
      [1, "First draft is in Studio/Templates."],
      [0, "Looks great. Can we get a dark version too?"],
      [1, "Will do."],
      [0, "Thanks!"],
      [1, "Dark version added."],
      [0, "Shared it with the team."],
      [1, "How was the brand workshop?"],
      [0, "Productive, notes are in the Marketing team."],
    ],
  },
  {
    type: "group",
    topic: "Launch crew",
    members: [ADELE, MEGAN, ALEX],
    startDaysAgo: 15,
    lines: [
      [0, "Created this chat for the last launch details."],
      [1, "Good idea."],
      [2, "Hi all!"],
      [0, "Demo units arrive Tuesday."],
      [1, "Two for Berlin please."],
      [0, "Reserved."],
      [2, "Booth graphics go to print Thursday."],
      [1, "Do we have the final price list?"],
      [0, "Not yet, finance confirms Monday."],
      [2, "I need the price list for the booth screens too."],
      [0, "Will share as soon as I have it."],
      [1, "Press embargo lifts at 9:00 on launch day."],
      [0, "Noted."],
      [2, "Hero video is exported in 4K and 1080p."],
      [1, "Great work!"],
      [0, "<p>Price list is in: <b>Launch/Pricing.xlsx</b></p>"],
      [2, "Thanks, updating the screens."],
      [1, "Retail partners have the embargo info."],
      [0, "Dry run of the keynote Wednesday 16:00."],
      [2, "I'll bring the clicker."],
      [1, "I'll book the room."],
      [0, "Booked already, Lisbon room."],
      [1, "Even better."],
      [2, "Stickers arrived!"],
      [0, "Send a photo."],
      [2, "Posted in Social."],
      [1, "Cute."],
      [0, "Final checklist is in the Launch team General channel."],
      [2, "Checked my items."],
      [1, "Mine too."],
    ],
  },
  {
    type: "meeting",
    topic: "Weekly marketing sync",
    members: [MEGAN, ADELE],
    startDaysAgo: 6,
    lines: [
      [0, "Agenda: budget, newsletter, webinar recap."],
      [1, "Adding the press kit status."],
      [0, "Notes from today are in the Marketing team."],
      [1, "Action items sent by mail."],
      [0, "Next week we skip the webinar recap."],
      [1, "OK."],
    ],
  },
  {
    type: "meeting",
    topic: "Mark 8 design review",
    members: [ALEX, ADELE, MEGAN],
    startDaysAgo: 4,
    lines: [
      [0, "Slides for the review are in Launch/Design."],
      [1, "Thanks Alex, joining in 2 minutes."],
      [2, "I'll be 5 minutes late."],
      [0, "Recording and notes are in the Design channel."],
    ],
  },
  {
    // Everyone in the directory: more members than Graph returns in a chat's $expand=members (25).
    type: "group",
    topic: "Company offsite 2027",
    members: [MEGAN, ADELE, ALEX],
    silentMemberIds: DIRECTORY.filter((user) => !user.canSignIn).map((user) => user.id),
    startDaysAgo: 8,
    lines: [
      [0, "Welcome everyone! This chat is for the offsite logistics."],
      [1, "Hotel options are in the Marketing team files."],
      [2, "Design will bring the banners."],
      [0, "Please vote on the dates by Friday."],
    ],
  },
];

const REACTIONS = [
  { reactionType: "like", displayName: "Like" },
  { reactionType: "heart", displayName: "Heart" },
  { reactionType: "laugh", displayName: "Laugh" },
] as const;

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "");
}

function threadId(kind: string, ...parts: string[]): string {
  return stableGuid(kind, ...parts).replace(/-/g, "");
}

class TeamsSeeder {
  private readonly dayStart: number;
  private readonly random = new SeededRandom(0x7ea35);
  private readonly data: TeamsData = { teams: [], chats: [], onlineMeetings: [], lastMessageId: 0 };
  private readonly usedIds = new Set<number>();

  constructor(dayStart: number) {
    this.dayStart = dayStart;
  }

  /** The id of a message created at `time`: its time in ms, moved on by 1 ms if another message has it. */
  private messageId(time: number): string {
    let id = Math.floor(time);
    while (this.usedIds.has(id)) id++;
    this.usedIds.add(id);
    this.data.lastMessageId = Math.max(this.data.lastMessageId, id);
    return String(id);
  }

  build(): TeamsData {
    for (const plan of TEAMS) this.data.teams.push(this.team(plan));
    for (const plan of CHATS) this.data.chats.push(this.chat(plan));
    return this.data;
  }

  /** HTML for a line, `{@}` replaced by a mention of `mentioned`. */
  private body(text: string, mentioned: DemoUser | undefined): { body: ItemBody; mentions: ChatMessageMention[] } {
    if (text.includes("{@}") && mentioned) {
      const [before, after] = text.split("{@}");
      return {
        body: {
          contentType: "html",
          content: `<p>${escapeHtml(before ?? "")}<at id="0">${escapeHtml(mentioned.displayName)}</at>${escapeHtml(after ?? "")}</p>`,
        },
        mentions: [mentionOf(0, mentioned)],
      };
    }
    const plain = text.replace("{@}", "");
    if (/^<p>/.test(plain)) return { body: { contentType: "html", content: plain }, mentions: [] };
    return this.random.chance(0.5)
      ? { body: { contentType: "text", content: plain }, mentions: [] }
      : { body: { contentType: "html", content: `<p>${escapeHtml(plain)}</p>` }, mentions: [] };
  }

  private reactions(people: readonly DemoUser[], after: number): ChatMessageReaction[] {
    if (!this.random.chance(0.35)) return [];
    return people
      .filter(() => this.random.chance(0.6))
      .map((person) => {
        const reaction = this.random.pick(REACTIONS);
        return {
          reactionType: reaction.reactionType,
          displayName: reaction.displayName,
          reactionContentUrl: null,
          createdDateTime: new Date(after + this.random.int(1, 90) * MINUTE).toISOString(),
          user: {
            application: null,
            device: null,
            user: { id: person.id, displayName: null, userIdentityType: "aadUser" },
          } as ChatMessageReaction["user"],
        };
      });
  }

  private team(plan: TeamPlan): StoredTeam {
    const id = stableGuid("team", plan.name);
    const created = this.dayStart - 400 * DAY + this.random.int(0, 100) * DAY;
    return {
      id,
      displayName: plan.name,
      description: plan.description,
      visibility: plan.visibility,
      createdDateTime: new Date(created).toISOString(),
      ownerIds: plan.owners.map((user) => user.id),
      memberIds: plan.members.map((user) => user.id),
      channels: plan.channels.map((channel) => this.channel(id, plan, channel, created)),
    };
  }

  private channel(teamId: string, team: TeamPlan, plan: ChannelPlan, teamCreated: number): StoredChannel {
    const id = `19:${threadId("channel", team.name, plan.name)}@thread.tacv2`;
    const people = plan.private ?? team.members;
    const posts: PostPlan[] = [...plan.posts];
    for (let week = 1; week <= (plan.generated ?? 0); week++) {
      posts.push(this.random.pick(ANNOUNCEMENTS)(week, this.random));
    }
    // The long channel spreads its posts over more days than the others.
    const spanDays = plan.generated ? 90 : 30;
    const times = posts
      .map(() => this.dayStart - this.random.int(1, spanDays * 24 * 60) * MINUTE)
      .sort((a, b) => a - b);
    const channel: StoredChannel = {
      id,
      displayName: plan.name,
      description: plan.description,
      membershipType: plan.private ? "private" : "standard",
      createdDateTime: new Date(plan.name === "General" ? teamCreated : teamCreated + 2 * DAY).toISOString(),
      email: `${slug(team.name)}.${slug(plan.name)}.${threadId("email", id).slice(0, 8)}@contoso.example`,
      ...(plan.private ? { memberIds: plan.private.map((user) => user.id) } : {}),
      threads: [],
    };
    posts.forEach((post, index) => {
      const at = times[index]!;
      const author = this.random.pick(people);
      const others = people.filter((user) => user.id !== author.id);
      const mentioned = others.length > 0 ? this.random.pick(others) : undefined;
      const postId = this.messageId(at);
      const { body, mentions } = this.body(post.text, mentioned);
      const thread: StoredThread = {
        post: buildMessage({
          id: postId,
          from: author,
          body,
          subject: post.subject ?? null,
          importance: post.important ? "high" : "normal",
          mentions,
          reactions: this.reactions(others, at),
          channel: { teamId, channelId: id, rootId: postId },
        }),
        replies: [],
      };
      let replyAt = at;
      post.replies.forEach((text, replyIndex) => {
        replyAt = Math.min(replyAt + this.random.int(3, 240) * MINUTE, this.dayStart - 5 * MINUTE - replyIndex);
        const speaker = replyIndex % 2 === 0 && others.length > 0 ? this.random.pick(others) : author;
        const replyId = this.messageId(replyAt);
        const reply = this.body(text, undefined);
        thread.replies.push(
          buildMessage({
            id: replyId,
            from: speaker,
            body: reply.body,
            replyToId: postId,
            reactions: this.reactions(
              people.filter((user) => user.id !== speaker.id),
              replyAt,
            ),
            channel: { teamId, channelId: id, rootId: postId },
          }),
        );
      });
      channel.threads.push(thread);
    });
    return channel;
  }

  private chat(plan: ChatPlan): StoredChat {
    const speakers = plan.members.map((user) => user.id);
    const memberKey = [...speakers, ...(plan.silentMemberIds ?? [])];
    const id =
      plan.type === "oneOnOne"
        ? `19:${[...memberKey].sort().join("_")}@unq.gbl.spaces`
        : plan.type === "meeting"
          ? `19:meeting_${Buffer.from(stableGuid("meeting", plan.topic ?? ""))
              .toString("base64url")
              .slice(0, 48)}@thread.v2`
          : `19:${threadId("chat", plan.topic ?? "", ...speakers)}@thread.v2`;
    let at = this.dayStart - plan.startDaysAgo * DAY + this.random.int(8, 10) * HOUR;
    const messages = plan.lines.map(([by, text]) => {
      at = Math.min(at + this.random.int(2, 600) * MINUTE, this.dayStart - 5 * MINUTE);
      const from = plan.members[by] ?? plan.members[0]!;
      const { body } = this.body(text, undefined);
      return buildMessage({
        id: this.messageId(at),
        from,
        body,
        chatId: id,
        reactions: this.reactions(
          plan.members.filter((user) => user.id !== from.id),
          at,
        ),
      });
    });
    const created = this.dayStart - (plan.startDaysAgo + 1) * DAY;
    return {
      id,
      chatType: plan.type,
      topic: plan.topic,
      createdDateTime: new Date(created).toISOString(),
      lastUpdatedDateTime: messages.at(-1)?.createdDateTime ?? new Date(created).toISOString(),
      memberIds: memberKey,
      ...(plan.type === "meeting"
        ? { joinWebUrl: `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(id)}/0` }
        : {}),
      messages,
    };
  }
}

/** The demo tenant's Teams data for the day starting at `dayStart` (epoch ms, midnight UTC). */
export function seedTeams(dayStart: number): TeamsData {
  return new TeamsSeeder(dayStart).build();
}
