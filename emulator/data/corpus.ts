/** The words the demo tenant is made of: mail topics, people outside the tenant, meeting and contact material. */

export interface Person {
  name: string;
  address: string;
}

export type AttachmentKind = "pdf" | "docx" | "png" | "txt" | "csv" | "json" | "xml";

export interface MailTopic {
  subject: string;
  /** Colleagues discuss it, an outside partner does, or an automated sender notifies about it. */
  audience: "internal" | "external" | "notification";
  /** Sentences specific to the topic; bodies mix them with general ones. */
  lines: readonly string[];
  /** Files that travel with it, by name. */
  files: readonly string[];
  /** The automated sender of a notification. */
  sender?: Person;
}

export const EXTERNAL_PEOPLE: readonly (Person & { company: string; jobTitle: string; phone: string })[] = [
  {
    name: "Nestor Wilke",
    address: "nestor.wilke@fabrikam.example",
    company: "Fabrikam",
    jobTitle: "Account Director",
    phone: "+1 206 555 0131",
  },
  {
    name: "Lidia Holloway",
    address: "lidia@northwind.example",
    company: "Northwind Traders",
    jobTitle: "Head of Procurement",
    phone: "+44 20 7946 0958",
  },
  {
    name: "Patti Fernandez",
    address: "patti@adatum.example",
    company: "Adatum",
    jobTitle: "Event Manager",
    phone: "+1 312 555 0187",
  },
  {
    name: "Isaiah Langer",
    address: "isaiah@litware.example",
    company: "Litware",
    jobTitle: "Creative Director",
    phone: "+1 415 555 0112",
  },
  {
    name: "Grady Archie",
    address: "grady.archie@tailspin.example",
    company: "Tailspin Toys",
    jobTitle: "Product Owner",
    phone: "+61 2 5550 1234",
  },
  {
    name: "Diego Siciliani",
    address: "diego@wingtip.example",
    company: "Wingtip Toys",
    jobTitle: "Legal Counsel",
    phone: "+34 91 555 0166",
  },
];

const TRAVEL: Person = { name: "Contoso Travel", address: "noreply@travel.contoso-partners.example" };
const BANK: Person = { name: "Woodgrove Bank", address: "alerts@woodgrove.example" };
const SERVICE_DESK: Person = { name: "Contoso IT Service Desk", address: "servicedesk@contoso.example" };
const HR: Person = { name: "Contoso People Team", address: "people@contoso.example" };
const WEBINARS: Person = { name: "Litware Events", address: "events@litware.example" };

