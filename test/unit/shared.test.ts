import { describe, expect, it } from "vitest";
import { z } from "zod";
import { base64ByteLength, decodeBase64, encodeBase64 } from "../../src/tools/shared/base64.ts";
import { plural } from "../../src/tools/shared/format.ts";
import { decodeEntities, escapeHtml, htmlToReadableText } from "../../src/tools/shared/html.ts";
import { idSegment, isId, notAGraphId } from "../../src/tools/shared/ids.ts";
import { countInput, cursorInput, moreLine } from "../../src/tools/shared/paging.ts";

describe("shared/ids", () => {
  it("accepts the ids Graph and the emulator hand out", () => {
    expect(isId("exchange", "AAMkAGI2TG93AAA=")).toBe(true);
    expect(isId("exchange", "AQMkADAwATM0MDAAMS1i_ZmYALQ+/AAA-")).toBe(true);
    expect(isId("driveItem", "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K")).toBe(true);
    expect(isId("driveItem", "b!Zm9vYmFy-_")).toBe(true);
    expect(isId("site", "contoso.sharepoint.com,2c6a1e5a-3f1e-4b55-9ad1-9f2b2f0d7c11,9a1b")).toBe(true);
    expect(isId("guid", "02bd9fd6-8f93-4758-87c3-1fb73740a315")).toBe(true);
    expect(isId("thread", "19:a1b2c3@thread.tacv2")).toBe(true);
    expect(isId("teamsMessage", "1700000000000")).toBe(true);
    expect(isId("userPrincipalName", "megan@contoso.example")).toBe(true);
  });

  it("refuses what could leave a path segment, and padding alone", () => {
    for (const value of ["../me", "a?b", "a#b", "a%2F", "a b", "", "===", "x".repeat(1025)]) {
      expect(isId("exchange", value)).toBe(false);
    }
    expect(isId("driveItem", "a/b")).toBe(false);
    expect(isId("thread", "20:abc")).toBe(false);
    expect(isId("userPrincipalName", "a@b/c.d")).toBe(false);
  });

  it("encodes an accepted id as a segment and refuses another with the given sentence", () => {
    expect(idSegment("AB+/=", "exchange", "no")).toBe("AB%2B%2F%3D");
    expect(() => idSegment("../x", "exchange", notAGraphId("id", "../x"))).toThrow(
      'id: "../x" is not a Microsoft Graph id; pass an id exactly as a previous result gave it.',
    );
  });
});

describe("shared/paging", () => {
  it("builds count inputs with each tool's own default and maximum", () => {
    const count = countInput(10, 50, "How many");
    expect(count.parse(undefined)).toBe(10);
    expect(count.safeParse(51).success).toBe(false);
    expect(count.safeParse(0).success).toBe(false);
    expect(countInput(5, 25, "Per type").parse(undefined)).toBe(5);
    expect(z.toJSONSchema(count)).toMatchObject({ type: "integer", minimum: 1, maximum: 50, default: 10 });
    expect(cursorInput("Next").parse(undefined)).toBeUndefined();
  });

  it("says how to get the next page only when there is one", () => {
    expect(moreLine(undefined)).toEqual([]);
    expect(moreLine("c1")).toEqual(['More: call again with cursor "c1".']);
    expect(moreLine("c2", "More tasks")).toEqual(['More tasks: call again with cursor "c2".']);
  });
});

describe("shared/html", () => {
  it("escapes the characters that could end element content or an attribute", () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      "&#60;a href=&#34;x&#34;&#62;Tom &#38; Jerry&#39;s&#60;/a&#62;",
    );
    expect(decodeEntities(escapeHtml(`<"'&>`))).toBe(`<"'&>`);
  });

  it("decodes named and numeric references, leaving unknown ones", () => {
    expect(decodeEntities("a&nbsp;&mdash;&#x41;&#66;&bogus;")).toBe("a —AB&bogus;");
  });

  it("reads an HTML page as text: no head or scripts, list items and links kept", () => {
    const html =
      "<html><head><title>T</title><script>x()</script></head><body><h1>Hi</h1><ul><li>One</li></ul>" +
      '<p><a href="https://contoso.example/a">Go</a> &amp; see</p></body></html>';
    expect(htmlToReadableText(html)).toBe("Hi\n\n- One\n\nGo (https://contoso.example/a) & see");
  });
});

describe("shared/base64 and format", () => {
  it("measures, decodes and encodes base64", () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251]);
    const text = encodeBase64(bytes);
    expect(text).toBe("AAEC+vs=");
    expect(base64ByteLength(text)).toBe(5);
    expect(base64ByteLength("AAEC\n+vs=")).toBe(5);
    expect(decodeBase64(text)).toEqual(bytes);
    const large = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(decodeBase64(encodeBase64(large))).toEqual(large);
  });

  it("counts nouns, irregular plurals and missing counts", () => {
    expect(plural(1, "item")).toBe("1 item");
    expect(plural(3, "reply", "replies")).toBe("3 replies");
    expect(plural(undefined, "item")).toBe("0 items");
  });
});
