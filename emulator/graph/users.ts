/** /me, /users/{id | userPrincipalName} and /me/mailboxSettings. */
import type { MailboxSettings, User } from "@microsoft/microsoft-graph-types";
import { TENANT_NAME, findUser, type DemoUser } from "../tenant.ts";
import { applySelect, parseSelect, type EntitySchema } from "./odata/select.ts";
import { graphJson, GraphFailure } from "./responses.ts";
import type { GraphContext, GraphRoute } from "./router.ts";

const READ_PROFILE = ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All"];
const READ_OTHERS = ["User.ReadBasic.All", "User.Read.All"];

const USER_SCHEMA: EntitySchema = {
  type: "microsoft.graph.user",
  properties: [
    "id",
    "accountEnabled",
    "businessPhones",
    "city",
    "companyName",
    "country",
    "department",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mailboxSettings",
    "mailNickname",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
  ],
  // What Graph v1.0 returns for a user without $select.
  defaultProperties: [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
  ],
};

function mailboxSettings(user: DemoUser): MailboxSettings {
  return {
    timeZone: user.timeZone,
    dateFormat: user.preferredLanguage === "en-US" ? "M/d/yyyy" : "dd.MM.yyyy",
    timeFormat: user.preferredLanguage === "en-US" ? "h:mm tt" : "HH:mm",
    language: { locale: user.preferredLanguage, displayName: user.preferredLanguage },
    workingHours: {
      daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      startTime: "08:00:00.0000000",
      endTime: "17:00:00.0000000",
      timeZone: { name: user.timeZone },
    },
    automaticRepliesSetting: { status: "disabled", externalAudience: "none" },
    delegateMeetingMessageDeliveryOptions: "sendToDelegateOnly",
    userPurpose: "user",
  };
}

function userResource(user: DemoUser): User {
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
    accountEnabled: true,
    city: user.city,
    companyName: TENANT_NAME,
    country: user.country,
    department: user.department,
    mailboxSettings: mailboxSettings(user),
    mailNickname: user.mail.split("@")[0],
    usageLocation: user.country === "Germany" ? "DE" : "US",
    userType: "Member",
  };
}

function answerUser(context: GraphContext, user: DemoUser) {
  const select = parseSelect(context.query, USER_SCHEMA);
  return graphJson(context.request, 200, {
    "@odata.context": `${context.origin}/v1.0/$metadata#users${select ? `(${select.join(",")})` : ""}/$entity`,
    ...applySelect({ ...userResource(user) }, USER_SCHEMA, select),
  });
}

export const userRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me", scopes: READ_PROFILE, handle: (context) => answerUser(context, context.user) },
  {
    method: "GET",
    path: "/users/{userId}",
    scopes: READ_PROFILE,
    handle(context) {
      const user = findUser(context.params.userId ?? "");
      if (!user) {
        throw new GraphFailure(
          404,
          "Request_ResourceNotFound",
          `Resource '${context.params.userId}' does not exist or one of its queried reference-property objects are not present.`,
        );
      }
      if (user.id !== context.user.id && !READ_OTHERS.some((scope) => context.grant.scopes.includes(scope))) {
        throw new GraphFailure(
          403,
          "Authorization_RequestDenied",
          "Insufficient privileges to complete the operation.",
        );
      }
      return answerUser(context, user);
    },
  },
  {
    method: "GET",
    path: "/me/mailboxSettings",
    scopes: ["MailboxSettings.Read", "MailboxSettings.ReadWrite"],
    handle: (context) =>
      graphJson(context.request, 200, {
        "@odata.context": `${context.origin}/v1.0/$metadata#users('${context.user.id}')/mailboxSettings`,
        ...mailboxSettings(context.user),
      }),
  },
];
