/** Every Graph endpoint the emulator serves. New areas (calendar, contacts, Teams, files, To Do) add their table here. */
import { mailRoutes } from "./mail.ts";
import type { GraphRoute } from "./router.ts";
import { userRoutes } from "./users.ts";

export const GRAPH_ROUTES: readonly GraphRoute[] = [...userRoutes, ...mailRoutes];
