/**
 * Microsoft To Do for each demo user: the default "Tasks" list with enough
 * tasks to page (open and completed, due dates at midnight in the user's time
 * zone, reminders, bodies, checklists), the "Flagged email" list, a few
 * custom lists and one list Adele shares with the others.
 */
import type {
  ChecklistItem,
  Importance,
  TaskStatus,
  TodoTask,
  WellknownListName,
} from "@microsoft/microsoft-graph-types";
import { createHash } from "node:crypto";
import { ADELE, type DemoUser } from "../tenant.ts";
import { EXTERNAL_PEOPLE, MAIL_TOPICS } from "./corpus.ts";
import { SeededRandom, stableGuid, stableId } from "./random.ts";
import { DAY, HOUR, isoSeconds, MINUTE, utcDateTime } from "./time.ts";

export interface StoredChecklistItem extends ChecklistItem {
  id: string;
  displayName: string;
  isChecked: boolean;
  createdDateTime: string;
}

/** A task as Graph returns it, dates kept in UTC; `changeKey` feeds its @odata.etag. */
export interface StoredTask extends TodoTask {
  id: string;
  title: string;
  status: TaskStatus;
  importance: Importance;
  isReminderOn: boolean;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  checklistItems: StoredChecklistItem[];
}

export interface StoredTaskList {
  id: string;
  displayName: string;
  isOwner: boolean;
  isShared: boolean;
  wellknownListName: WellknownListName;
  changeKey: string;
  /** In the order To Do shows them: newest first. */
  tasks: StoredTask[];
}

export interface TodoStore {
  lists: StoredTaskList[];
}

/** Tasks of the default list: more than one 50-task page, open ones included. */
export const DEFAULT_LIST_TASKS = 72;

const WORK_TASKS: readonly { title: string; body?: string; checklist?: readonly string[] }[] = [
  { title: "Send Q3 budget numbers to finance", body: "Use the final forecast, not the draft from last week." },
  { title: "Review the Mark 8 launch plan", checklist: ["Timeline", "Channel mix", "Budget split"] },
  { title: "Book the venue for the offsite", body: "Two options shortlisted: Lakeside Lodge and the Harbor Loft." },
  { title: "Prepare slides for the roadmap review" },
  { title: "Approve the press release draft", body: "Legal asked for a last look at the pricing paragraph." },
  { title: "Update the brand guidelines deck", checklist: ["New logo lockups", "Colour palette", "Photography"] },
  { title: "Shortlist candidates for the senior designer role" },
  { title: "Write the weekly status update" },
  { title: "Collect customer feedback from Northwind" },
  { title: "Renew the Fabrikam contract", body: "Renewal window closes at the end of the month." },
  { title: "Confirm hotel block for the partner summit" },
  { title: "Sign off holiday campaign creative" },
  { title: "Pay invoice 4471", body: "Accounts payable needs the PO number: 88-1043." },
  { title: "Submit expense report for the Berlin trip" },
  { title: "Finish the security awareness training" },
  { title: "Register for the analytics webinar" },
  { title: "Plan the team lunch on Friday" },
  { title: "Draft the FY goals for the team", checklist: ["Revenue", "Pipeline", "Brand reach", "Hiring"] },
  { title: "Clean up the shared marketing folder" },
  { title: "Schedule 1:1s for next month" },
  { title: "Review the agency statement of work" },
  { title: "Update the launch FAQ for support" },
  { title: "Check the website copy for the product page" },
  { title: "Order new business cards" },
  { title: "Prepare the quarterly business review" },
  { title: "Send thank-you notes to the event speakers" },
  { title: "Archive last year's campaign assets" },
  { title: "Reply to the analyst briefing request" },
  { title: "Set up the social media calendar for December" },
  { title: "Review competitor pricing sheet" },
  { title: "Nominate a colleague for the quarterly award" },
  { title: "Fix the broken links in the newsletter template" },
];

const PERSONAL_TASKS: readonly string[] = [
  "Renew passport",
  "Book dentist appointment",
  "Call the insurance company",
  "Pick up dry cleaning",
  "Buy a birthday present for Sam",
  "Plan the weekend hike",
];

