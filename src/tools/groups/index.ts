/** Microsoft 365 groups: the workload's tools, in the order clients list them. Group calendars and files go through the calendar and file tools. */
import { getGroupConversations, listGroups } from "./read.ts";
import { replyToGroupThread } from "./write.ts";

export const groupTools = [listGroups, getGroupConversations, replyToGroupThread];
