/** People: those most relevant to the user, and the users of their organization's directory. */
import type { Person, User } from "@microsoft/microsoft-graph-types";
import { z } from "zod";
import { GraphError, ToolError } from "../../graph/errors.ts";
import { findDirectoryUser, isUserReference } from "../shared/directory-user.ts";
import { clip } from "../shared/format.ts";
import { plural } from "../shared/format.ts";
import { countInput as pageCount, moreLine, type GraphPage } from "../shared/paging.ts";
import { defineTool } from "../spec.ts";
import { personSummary, summarizePerson, userLine, userSummary, workOf } from "./format.ts";
import { countInput, cursorInput, nextCursorOutput, odataString } from "./inputs.ts";

const PEOPLE_FIELDS = "displayName,scoredEmailAddresses,jobTitle,department,companyName,personType";

export const searchPeople = defineTool({
  name: "searchPeople",
  title: "Find relevant people",
  description:
    "People the user works with most (mail, meetings, org chart), or whose name or email starts with query. Best to find an address.",
  input: {
    query: z.string().trim().min(1).max(100).optional().describe("Name or email start; omit for the most relevant"),
    count: pageCount(10, 50, "How many people"),
  },
  output: { people: z.array(personSummary) },
  scopes: ["People.Read"],
  access: "read",
  cacheKind: "directory",
  async run({ query, count }, { graph }) {
    const page = await graph.get<GraphPage<Person>>("/me/people", {
      query: { $top: count, $select: PEOPLE_FIELDS, ...(query ? { $search: `"${query.replace(/"/g, " ")}"` } : {}) },
    });
    const people = page.value.map(summarizePerson);
    const heading = query ? `People matching "${query}"` : "Most relevant people";
    const text =
      people.length === 0
        ? `No people match "${query ?? ""}". Try searchUsers for the whole directory.`
        : [
            `${heading}: ${plural(people.length, "person", "people")}.`,
            ...people.map(
              (person, index) =>
                `${index + 1}. ${person.name}${person.email ? ` <${person.email}>` : ""}${person.work ? ` | ${person.work}` : ""} | ${person.kind}`,
            ),
          ].join("\n");
    return { text, structured: { people } };
  },
});

const USER_FIELDS = "id,displayName,mail,userPrincipalName,jobTitle,department,officeLocation";
const USER_DETAIL_FIELDS = `${USER_FIELDS},businessPhones,mobilePhone,city,country`;

export const getUser = defineTool({
  name: "getUser",
  title: "Look up a coworker",
  description: "A coworker's directory profile by email or id: title, department, office, phones, optionally manager.",
  input: {
    user: z.string().trim().min(1).max(320).describe("Email or user id"),
    manager: z.boolean().default(false).describe("Also return their manager"),
  },
  output: {
    id: z.string(),
    name: z.string(),
    email: z.string(),
    work: z.string(),
    phones: z.array(z.string()),
    manager: z.string().optional(),
  },
  scopes: ["User.Read.All"],
  access: "read",
  cacheKind: "directory",
  async run({ user, manager }, { graph }) {
    if (!isUserReference(user)) {
      throw new ToolError(
        "invalid_input",
        `user: "${clip(user, 60)}" is neither a user id (GUID) nor an email address.`,
      );
    }
    // An address is found through the directory: Graph's /users/{x} takes an id or UPN, which the mail may not be.
    const found = await findDirectoryUser(graph, user, USER_DETAIL_FIELDS, { aliases: true });
    if (!found?.id) throw new ToolError("not_found", `No user "${clip(user, 60)}" in the directory.`);
    let managerText: string | undefined;
    if (manager) {
      try {
        const boss = await graph.get<User>(`/users/${encodeURIComponent(found.id)}/manager`, {
          query: { $select: USER_FIELDS },
        });
        managerText = userLine(boss);
      } catch (error) {
        if (!(error instanceof GraphError && error.status === 404)) throw error;
        managerText = "none";
      }
    }
    const phones = [...(found.businessPhones ?? []), ...(found.mobilePhone ? [found.mobilePhone] : [])];
    const result = {
      id: found.id ?? "",
      name: found.displayName ?? "",
      email: found.mail || found.userPrincipalName || "",
      work: workOf(found.jobTitle, found.department, found.officeLocation),
      phones,
      ...(managerText !== undefined ? { manager: managerText } : {}),
    };
    const place = workOf(found.city, found.country);
    const lines = [
      `${result.name} <${result.email}>`,
      result.work ? `Work: ${result.work}` : "",
      place ? `Location: ${place}` : "",
      phones.length ? `Phone: ${phones.join(", ")}` : "",
      managerText !== undefined ? `Manager: ${managerText}` : "",
      `id: ${result.id}`,
    ];
    return { text: lines.filter(Boolean).join("\n"), structured: result };
  },
});

export const searchUsers = defineTool({
  name: "searchUsers",
  title: "Search the directory",
  description: "Search the organization's directory by name or email start, or list a department.",
  input: {
    query: z.string().trim().min(1).max(100).optional().describe("Start of a name or email"),
    department: z.string().trim().min(1).max(100).optional().describe("Exact department, e.g. Sales"),
    count: countInput,
    cursor: cursorInput,
  },
  output: { users: z.array(userSummary), total: z.number().optional(), nextCursor: nextCursorOutput },
  scopes: ["User.ReadBasic.All"],
  access: "read",
  cacheKind: "directory",
  async run({ query, department, count, cursor }, { graph }) {
    // Entra serves $search and $count only as advanced queries, which need this header.
    const headers = { ConsistencyLevel: "eventual" };
    const term = query?.replace(/["\\]/g, " ").trim();
    const page = await graph.get<GraphPage<User>>(cursor ?? "/users", {
      headers,
      query: cursor
        ? undefined
        : {
            $top: count,
            $select: USER_FIELDS,
            $count: true,
            $orderby: "displayName",
            ...(term ? { $search: `"displayName:${term}" OR "mail:${term}"` } : {}),
            ...(department ? { $filter: `department eq ${odataString(department)}` } : {}),
          },
    });
    const users = page.value.map((user) => ({
      id: user.id ?? "",
      name: user.displayName ?? "",
      email: user.mail || user.userPrincipalName || "",
      work: workOf(user.jobTitle, user.department, user.officeLocation),
    }));
    const total = page["@odata.count"];
    const nextCursor = page["@odata.nextLink"];
    const what = [query ? `"${query}"` : "", department ? `department ${department}` : ""].filter(Boolean).join(", ");
    const heading = `Directory${what ? ` (${what})` : ""}: ${plural(users.length, "user")}${total !== undefined && total > users.length ? ` of ${total}` : ""}.`;
    const text =
      users.length === 0
        ? `No one in the directory matches ${what || "the search"}.`
        : [
            heading,
            ...users.map(
              (user, index) =>
                `${index + 1}. ${user.name} <${user.email}>${user.work ? ` | ${user.work}` : ""} | id: ${user.id}`,
            ),
            ...moreLine(nextCursor),
          ].join("\n");
    return {
      text,
      structured: { users, ...(total !== undefined ? { total } : {}), ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});
