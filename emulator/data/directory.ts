/**
 * The demo tenant's directory: the three users who can sign in (tenant.ts)
 * and the colleagues around them, with departments, offices, phones and a
 * reporting line up to the CEO. Tenant-wide and read-only, the same on every
 * start.
 */
import { ADELE, ALEX, DEMO_USERS, MEGAN, TENANT_DOMAIN, type DemoUser } from "../tenant.ts";
import { stableGuid } from "./random.ts";

/** A user of the directory, as /users serves them. */
export interface DirectoryUser extends Omit<DemoUser, "utcOffsetHours"> {
  /** Null for the top of the organization. */
  managerId: string | null;
  /** Whether the user can sign in to the emulator (one of DEMO_USERS). */
  canSignIn: boolean;
  /** Every address mail reaches the user at: "SMTP:" the primary (mail), "smtp:" the others. */
  proxyAddresses: string[];
}

interface Office {
  city: string;
  country: string;
  building: string;
  phonePrefix: string;
  timeZone: string;
  preferredLanguage: string;
}

const OFFICES: Record<string, Office> = {
  seattle: {
    city: "Seattle",
    country: "United States",
    building: "18",
    phonePrefix: "+1 425 555 0",
    timeZone: "Pacific Standard Time",
    preferredLanguage: "en-US",
  },
  newYork: {
    city: "New York",
    country: "United States",
    building: "131",
    phonePrefix: "+1 212 555 0",
    timeZone: "Eastern Standard Time",
    preferredLanguage: "en-US",
  },
  berlin: {
    city: "Berlin",
    country: "Germany",
    building: "12",
    phonePrefix: "+49 30 555 0",
    timeZone: "W. Europe Standard Time",
    preferredLanguage: "de-DE",
  },
  chicago: {
    city: "Chicago",
    country: "United States",
    building: "24",
    phonePrefix: "+1 312 555 0",
    timeZone: "Central Standard Time",
    preferredLanguage: "en-US",
  },
};

interface Colleague {
  givenName: string;
  surname: string;
  /** The part before @; the given name, lower case, when absent. */
  alias?: string;
  /**
   * The sign-in name's part before @, when it is not the alias: the user
   * principal name then differs from the mail address, as it does for people
   * whose account predates a naming scheme. Graph addresses them by id or UPN only.
   */
  upnAlias?: string;
  /** Further addresses of the mailbox ("smtp:" proxy addresses), part before @. */
  otherAliases?: string[];
  jobTitle: string;
  department: string;
  office: keyof typeof OFFICES;
  /** The manager's alias; none for the CEO. */
  manager?: string;
}

/** Everyone in the directory who cannot sign in, by reporting line. */
const COLLEAGUES: readonly Colleague[] = [
  {
    givenName: "Lynne",
    surname: "Robbins",
    jobTitle: "Chief Executive Officer",
    department: "Executive Management",
    office: "seattle",
  },
  {
    givenName: "Debra",
    surname: "Berger",
    jobTitle: "Executive Assistant",
    department: "Executive Management",
    office: "seattle",
    manager: "lynne",
  },
  {
    givenName: "Miriam",
    surname: "Graham",
    jobTitle: "Director of Marketing",
    department: "Marketing",
    office: "seattle",
    manager: "lynne",
  },
  {
    givenName: "Sean",
    surname: "O'Brien",
    jobTitle: "Content Strategist",
    department: "Marketing",
    office: "seattle",
    manager: "miriam",
  },
  {
    givenName: "Grace",
    surname: "Tan",
    jobTitle: "Marketing Analyst",
    department: "Marketing",
    office: "seattle",
    manager: "miriam",
  },
  {
    givenName: "Daniel",
    surname: "Brooks",
    jobTitle: "Events Coordinator",
    department: "Marketing",
    office: "newYork",
    manager: "miriam",
  },
  {
    givenName: "Christie",
    surname: "Cline",
    jobTitle: "Design Director",
    department: "Design",
    office: "newYork",
    manager: "lynne",
  },
  {
    givenName: "Lee",
    surname: "Gu",
    jobTitle: "UX Researcher",
    department: "Design",
    office: "newYork",
    manager: "christie",
  },
  {
    givenName: "Hannah",
    surname: "Weber",
    upnAlias: "hweber",
    otherAliases: ["hannah.weber"],
    jobTitle: "Visual Designer",
    department: "Design",
    office: "berlin",
    manager: "christie",
  },
  {
    givenName: "Henrietta",
    surname: "Mueller",
    jobTitle: "VP of Engineering",
    department: "Engineering",
    office: "berlin",
    manager: "lynne",
  },
  {
    givenName: "Jonas",
    surname: "Becker",
    jobTitle: "Senior Software Engineer",
    department: "Engineering",
    office: "berlin",
    manager: "henrietta",
  },
  {
    givenName: "Pavel",
    surname: "Bansky",
    jobTitle: "Software Engineer",
    department: "Engineering",
    office: "berlin",
    manager: "henrietta",
  },
  {
    givenName: "Sofia",
    surname: "Martins",
    jobTitle: "Product Manager",
    department: "Engineering",
    office: "berlin",
    manager: "henrietta",
  },
  {
    givenName: "Ravi",
    surname: "Kumar",
    jobTitle: "Data Scientist",
    department: "Engineering",
    office: "seattle",
    manager: "henrietta",
  },
  {
    givenName: "Ben",
    surname: "Walters",
    jobTitle: "Sales Director",
    department: "Sales",
    office: "chicago",
    manager: "lynne",
  },
  {
    givenName: "Cameron",
    surname: "White",
    jobTitle: "Account Executive",
    department: "Sales",
    office: "chicago",
    manager: "ben",
  },
  {
    givenName: "Marcus",
    surname: "Obi",
    jobTitle: "Sales Representative",
    department: "Sales",
    office: "chicago",
    manager: "ben",
  },
  {
    givenName: "Raul",
    surname: "Razo",
    jobTitle: "Chief Financial Officer",
    department: "Finance",
    office: "seattle",
    manager: "lynne",
  },
  {
    givenName: "Emily",
    surname: "Braun",
    jobTitle: "Budget Analyst",
    department: "Finance",
    office: "seattle",
    manager: "raul",
  },
  {
    givenName: "Olivia",
    surname: "Chen",
    jobTitle: "Accountant",
    department: "Finance",
    office: "newYork",
    manager: "raul",
  },
  {
    givenName: "Allan",
    surname: "Deyoung",
    jobTitle: "IT Director",
    department: "IT",
    office: "seattle",
    manager: "lynne",
  },
  {
    givenName: "Tomas",
    surname: "Rivera",
    jobTitle: "Support Engineer",
    department: "IT",
    office: "seattle",
    manager: "allan",
  },
  {
    givenName: "Nina",
    surname: "Conrad",
    jobTitle: "HR Director",
    department: "Human Resources",
    office: "seattle",
    manager: "lynne",
  },
  {
    givenName: "Aisha",
    surname: "Khan",
    jobTitle: "Recruiter",
    department: "Human Resources",
    office: "newYork",
    manager: "nina",
  },
  {
    givenName: "Irvin",
    surname: "Sayers",
    jobTitle: "General Counsel",
    department: "Legal",
    office: "seattle",
    manager: "lynne",
  },
  {
    givenName: "Joni",
    surname: "Sherman",
    jobTitle: "Paralegal",
    department: "Legal",
    office: "seattle",
    manager: "irvin",
  },
];

