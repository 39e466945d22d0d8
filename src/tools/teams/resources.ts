import type { Channel, Team } from "@microsoft/microsoft-graph-types";
import type { GraphPage } from "../shared/paging.ts";
import { defineResource } from "../spec.ts";
import { teamSegment } from "./inputs.ts";

/** `microsoft://teams`: the user's teams with their channels, as JSON. */
export const teamsResource = defineResource({
  name: "teams",
  uri: "microsoft://teams",
  title: "My Microsoft Teams",
  description: "The teams the signed-in user belongs to, each with the channels they can see (ids for the Teams tools)",
  mimeType: "application/json",
  icon: "teams",
  scopes: ["Team.ReadBasic.All", "Channel.ReadBasic.All"],
  cacheKind: "teams",
  // Teams and channels change rarely; five minutes of staleness is harmless.
  cacheSeconds: 300,
  offeredWith: { kind: "teams" },
  async read(_variables, { graph }) {
    const joined = await graph.get<GraphPage<Team>>("/me/joinedTeams");
    const teams = await Promise.all(
      joined.value.map(async (team) => {
        const channels = await graph.get<GraphPage<Channel>>(`/teams/${teamSegment(team.id ?? "")}/channels`, {
          query: { $select: "id,displayName,description,membershipType" },
        });
        return {
          id: team.id,
          name: team.displayName,
          description: team.description ?? "",
          channels: channels.value.map((channel) => ({
            id: channel.id,
            name: channel.displayName,
            description: channel.description ?? "",
            membershipType: channel.membershipType,
          })),
        };
      }),
    );
    return JSON.stringify({ teams });
  },
});
