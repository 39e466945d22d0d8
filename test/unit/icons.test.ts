/**
 * Workload icons: every resource, resource template and prompt a client lists
 * carries the icon of the workload it concerns, and that icon is the drawing
 * the Worker serves as an SVG at an address of its own.
 */
import { describe, expect, it } from "vitest";
import { connectClient, ORIGIN, signIn, worker } from "./helpers.ts";

/** Where the Worker serves the icon each listed item should carry, by name. */
const EXPECTED_ICON = {
  resources: { profile: "/icons/account.svg", teams: "/icons/teams.svg", calendars: "/icons/calendar.svg" },
  templates: { message: "/icons/mail.svg", event: "/icons/calendar.svg", file: "/icons/files.svg" },
  prompts: {
    triageInbox: "/icons/mail.svg",
    dailyBriefing: "/icon.svg",
    scheduleMeeting: "/icons/calendar.svg",
    catchUpOnTeams: "/icons/teams.svg",
  },
} as const;

interface Listed {
  name: string;
  icons?: { src: string; mimeType?: string; sizes?: string[] }[];
}

/** The body the Worker serves at `path`, checked to be an SVG image browsers may keep. */
async function servedSvg(path: string): Promise<string> {
  const response = await worker(new Request(`${ORIGIN}${path}`));
  expect(response.status, path).toBe(200);
  expect(response.headers.get("content-type"), path).toBe("image/svg+xml");
  expect(response.headers.get("cache-control"), path).toBe("public, max-age=86400");
  return response.text();
}

/** Checks each item's SVG icon is the one served at the path `expected` gives for its name. */
async function expectServedIcons(items: readonly Listed[], expected: Record<string, string>): Promise<void> {
  expect(items.map((item) => item.name).sort()).toEqual(Object.keys(expected).sort());
  for (const item of items) {
    const svg = item.icons?.find((icon) => icon.mimeType === "image/svg+xml");
    expect(svg, item.name).toMatchObject({ sizes: ["any"] });
    const prefix = "data:image/svg+xml;base64,";
    expect(svg!.src.startsWith(prefix), item.name).toBe(true);
    expect(atob(svg!.src.slice(prefix.length)), item.name).toBe(await servedSvg(expected[item.name]!));
  }
}

describe("workload icons", () => {
  it("are on every resource and resource template, each its workload's", async () => {
    const client = await connectClient((await signIn()).access_token);
    await expectServedIcons((await client.listResources()).resources, EXPECTED_ICON.resources);
    await expectServedIcons((await client.listResourceTemplates()).resourceTemplates, EXPECTED_ICON.templates);
  });

  it("are on every prompt, whose arguments are still listed as they were", async () => {
    const client = await connectClient((await signIn()).access_token);
    const { prompts } = await client.listPrompts();
    await expectServedIcons(prompts, EXPECTED_ICON.prompts);
    const argumentsOf = (name: string) =>
      prompts
        .find((prompt) => prompt.name === name)
        ?.arguments?.map((argument) => [argument.name, argument.required, Boolean(argument.description)]);
    expect(argumentsOf("scheduleMeeting")).toEqual([
      ["attendees", true, true],
      ["topic", true, true],
      ["duration", false, true],
      ["when", false, true],
    ]);
    expect(argumentsOf("triageInbox")).toEqual([["count", false, true]]);
    expect(prompts.find((prompt) => prompt.name === "dailyBriefing")).not.toHaveProperty("arguments");
    expect(prompts.find((prompt) => prompt.name === "scheduleMeeting")).toMatchObject({
      title: "Schedule a meeting",
      description: expect.stringContaining("Find a time"),
    });
  });

  it("are served as SVG drawings that may not run script", async () => {
    for (const path of new Set(Object.values(EXPECTED_ICON).flatMap((byName) => Object.values(byName)))) {
      const svg = await servedSvg(path);
      expect(svg, path).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="64" height="64"/);
      expect(svg.length, path).toBeLessThan(1000);
      const response = await worker(new Request(`${ORIGIN}${path}`));
      expect(response.headers.get("content-security-policy"), path).toMatch(/^default-src 'none'/);
    }
    expect((await worker(new Request(`${ORIGIN}/icons/nothing.svg`))).status).toBe(404);
  });
});