/** Who the users who can sign in report to, by alias. */
const DEMO_MANAGERS: Record<string, string> = { [ADELE.id]: "miriam", [MEGAN.id]: "miriam", [ALEX.id]: "christie" };

function aliasOf(colleague: Colleague): string {
  return colleague.alias ?? colleague.givenName.toLowerCase();
}

function idOf(alias: string): string {
  return stableGuid("directory", alias);
}

function colleagueUser(colleague: Colleague, index: number): DirectoryUser {
  const office = OFFICES[colleague.office]!;
  const alias = aliasOf(colleague);
  const address = `${alias}@${TENANT_DOMAIN}`;
  const principal = `${colleague.upnAlias ?? alias}@${TENANT_DOMAIN}`;
  const others = [...(colleague.otherAliases ?? []), ...(colleague.upnAlias ? [colleague.upnAlias] : [])];
  const extension = String(110 + index * 3).padStart(3, "0");
  return {
    id: idOf(alias),
    displayName: `${colleague.givenName} ${colleague.surname}`,
    givenName: colleague.givenName,
    surname: colleague.surname,
    mail: address,
    userPrincipalName: principal,
    jobTitle: colleague.jobTitle,
    department: colleague.department,
    officeLocation: `${office.building}/${1100 + index * 7}`,
    city: office.city,
    country: office.country,
    // Every third colleague has no mobile number in the directory.
    mobilePhone: index % 3 === 2 ? "" : `${office.phonePrefix}${String(500 + index).slice(-3)}`,
    businessPhones: [`${office.phonePrefix}${extension}`],
    preferredLanguage: office.preferredLanguage,
    timeZone: office.timeZone,
    managerId: colleague.manager ? idOf(colleague.manager) : null,
    canSignIn: false,
    proxyAddresses: [`SMTP:${address}`, ...others.map((other) => `smtp:${other}@${TENANT_DOMAIN}`)],
  };
}

function demoUser(user: DemoUser): DirectoryUser {
  const { utcOffsetHours: _offset, ...profile } = user;
  return {
    ...profile,
    managerId: idOf(DEMO_MANAGERS[user.id]!),
    canSignIn: true,
    proxyAddresses: [`SMTP:${user.mail}`],
  };
}

/** Every user of the directory, the ones who can sign in first. */
export const DIRECTORY: readonly DirectoryUser[] = [...DEMO_USERS.map(demoUser), ...COLLEAGUES.map(colleagueUser)];

/**
 * A directory user as a /users/{id | userPrincipalName} path names one: by
 * object id or user principal name (case-insensitive), never by mail address.
 */
export function findDirectoryUser(idOrPrincipalName: string): DirectoryUser | undefined {
  const key = idOrPrincipalName.toLowerCase();
  return DIRECTORY.find((user) => user.id === key || user.userPrincipalName.toLowerCase() === key);
}

/** A directory user whom mail reaches at `address`: the primary address or any proxy address (case-insensitive). */
export function findDirectoryUserByAddress(address: string): DirectoryUser | undefined {
  const key = address.toLowerCase();
  return DIRECTORY.find((user) =>
    user.proxyAddresses.some((proxy) => proxy.slice(proxy.indexOf(":") + 1).toLowerCase() === key),
  );
}

export function managerOf(user: DirectoryUser): DirectoryUser | undefined {
  return user.managerId ? DIRECTORY.find((candidate) => candidate.id === user.managerId) : undefined;
}

export function directReportsOf(user: DirectoryUser): DirectoryUser[] {
  return DIRECTORY.filter((candidate) => candidate.managerId === user.id);
}
