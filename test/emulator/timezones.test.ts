import { describe, expect, it } from "vitest";
import { resolveTimeZone, wallClock, zonedToUtc } from "../../emulator/timezones.ts";

const wall = (text: string) => {
  const [date, time] = text.split("T");
  const [year, month, day] = date!.split("-").map(Number);
  const [hour, minute] = time!.split(":").map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: 0 };
};

describe("the emulator's own time-zone arithmetic (independent of the server's)", () => {
  it("converts ordinary wall-clock times both ways", () => {
    expect(new Date(zonedToUtc(wall("2026-07-01T09:30"), "Europe/Berlin")).toISOString()).toBe(
      "2026-07-01T07:30:00.000Z",
    );
    expect(new Date(zonedToUtc(wall("2026-01-15T09:30"), "America/New_York")).toISOString()).toBe(
      "2026-01-15T14:30:00.000Z",
    );
    expect(new Date(zonedToUtc(wall("2026-01-15T09:30"), "Asia/Kolkata")).toISOString()).toBe(
      "2026-01-15T04:00:00.000Z",
    );
    expect(wallClock(Date.parse("2026-07-01T07:30:00Z"), "Europe/Berlin")).toMatchObject({ hour: 9, minute: 30 });
  });

  it("takes a time in a spring-forward gap as that far past the gap under the old offset", () => {
    // 02:30 does not exist on these days; Exchange shows 03:30.
    expect(new Date(zonedToUtc(wall("2026-03-29T02:30"), "Europe/Berlin")).toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    expect(new Date(zonedToUtc(wall("2026-03-08T02:30"), "America/New_York")).toISOString()).toBe(
      "2026-03-08T07:30:00.000Z",
    );
  });

  it("takes a time in a fall-back overlap as the first of the two", () => {
    expect(new Date(zonedToUtc(wall("2026-10-25T02:30"), "Europe/Berlin")).toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(new Date(zonedToUtc(wall("2026-11-01T01:30"), "America/New_York")).toISOString()).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });

  it("knows Windows names case-insensitively and refuses unknown zones", () => {
    expect(resolveTimeZone("pacific standard time")).toEqual({
      name: "Pacific Standard Time",
      iana: "America/Los_Angeles",
    });
    expect(resolveTimeZone("Europe/Berlin")?.iana).toBe("Europe/Berlin");
    expect(resolveTimeZone("Mars/Olympus_Mons")).toBeUndefined();
  });
});