const GROCERIES: readonly string[] = ["Oat milk", "Coffee beans", "Bananas", "Sourdough bread", "Spinach", "Eggs"];

const LAUNCH_TASKS: readonly string[] = [
  "Lock the launch date with product",
  "Brief the PR agency",
  "Finalize the pricing page",
  "Record the demo video",
  "Prepare the sales enablement kit",
  "Translate the announcement blog post",
  "Line up three customer quotes",
  "Plan the launch day social posts",
];

const OFFSITE_TASKS: readonly string[] = [
  "Collect dietary requirements",
  "Arrange the shuttle from the station",
  "Prepare the team-building activity",
  "Print name badges",
  "Send the agenda to everyone",
];

const FOLLOW_UP_TOPICS: readonly string[] = [
  "the renewal quote",
  "the campaign results",
  "the event budget",
  "the case study draft",
  "next quarter's plans",
  "the partner newsletter",
];

const STATUSES: readonly TaskStatus[] = ["notStarted", "inProgress", "waitingOnOthers", "deferred"];

class TodoSeeder {
  private readonly user: DemoUser;
  private readonly dayStart: number;
  private readonly random: SeededRandom;
  private sequence = 0;

  constructor(user: DemoUser, dayStart: number) {
    this.user = user;
    this.dayStart = dayStart;
    this.random = new SeededRandom(createHash("sha256").update(`${user.id}:todo`).digest().readUInt32BE(0));
  }

  build(): TodoStore {
    const sharedOwner = ADELE;
    return {
      lists: [
        this.list("Tasks", "defaultList", this.defaultTasks()),
        this.list("Flagged email", "flaggedEmails", this.flaggedTasks()),
        this.list("Groceries", "none", this.simpleTasks("Groceries", GROCERIES, { importance: "low" })),
        this.list("Q4 product launch", "none", this.simpleTasks("Launch", LAUNCH_TASKS, { due: true })),
        this.list(
          "Team offsite planning",
          "none",
          this.simpleTasks("Offsite", OFFSITE_TASKS, { due: true }),
          this.user.id === sharedOwner.id,
          true,
        ),
      ],
    };
  }

  private list(
    displayName: string,
    wellknownListName: WellknownListName,
    tasks: StoredTask[],
    isOwner = true,
    isShared = false,
  ): StoredTaskList {
    return {
      // Shared lists have one id for every member, as To Do gives them.
      id: stableId("AAMkAGTodoList", isShared ? "shared" : this.user.id, displayName),
      displayName,
      isOwner,
      isShared,
      wellknownListName,
      changeKey: stableId("", this.user.id, displayName, "ck").slice(0, 24),
      tasks,
    };
  }

  /** Midnight of the day `days` from the seed day, in the user's time zone, as UTC. */
  private localMidnight(days: number): number {
    return this.dayStart + days * DAY - this.user.utcOffsetHours * HOUR;
  }

  private task(
    title: string,
    createdAt: number,
    options: {
      status?: TaskStatus;
      importance?: Importance;
      dueInDays?: number;
      body?: string;
      categories?: string[];
      checklist?: readonly string[];
      reminderHour?: number;
    } = {},
  ): StoredTask {
    const index = this.sequence++;
    const id = stableId("AAMkAGTodoTask", this.user.id, index, title);
    const status = options.status ?? "notStarted";
    const created = isoSeconds(createdAt);
    const modifiedAt = createdAt + this.random.int(0, 3) * DAY + this.random.int(1, 600) * MINUTE;
    const modified = isoSeconds(Math.min(modifiedAt, this.dayStart + 9 * HOUR));
    const task: StoredTask = {
      id,
      title,
      status,
      importance: options.importance ?? "normal",
      isReminderOn: false,
      createdDateTime: created,
      lastModifiedDateTime: modified,
      bodyLastModifiedDateTime: created,
      hasAttachments: false,
      categories: options.categories ?? [],
      body: { content: options.body ?? "", contentType: "text" },
      changeKey: stableId("", id, "ck").slice(0, 24),
      checklistItems: (options.checklist ?? []).map((displayName, position) => ({
        id: stableGuid(id, "check", position),
        displayName,
        isChecked: status === "completed" || position === 0,
        createdDateTime: created,
        ...(status === "completed" || position === 0 ? { checkedDateTime: modified } : {}),
      })),
    };
    if (options.dueInDays !== undefined) task.dueDateTime = utcDateTime(this.localMidnight(options.dueInDays));
    if (options.reminderHour !== undefined && options.dueInDays !== undefined) {
      task.isReminderOn = true;
      task.reminderDateTime = utcDateTime(this.localMidnight(options.dueInDays) + options.reminderHour * HOUR);
    }
    if (status === "completed") {
      // To Do records the day a task was finished, at midnight UTC.
      task.completedDateTime = utcDateTime(Math.floor(Date.parse(modified) / DAY) * DAY);
    }
    return task;
  }

