/** A demo user's seeded Outlook contacts: the colleagues and the partners they mail with. */
import type { StoredContact } from "../model.ts";
import { ADELE, ALEX, DEMO_USERS, MEGAN, TENANT_NAME, type DemoUser } from "../tenant.ts";
import { EXTERNAL_PEOPLE } from "./corpus.ts";
import { DIRECTORY } from "./directory.ts";
import { SeededRandom, stableId } from "./random.ts";
import { DAY, isoSeconds } from "./time.ts";

interface ContactCard {
  givenName: string;
  surname: string;
  address: string;
  companyName: string;
  jobTitle: string;
  department?: string;
  businessPhone: string;
  mobilePhone?: string;
  city: string;
  countryOrRegion: string;
  street?: string;
  postalCode?: string;
  personalNotes?: string;
  /** "1984-03-17": a birthday, as Outlook stores it. */
  birthday?: string;
  categories?: string[];
}

/** People known only from the address book. */
const ADDRESS_BOOK: readonly ContactCard[] = [
  {
    givenName: "Johanna",
    surname: "Lorenz",
    address: "johanna.lorenz@proseware.example",
    companyName: "Proseware",
    jobTitle: "Translator",
    businessPhone: "+49 89 555 0190",
    city: "Munich",
    countryOrRegion: "Germany",
    personalNotes: "Handles the German localization of product pages.",
  },
  {
    givenName: "Pradeep",
    surname: "Gupta",
    address: "pradeep@relecloud.example",
    companyName: "Relecloud",
    jobTitle: "Photographer",
    businessPhone: "+1 425 555 0147",
    mobilePhone: "+1 425 555 0148",
    city: "Redmond",
    countryOrRegion: "United States",
    personalNotes: "Shot the Mark 8 product photos.",
  },
  {
    givenName: "Enrico",
    surname: "Cattaneo",
    address: "enrico@fourthcoffee.example",
    companyName: "Fourth Coffee",
    jobTitle: "Catering Manager",
    businessPhone: "+39 02 5550 1234",
    city: "Milan",
    countryOrRegion: "Italy",
  },
  {
    givenName: "Siobhan",
    surname: "O'Brien",
    address: "siobhan.obrien@litware.example",
    companyName: "Litware",
    jobTitle: "Partner Marketing Lead",
    department: "Partner Marketing",
    businessPhone: "+353 1 555 0142",
    mobilePhone: "+353 87 555 0199",
    city: "Dublin",
    countryOrRegion: "Ireland",
    street: "12 Grand Canal Quay",
    postalCode: "D02 XY34",
    personalNotes: "Met at the partner summit. Prefers calls before noon Irish time.",
    birthday: "1986-09-14",
    categories: ["Blue category"],
  },
];

/** Colleagues from the directory that each user keeps in their address book, by alias. */
const SAVED_COLLEAGUES: Record<string, readonly string[]> = {
  [ADELE.id]: ["miriam", "sean", "grace", "christie", "ben", "emily", "allan", "debra"],
  [MEGAN.id]: ["miriam", "sean", "henrietta", "jonas", "daniel"],
  [ALEX.id]: ["christie", "lee", "hannah"],
};

/** How many more address-book entries each user has: Adele's book is over 50 contacts, so listings page. */
const GENERATED_CONTACTS: Record<string, number> = { [ADELE.id]: 58, [MEGAN.id]: 16, [ALEX.id]: 6 };

const GIVEN_NAMES = [
  "Aaron",
  "Beatriz",
  "Carlos",
  "Dana",
  "Elif",
  "Farah",
  "Gabriel",
  "Hiro",
  "Ines",
  "Jamal",
  "Kira",
  "Liam",
  "Maya",
  "Noah",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Stefan",
  "Tara",
  "Uma",
  "Victor",
  "Wen",
  "Yusuf",
  "Zoe",
];
const SURNAMES = [
  "Abbott",
  "Bauer",
  "Castillo",
  "Dubois",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ivanova",
  "Jansen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Rossi",
  "Silva",
  "Tanaka",
  "Vogel",
];
const COMPANIES: readonly { name: string; domain: string; city: string; country: string; phone: string }[] = [
  {
    name: "Alpine Ski House",
    domain: "alpineskihouse.example",
    city: "Denver",
    country: "United States",
    phone: "+1 303 555 0",
  },
  {
    name: "Blue Yonder Airlines",
    domain: "blueyonder.example",
    city: "Dallas",
    country: "United States",
    phone: "+1 214 555 0",
  },
  {
    name: "Coho Winery",
    domain: "cohowinery.example",
    city: "Portland",
    country: "United States",
    phone: "+1 503 555 0",
  },
  {
    name: "Contoso Pharmaceuticals",
    domain: "contosopharma.example",
    city: "Basel",
    country: "Switzerland",
    phone: "+41 61 555 0",
  },
  {
    name: "Graphic Design Institute",
    domain: "gdi.example",
    city: "London",
    country: "United Kingdom",
    phone: "+44 20 7946 0",
  },
  {
    name: "Humongous Insurance",
    domain: "humongous.example",
    city: "Hartford",
    country: "United States",
    phone: "+1 860 555 0",
  },
  {
    name: "Lucerne Publishing",
    domain: "lucernepublishing.example",
    city: "Lucerne",
    country: "Switzerland",
    phone: "+41 41 555 0",
  },
  {
    name: "Margie's Travel",
    domain: "margiestravel.example",
    city: "Vancouver",
    country: "Canada",
    phone: "+1 604 555 0",
  },
  {
    name: "Trey Research",
    domain: "treyresearch.example",
    city: "Boston",
    country: "United States",
    phone: "+1 617 555 0",
  },
  { name: "Woodgrove Bank", domain: "woodgrove.example", city: "Toronto", country: "Canada", phone: "+1 416 555 0" },
];
const JOB_TITLES = [
  "Account Manager",
  "Buyer",
  "Consultant",
  "Marketing Coordinator",
  "Office Manager",
  "Operations Lead",
  "Partner Manager",
  "Project Manager",
  "Sales Engineer",
  "Solutions Architect",
  "Travel Agent",
  "Writer",
];

