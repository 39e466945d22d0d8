/**
 * Finding a coworker in the directory by what a model knows of them: their
 * object id, or an email address. Graph addresses a user by id or user
 * principal name only (/users/{id | userPrincipalName}); a mail address often
 * differs from the UPN, so an address is looked up with $filter instead.
 */
import type { User } from "@microsoft/microsoft-graph-types";
import { GraphError } from "../../graph/errors.ts";
import type { GraphClient } from "../../graph/client.ts";
import { isId } from "./ids.ts";
import type { GraphPage } from "./paging.ts";

/** An OData string literal: single quotes doubled. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The $filter that finds the user mail reaches at `address`: their primary
 * address or UPN, and with `aliases` any of their proxy addresses (which
 * needs User.Read.All: User.ReadBasic.All reads the basic profile only).
 */
export function addressFilter(address: string, { aliases }: { aliases: boolean }): string {
  const clauses = [`mail eq ${literal(address)}`, `userPrincipalName eq ${literal(address)}`];
  if (aliases) clauses.push(`proxyAddresses/any(p:p eq ${literal(`smtp:${address}`)})`);
  return clauses.join(" or ");
}

/** Whether `value` can name a user: a directory object id or an email address (which a UPN looks like). */
export function isUserReference(value: string): boolean {
  return isId("guid", value) || isId("userPrincipalName", value);
}

/**
 * The user with that id or email address, with the `select`ed properties;
 * undefined when the directory has no such user. The caller checks the
 * reference with isUserReference first.
 */
export async function findDirectoryUser(
  graph: GraphClient,
  reference: string,
  select: string,
  options: { aliases: boolean },
): Promise<User | undefined> {
  if (isId("guid", reference)) {
    try {
      return await graph.get<User>(`/users/${encodeURIComponent(reference)}`, { query: { $select: select } });
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return undefined;
      throw error;
    }
  }
  const page = await graph.get<GraphPage<User>>("/users", {
    query: { $filter: addressFilter(reference, options), $select: select, $top: 2 },
  });
  return page.value[0];
}
