import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

/** Prompts for common jobs, phrased as instructions to the model using this server's tools. */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    "triageInbox",
    {
      title: "Triage my inbox",
      description: "Sort unread mail into what needs a reply, what to read, and what can wait",
      argsSchema: { count: z.string().optional().describe("How many unread messages to look at (default 20)") },
    },
    ({ count }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: `Call getEmails with unreadOnly=true and count=${Number(count) > 0 ? Math.min(Number(count), 50) : 20}. Group the messages into: needs my reply, worth reading, can wait. For each, give sender, subject and one line on why. Do not send or change anything.`,
          },
        },
      ],
    }),
  );
}