/** Deterministic address-book entries: people at other companies the user met once or twice. */
function generatedCards(user: DemoUser, count: number): ContactCard[] {
  const random = new SeededRandom(Number.parseInt(user.id.slice(-4), 16) * 7919 + 17);
  const seen = new Set<string>();
  const result: ContactCard[] = [];
  while (result.length < count) {
    const givenName = random.pick(GIVEN_NAMES);
    const surname = random.pick(SURNAMES);
    if (seen.has(`${givenName} ${surname}`)) continue;
    seen.add(`${givenName} ${surname}`);
    const company = random.pick(COMPANIES);
    const extension = String(random.int(100, 999));
    result.push({
      givenName,
      surname,
      address: `${givenName}.${surname}@${company.domain}`.toLowerCase(),
      companyName: company.name,
      jobTitle: random.pick(JOB_TITLES),
      businessPhone: `${company.phone}${extension}`,
      ...(random.chance(0.4) ? { mobilePhone: `${company.phone}${String(random.int(100, 999))}` } : {}),
      city: company.city,
      countryOrRegion: company.country,
      ...(random.chance(0.15)
        ? { birthday: `19${random.int(60, 99)}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}` }
        : {}),
      ...(random.chance(0.2)
        ? { categories: [random.pick(["Blue category", "Green category", "Yellow category"])] }
        : {}),
    });
  }
  return result;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

function cards(user: DemoUser): ContactCard[] {
  const colleagues = DEMO_USERS.filter((other) => other.id !== user.id).map((other) => ({
    givenName: other.givenName,
    surname: other.surname,
    address: other.mail,
    companyName: TENANT_NAME,
    jobTitle: other.jobTitle,
    department: other.department,
    businessPhone: other.businessPhones[0] ?? "",
    mobilePhone: other.mobilePhone,
    city: other.city,
    countryOrRegion: other.country,
  }));
  const partners = EXTERNAL_PEOPLE.map((person) => {
    const [givenName = person.name, surname = ""] = person.name.split(" ");
    return {
      givenName,
      surname,
      address: person.address,
      companyName: person.company,
      jobTitle: person.jobTitle,
      businessPhone: person.phone,
      city: "",
      countryOrRegion: "",
    };
  });
  const saved = (SAVED_COLLEAGUES[user.id] ?? []).map((alias) => {
    const person = DIRECTORY.find((entry) => entry.mail.startsWith(`${alias}@`));
    if (!person) throw new Error(`no directory user ${alias}`);
    return {
      givenName: person.givenName,
      surname: person.surname,
      address: person.mail,
      companyName: TENANT_NAME,
      jobTitle: person.jobTitle,
      department: person.department,
      businessPhone: person.businessPhones[0] ?? "",
      ...(person.mobilePhone ? { mobilePhone: person.mobilePhone } : {}),
      city: person.city,
      countryOrRegion: person.country,
    };
  });
  return [
    ...colleagues,
    ...partners,
    ...ADDRESS_BOOK,
    ...saved,
    ...generatedCards(user, GENERATED_CONTACTS[user.id] ?? 0),
  ];
}

/** The seeded contacts of `user`, created a while before `dayStart`. */
export function seedContacts(user: DemoUser, dayStart: number): StoredContact[] {
  const folderId = stableId("AQMkADAwATM0MDAAMS1", user.id, "folder", "contacts");
  return cards(user).map((card, index) => {
    const created = isoSeconds(dayStart - Math.max(3, 600 - index * 7) * DAY);
    const displayName = `${card.givenName} ${card.surname}`.trim();
    return {
      id: stableId("AAMkAGI2", user.id, "contact", index),
      createdDateTime: created,
      lastModifiedDateTime: created,
      changeKey: stableId("", user.id, "contact-change", index).slice(0, 40),
      categories: card.categories ?? [],
      parentFolderId: folderId,
      birthday: card.birthday ? `${card.birthday}T11:59:00Z` : null,
      fileAs: `${card.surname}, ${card.givenName}`,
      displayName,
      givenName: card.givenName,
      initials: null,
      middleName: null,
      nickName: null,
      surname: card.surname,
      title: null,
      generation: null,
      imAddresses: [],
      jobTitle: card.jobTitle,
      companyName: card.companyName,
      department: card.department ?? null,
      officeLocation: null,
      profession: null,
      businessHomePage: null,
      assistantName: null,
      manager: null,
      homePhones: [],
      mobilePhone: card.mobilePhone ?? null,
      businessPhones: card.businessPhone ? [card.businessPhone] : [],
      spouseName: null,
      personalNotes: card.personalNotes ?? "",
      children: [],
      emailAddresses: [{ name: displayName, address: card.address }],
      homeAddress: {},
      businessAddress: card.city
        ? {
            ...(card.street ? { street: card.street } : {}),
            city: card.city,
            ...(card.postalCode ? { postalCode: card.postalCode } : {}),
            countryOrRegion: card.countryOrRegion,
          }
        : {},
      otherAddress: {},
    };
  });
}
