/** A demo user's seeded Outlook contacts: the colleagues and the partners they mail with. */
import type { StoredContact } from "../model.ts";
import { DEMO_USERS, TENANT_NAME, type DemoUser } from "../tenant.ts";
import { EXTERNAL_PEOPLE } from "./corpus.ts";
import { stableId } from "./random.ts";
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
  personalNotes?: string;
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
];

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
  return [...colleagues, ...partners, ...ADDRESS_BOOK];
}

/** The seeded contacts of `user`, created a while before `dayStart`. */
export function seedContacts(user: DemoUser, dayStart: number): StoredContact[] {
  const folderId = stableId("AQMkADAwATM0MDAAMS1", user.id, "folder", "contacts");
  return cards(user).map((card, index) => {
    const created = isoSeconds(dayStart - (200 - index * 7) * DAY);
    const displayName = `${card.givenName} ${card.surname}`.trim();
    return {
      id: stableId("AAMkAGI2", user.id, "contact", index),
      createdDateTime: created,
      lastModifiedDateTime: created,
      changeKey: stableId("", user.id, "contact-change", index).slice(0, 40),
      categories: [],
      parentFolderId: folderId,
      birthday: null,
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
      businessAddress: card.city ? { city: card.city, countryOrRegion: card.countryOrRegion } : {},
      otherAddress: {},
    };
  });
}
