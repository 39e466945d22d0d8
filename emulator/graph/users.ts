/** `/me` and `/users/{id}`. */
import { applySelect } from "./odata.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";
import { findUser, type DemoUser } from "../tenant.ts";

function userResource(user: DemoUser): Record<string, unknown> {
  return {
    businessPhones: user.businessPhones,
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: user.mobilePhone,
    officeLocation: user.officeLocation,
    preferredLanguage: user.preferredLanguage,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    department: user.department,
  };
}

function answer(context: GraphContext, user: DemoUser, contextPath: string) {
  const select = context.request.url.searchParams.get("$select");
  const body = applySelect(userResource(user), select);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#${contextPath}${select ? `(${select})` : ""}/$entity`,
    ...body,
  });
}

export const userRoutes: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^\/me$/,
    anyScope: ["User.Read", "User.ReadBasic.All", "User.Read.All"],
    handle: (context) => answer(context, context.user, "users"),
  },
  {
    method: "GET",
    pattern: /^\/users\/([^/]+)$/,
    anyScope: ["User.Read", "User.ReadBasic.All", "User.Read.All"],
    handle(context) {
      const user = findUser(context.params[0] ?? "");
      if (!user)
        throw new GraphFailure(
          404,
          "Request_ResourceNotFound",
          `Resource '${context.params[0]}' does not exist or one of its queried reference-property objects are not present.`,
        );
      return answer(context, user, "users");
    },
  },
];