export const MAIL_TOPICS: readonly MailTopic[] = [
  {
    subject: "Q3 budget review",
    audience: "internal",
    lines: [
      "The Q3 budget is 4% over plan, mostly because of the event costs in September.",
      "Finance wants the revised forecast before the budget review on Thursday.",
      "Can we move some of the paid social spend into Q4?",
    ],
    files: ["Q3 budget.csv", "Budget review.pdf"],
  },
  {
    subject: "Launch plan for Mark 8",
    audience: "internal",
    lines: [
      "The Mark 8 launch is still on track for the first week of next month.",
      "Press briefings start two weeks before launch; the embargo lifts at 9:00 Pacific.",
      "We still need final product shots for the Mark 8 landing page.",
    ],
    files: ["Mark 8 launch plan.docx", "Mark 8 hero shot.png"],
  },
  {
    subject: "Offsite agenda",
    audience: "internal",
    lines: [
      "Here is the draft agenda for the marketing offsite.",
      "Day one is strategy, day two is hands-on planning for next year.",
      "Please send me dietary requirements for the team dinner.",
    ],
    files: ["Offsite agenda.docx"],
  },
  {
    subject: "Design review notes",
    audience: "internal",
    lines: [
      "Notes from today's design review are below.",
      "We agreed to simplify the onboarding flow to three screens.",
      "The new color palette needs an accessibility check before we ship.",
    ],
    files: ["Design review notes.txt", "Onboarding mockup.png"],
  },
  {
    subject: "Weekly status update",
    audience: "internal",
    lines: [
      "Campaign metrics are up 12% week over week.",
      "The website refresh slipped by three days because of the content review.",
      "No blockers this week, but the translation vendor needs our glossary.",
    ],
    files: ["Status metrics.csv"],
  },
  {
    subject: "Hiring: senior designer",
    audience: "internal",
    lines: [
      "We have four strong candidates for the senior designer role.",
      "Could you join the portfolio review on Wednesday afternoon?",
      "The hiring committee meets on Friday to make a decision.",
    ],
    files: ["Interview plan.docx"],
  },
  {
    subject: "Brand guidelines v2",
    audience: "internal",
    lines: [
      "Version 2 of the brand guidelines is ready for a final read.",
      "The main change is the new logo clear space and the updated typography.",
      "Legal asked us to add the trademark notice to every template.",
    ],
    files: ["Brand guidelines v2.pdf"],
  },
  {
    subject: "Press release draft",
    audience: "internal",
    lines: [
      "Attached is the first draft of the press release.",
      "The quote from our CEO still needs approval.",
      "Please keep the draft confidential until the embargo lifts.",
    ],
    files: ["Press release draft.docx"],
  },
  {
    subject: "Team lunch on Friday",
    audience: "internal",
    lines: [
      "Let's celebrate the launch with a team lunch on Friday at noon.",
      "I booked a table for twelve at the place across the street.",
    ],
    files: [],
  },
  {
    subject: "Roadmap planning for next year",
    audience: "internal",
    lines: [
      "Product wants our input on next year's roadmap by the end of the month.",
      "Please rank the top five customer requests from your area.",
      "We will consolidate everything in the planning workbook.",
    ],
    files: ["Roadmap input.csv"],
  },
  {
    subject: "Customer feedback from Northwind",
    audience: "external",
    lines: [
      "Our field teams love the new reporting dashboard.",
      "The one request we keep hearing is an export to CSV.",
      "Could we set up a call with your product team next week?",
    ],
    files: ["Northwind feedback summary.pdf"],
  },
  {
    subject: "Contract renewal with Fabrikam",
    audience: "external",
    lines: [
      "Our current agreement expires at the end of next quarter.",
      "We would like to discuss a two-year renewal with volume pricing.",
      "I have attached the redlined contract with our proposed changes.",
    ],
    files: ["Fabrikam contract redline.docx", "Pricing proposal.pdf"],
  },
  {
    subject: "Partner summit logistics",
    audience: "external",
    lines: [
      "The partner summit venue is confirmed for the second week of next month.",
      "We have reserved a block of twenty rooms at the conference hotel.",
      "Please send the names of your speakers by Friday.",
    ],
    files: ["Summit floor plan.png", "Summit schedule.pdf"],
  },
  {
    subject: "Campaign creative for the holiday season",
    audience: "external",
    lines: [
      "Here are three creative directions for the holiday campaign.",
      "Our recommendation is option B: it tested best with the focus group.",
      "We need your feedback by Tuesday to keep the production schedule.",
    ],
    files: ["Holiday creative options.pdf", "Option B banner.png"],
  },
  {
    subject: "Invoice 4471 overdue",
    audience: "external",
    lines: [
      "Our records show that invoice 4471 is now 15 days overdue.",
      "Could you check with your accounts payable team?",
      "I have attached a copy of the invoice for reference.",
    ],
    files: ["Invoice 4471.pdf"],
  },
  {
    subject: "Your trip to Berlin is confirmed",
    audience: "notification",
    sender: TRAVEL,
    lines: [
      "Your booking is confirmed. Flight CT 204 departs Seattle at 13:25 and arrives in Berlin at 09:10 the next day.",
      "Hotel: Contoso Suites Berlin Mitte, 3 nights.",
      "Check in online 24 hours before departure.",
    ],
    files: ["Itinerary.pdf"],
  },
  {
    subject: "Your monthly statement is ready",
    audience: "notification",
    sender: BANK,
    lines: [
      "Your corporate card statement for last month is now available.",
      "Please submit receipts for all transactions within 30 days.",
    ],
    files: ["Statement.pdf"],
  },
  {
    subject: "Security training reminder",
    audience: "notification",
    sender: SERVICE_DESK,
    lines: [
      "Your annual security awareness training is due in 7 days.",
      "The course takes about 25 minutes and can be paused at any time.",
    ],
    files: [],
  },
  {
    subject: "Expense report approved",
    audience: "notification",
    sender: HR,
    lines: [
      "Your expense report has been approved and will be paid with the next payroll run.",
      "Total reimbursed: 1,284.50 USD.",
    ],
    files: ["Expense summary.csv"],
  },
  {
    subject: "Webinar registration confirmed",
    audience: "notification",
    sender: WEBINARS,
    lines: [
      "Thanks for registering for 'Designing for accessibility'.",
      "The webinar starts at 10:00 Pacific. A recording will be sent to all registrants.",
    ],
    files: [],
  },
];

