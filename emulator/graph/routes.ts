/** Every Graph endpoint the emulator serves. New areas (calendar, contacts, Teams, files, To Do) add their table here. */
import { calendarRoutes } from "./calendar.ts";
import { chatRoutes } from "./chats.ts";
import { contactRoutes } from "./contacts.ts";
import { driveRoutes } from "./drive.ts";
import { groupRoutes } from "./groups.ts";
import { mailRoutes } from "./mail.ts";
import { onlineMeetingRoutes } from "./online-meetings.ts";
import { peopleRoutes } from "./people.ts";
import type { GraphRoute } from "./router.ts";
import { searchRoutes } from "./search.ts";
import { teamRoutes } from "./teams.ts";
import { todoRoutes } from "./todo.ts";
import { userRoutes } from "./users.ts";

export const GRAPH_ROUTES: readonly GraphRoute[] = [
  ...userRoutes,
  ...mailRoutes,
  ...teamRoutes,
  ...chatRoutes,
  ...onlineMeetingRoutes,
  ...todoRoutes,
  ...searchRoutes,
  ...contactRoutes,
  ...peopleRoutes,
  ...driveRoutes,
  ...calendarRoutes,
  ...groupRoutes,
];
