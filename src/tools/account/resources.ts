import type { User } from "@microsoft/microsoft-graph-types";
import { defineResource } from "../spec.ts";

const PROFILE_FIELDS =
  "id,displayName,givenName,surname,mail,userPrincipalName,jobTitle,department,officeLocation,businessPhones,mobilePhone,preferredLanguage";

/** `microsoft://profile`: the signed-in user's directory profile. */
export const profileResource = defineResource({
  name: "profile",
  uri: "microsoft://profile",
  title: "My Microsoft 365 profile",
  description: "The signed-in user's name, email, job title, department, office and phones",
  mimeType: "application/json",
  icon: "account",
  scopes: ["User.Read"],
  cacheKind: "directory",
  // A directory profile changes rarely; five minutes of staleness is harmless.
  cacheSeconds: 300,
  async read(_variables, { graph }) {
    const user = await graph.get<User>("/me", { query: { $select: PROFILE_FIELDS } });
    const profile = Object.fromEntries(
      Object.entries(user).filter(
        ([key, value]) => !key.startsWith("@odata") && value !== null && !(Array.isArray(value) && value.length === 0),
      ),
    );
    return JSON.stringify(profile);
  },
});