/** Sentences that fit into any thread. */
export const GENERAL_LINES: readonly string[] = [
  "Thanks for pulling this together so quickly.",
  "Could you take a look before our meeting on Thursday?",
  "Let me know if the timeline still works for your team.",
  "We need a decision on this by the end of the week.",
  "Happy to discuss on a quick call if that is easier.",
  "Please add your comments directly in the document.",
  "I have looped in the rest of the team for visibility.",
  "Sounds good to me, let's go ahead.",
  "I will follow up with the details tomorrow morning.",
  "Adding a couple of thoughts inline below.",
];

export const GREETINGS: readonly string[] = ["Hi", "Hello", "Hi there", "Morning"];
export const SIGN_OFFS: readonly string[] = ["Best regards", "Thanks", "Cheers", "Kind regards"];
export const CATEGORIES: readonly string[] = ["Red category", "Blue category", "Green category", "Yellow category"];

export interface MeetingTemplate {
  subject: string;
  /** Length in minutes. */
  minutes: number;
  location: string;
  online: boolean;
  agenda: string;
}

export const MEETINGS: readonly MeetingTemplate[] = [
  {
    subject: "Marketing team sync",
    minutes: 30,
    location: "Microsoft Teams Meeting",
    online: true,
    agenda: "Weekly priorities and blockers.",
  },
  {
    subject: "Mark 8 launch readiness",
    minutes: 60,
    location: "Conference Room 18/1001",
    online: true,
    agenda: "Go/no-go checklist for the launch.",
  },
  {
    subject: "1:1",
    minutes: 30,
    location: "Microsoft Teams Meeting",
    online: true,
    agenda: "Career goals and current projects.",
  },
  {
    subject: "Design review",
    minutes: 45,
    location: "Design Studio 131/2000",
    online: false,
    agenda: "Review of the onboarding flow mockups.",
  },
  {
    subject: "Budget planning",
    minutes: 60,
    location: "Conference Room 12/3300",
    online: true,
    agenda: "Q4 budget allocation across channels.",
  },
  {
    subject: "Customer call: Northwind",
    minutes: 45,
    location: "Microsoft Teams Meeting",
    online: true,
    agenda: "Feedback on the reporting dashboard.",
  },
  {
    subject: "Partner summit prep",
    minutes: 30,
    location: "Microsoft Teams Meeting",
    online: true,
    agenda: "Speaker list and logistics.",
  },
  {
    subject: "Lunch with Patti",
    minutes: 60,
    location: "Fourth Coffee, Main Street",
    online: false,
    agenda: "Catch up on the events calendar.",
  },
];

/** Unsolicited mail for the Junk Email folder. */
export const JUNK_MAIL: readonly { subject: string; sender: Person; line: string }[] = [
  {
    subject: "Congratulations! You have been selected",
    sender: { name: "Prize Center", address: "winner@lucky-prizes.example" },
    line: "Claim your reward today by confirming your shipping details.",
  },
  {
    subject: "Action required: verify your mailbox",
    sender: { name: "Mailbox Support", address: "support@mailbox-verify.example" },
    line: "Your mailbox will be closed in 24 hours unless you verify your password.",
  },
  {
    subject: "Exclusive offer on office supplies",
    sender: { name: "Office Deals", address: "deals@office-deals.example" },
    line: "Save 70% on printer paper and toner this week only.",
  },
];

