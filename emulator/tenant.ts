/**
 * The demo tenant: fixed identifiers that the rest of the project and its tests
 * rely on. Nothing here is a real secret or a real Microsoft identifier.
 */

export const TENANT_ID = "6f1c9e43-2b7d-4c55-9a8e-3d2f0b7a1c00";
export const TENANT_DOMAIN = "contoso.example";
export const TENANT_NAME = "Contoso (demo)";

/** The demo Entra app registration (a confidential client) that `npm run dev` and the tests use. */
export const DEMO_CLIENT_ID = "8d3a9f1e-5b6c-4d2e-9f10-a1b2c3d4e5f6";
export const DEMO_CLIENT_SECRET = "local-dev-secret-not-for-production";
export const DEMO_APP_NAME = "M365 MCP Server (local development)";

/** The demo app accepts any loopback redirect URI over http, on any port and path. */
export function isAllowedRedirectUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) && url.hash === "";
  } catch {
    return false;
  }
}

export interface DemoUser {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string;
  userPrincipalName: string;
  jobTitle: string;
  department: string;
  officeLocation: string;
  city: string;
  country: string;
  mobilePhone: string;
  businessPhones: string[];
  preferredLanguage: string;
  /** Windows time zone name, as mailboxSettings.timeZone reports it. */
  timeZone: string;
  /** The zone's standard offset from UTC in hours (the seed ignores daylight saving time). */
  utcOffsetHours: number;
}

export const ADELE: DemoUser = {
  id: "4a1c3b1e-8f57-4e2a-9c1d-00000000a001",
  displayName: "Adele Vance",
  givenName: "Adele",
  surname: "Vance",
  mail: "adele@contoso.example",
  userPrincipalName: "adele@contoso.example",
  jobTitle: "Product Marketing Manager",
  department: "Marketing",
  officeLocation: "18/2111",
  city: "Seattle",
  country: "United States",
  mobilePhone: "+1 425 555 0109",
  businessPhones: ["+1 425 555 0100"],
  preferredLanguage: "en-US",
  timeZone: "Pacific Standard Time",
  utcOffsetHours: -8,
};

export const MEGAN: DemoUser = {
  id: "5b2d4c2f-9068-4f3b-8d2e-00000000b002",
  displayName: "Megan Bowen",
  givenName: "Megan",
  surname: "Bowen",
  mail: "megan@contoso.example",
  userPrincipalName: "megan@contoso.example",
  jobTitle: "Marketing Manager",
  department: "Marketing",
  officeLocation: "12/1110",
  city: "Berlin",
  country: "Germany",
  mobilePhone: "+49 30 555 0142",
  businessPhones: ["+49 30 555 0100"],
  preferredLanguage: "de-DE",
  timeZone: "W. Europe Standard Time",
  utcOffsetHours: 1,
};

export const ALEX: DemoUser = {
  id: "6c3e5d30-a179-4a4c-9e3f-00000000c003",
  displayName: "Alex Wilber",
  givenName: "Alex",
  surname: "Wilber",
  mail: "alex@contoso.example",
  userPrincipalName: "alex@contoso.example",
  jobTitle: "Designer",
  department: "Design",
  officeLocation: "131/1104",
  city: "New York",
  country: "United States",
  mobilePhone: "+1 212 555 0175",
  businessPhones: ["+1 212 555 0100"],
  preferredLanguage: "en-US",
  timeZone: "Eastern Standard Time",
  utcOffsetHours: -5,
};

export const DEMO_USERS: readonly DemoUser[] = [ADELE, MEGAN, ALEX];

/** A demo user by object id, user principal name or mail address (case-insensitive). */
export function findUser(idOrAddress: string): DemoUser | undefined {
  const key = idOrAddress.toLowerCase();
  return DEMO_USERS.find((user) => user.id === key || user.userPrincipalName === key || user.mail === key);
}
