import type { MailboxSettings } from "@microsoft/microsoft-graph-types";
import { GraphError } from "../../graph/errors.ts";
import type { ToolContext } from "../spec.ts";

/** A mailbox's time zone changes rarely; an hour of staleness is harmless. */
const TIME_ZONE_CACHE_SECONDS = 3600;

/**
 * The user's mailbox time zone as Graph reports it (usually a Windows name),
 * read once an hour per user and shared by every tool that shows local
 * times. "UTC" when the account has no mailbox or the setting cannot be read.
 */
export async function mailboxTimeZone({ graph, cache }: Pick<ToolContext, "graph" | "cache">): Promise<string> {
  return cache.read("mailbox-time-zone", TIME_ZONE_CACHE_SECONDS, async () => {
    try {
      const settings = await graph.get<MailboxSettings>("/me/mailboxSettings", { query: { $select: "timeZone" } });
      return settings.timeZone || "UTC";
    } catch (error) {
      if (error instanceof GraphError && (error.status === 403 || error.status === 404)) return "UTC";
      throw error;
    }
  });
}
