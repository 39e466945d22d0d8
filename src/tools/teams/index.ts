/** Microsoft Teams: the workload's tools, in the order clients list them, and its resource. */
import { getChannelMessages, getChatMessages, listChannels, listChats, listTeams } from "./read.ts";
import { teamsResource } from "./resources.ts";
import { createTeamsMeeting, replyToChannelMessage, sendChatMessage, sendTeamsMessage } from "./write.ts";

export const teamsTools = [
  listTeams,
  listChannels,
  getChannelMessages,
  sendTeamsMessage,
  replyToChannelMessage,
  listChats,
  getChatMessages,
  sendChatMessage,
  createTeamsMeeting,
];

export const teamsResources = [teamsResource];