/** Drafts the user has started and not sent. */
export const DRAFT_IDEAS: readonly { subject: string; lines: readonly string[] }[] = [
  {
    subject: "Newsletter ideas",
    lines: ["Customer spotlight: Northwind's reporting rollout.", "Behind the scenes of the Mark 8 photo shoot."],
  },
  {
    subject: "Feedback on the new intranet",
    lines: ["The search works much better now.", "The navigation on mobile still needs work."],
  },
];

/** A designed HTML newsletter (styles, links, a list and a table), as marketing mail arrives. */
export const NEWSLETTER = {
  subject: "This month at Litware Events",
  sender: WEBINARS,
  html:
    "<style>.hero{font-family:Segoe UI,sans-serif;color:#0b5394}td{padding:4px 8px}</style>" +
    '<div class="hero"><h1>This month at Litware Events</h1></div>' +
    "<p>Three sessions for marketing teams, all free for registered partners.</p>" +
    "<ul><li>Designing for accessibility, Tuesday 10:00 Pacific</li>" +
    "<li>Measuring campaign lift without cookies, Wednesday 09:00 Pacific</li>" +
    "<li>Writing release notes people read, Thursday 11:00 Pacific</li></ul>" +
    '<p>Save your seat on the <a href="https://events.litware.example/register?utm_source=newsletter&amp;utm_medium=email">registration page</a>, ' +
    'or browse the <a href="https://events.litware.example/archive">recordings archive</a>.</p>' +
    "<table><tr><th>Session</th><th>Seats left</th></tr><tr><td>Accessibility</td><td>42</td></tr>" +
    "<tr><td>Campaign lift</td><td>17</td></tr></table>" +
    '<p style="font-size:10px">You receive this because you registered for a Litware webinar. ' +
    '<a href="https://events.litware.example/unsubscribe">Unsubscribe</a></p>',
};

/** A partner's large files for review: big images and documents, and a configuration file. */
export const LAUNCH_ASSETS = {
  subject: "Mark 8 launch assets for review",
  lines: [
    "Attached are the final Mark 8 billboard and the print brochure for your review.",
    "The campaign settings and the product feed are attached too, in case your web team needs them.",
    "The billboard file is large; let me know if you need a smaller version for email.",
  ],
  files: [
    { name: "Mark 8 billboard.png", size: 1_650_000 },
    { name: "Mark 8 print brochure.pdf", size: 1_200_000 },
    { name: "campaign-settings.json", size: 2_400 },
    { name: "product-feed.xml", size: 3_200 },
  ],
};

/** Meeting notes long enough that a reader has to page through them. */
export const ADVISORY_NOTES = {
  subject: "Notes from the customer advisory board",
  sections: [
    "Opening and introductions",
    "Reporting and dashboards",
    "Mobile experience",
    "Pricing and packaging",
    "Support and onboarding",
    "Roadmap requests",
    "Partner ecosystem",
    "Security and compliance",
    "Wrap-up and next steps",
  ],
  lines: [
    "Customers asked for scheduled exports of every dashboard, not only the sales ones.",
    "Several members said the mobile app should work offline for at least a day.",
    "Northwind wants single sign-on across all of their subsidiaries by the end of the year.",
    "Fabrikam would pay for premium support if it included a named engineer.",
    "Most members prefer quarterly releases over monthly ones, with clear release notes.",
    "Onboarding takes too long for teams of more than fifty people; templates would help.",
    "Adatum asked whether data residency in the EU is on the roadmap.",
    "The group agreed to meet again in the spring, in person if travel budgets allow.",
    "Action item: share the draft roadmap with the board two weeks before the next meeting.",
    "Tailspin asked for an API to pull usage data into their own reporting tools.",
  ],
};