  private defaultTasks(): StoredTask[] {
    const tasks: StoredTask[] = [];
    for (let i = 0; i < DEFAULT_LIST_TASKS; i++) {
      // Newest first: task i was created i * 7 hours before the seed day's morning.
      const createdAt = this.dayStart + 8 * HOUR - i * 7 * HOUR - this.random.int(0, 50) * MINUTE;
      const completed = i % 4 === 3;
      const template = WORK_TASKS[i % WORK_TASKS.length]!;
      const round = Math.floor(i / WORK_TASKS.length);
      const personal = i % 9 === 5;
      const person = this.random.pick(EXTERNAL_PEOPLE);
      const title = personal
        ? PERSONAL_TASKS[Math.floor(i / 9) % PERSONAL_TASKS.length]!
        : round === 0
          ? template.title
          : `Follow up with ${person.name.split(" ")[0]} about ${this.random.pick(FOLLOW_UP_TOPICS)}`;
      const hasDue = completed ? this.random.chance(0.5) : this.random.chance(0.7);
      // Open tasks: some overdue, some today, most in the next weeks; completed ones are past.
      const dueInDays = completed ? -this.random.int(1, 20) : this.random.int(-5, 25);
      tasks.push(
        this.task(title, createdAt, {
          status: completed ? "completed" : i % 7 === 0 ? this.random.pick(STATUSES) : "notStarted",
          importance: i % 6 === 1 ? "high" : i % 11 === 4 ? "low" : "normal",
          dueInDays: hasDue || i === 0 ? (i === 0 ? 0 : dueInDays) : undefined,
          body: personal ? undefined : round === 0 ? template.body : `Context: ${person.company}, ${person.jobTitle}.`,
          categories: personal ? ["Personal"] : i % 5 === 2 ? ["Marketing"] : [],
          checklist: round === 0 && !personal ? template.checklist : undefined,
          reminderHour: hasDue && !completed && i % 3 === 0 ? 9 : undefined,
        }),
      );
    }
    return tasks;
  }

  private flaggedTasks(): StoredTask[] {
    const topics = MAIL_TOPICS.filter((topic) => topic.audience !== "notification").slice(0, 4);
    return topics.map((topic, index) =>
      this.task(topic.subject, this.dayStart - (index + 1) * 11 * HOUR, {
        dueInDays: index < 2 ? index + 1 : undefined,
        body: topic.lines[0],
        importance: index === 0 ? "high" : "normal",
      }),
    );
  }

  private simpleTasks(
    label: string,
    titles: readonly string[],
    options: { importance?: Importance; due?: boolean },
  ): StoredTask[] {
    return titles.map((title, index) =>
      this.task(title, this.dayStart - (index + 2) * 13 * HOUR, {
        status: index === titles.length - 1 ? "completed" : index === 1 ? "inProgress" : "notStarted",
        importance: options.importance ?? (index === 0 ? "high" : "normal"),
        dueInDays: options.due ? 2 + index * 3 : undefined,
        categories: label === "Launch" ? ["Launch"] : [],
      }),
    );
  }
}

/** One demo user's To Do lists and tasks for the seed day starting at `dayStart`. */
export function seedTodo(user: DemoUser, dayStart: number): TodoStore {
  return new TodoSeeder(user, dayStart).build();
}
