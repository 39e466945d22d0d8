/**
 * Which URLs `uploadFile`'s `sourceUrl` may make the server fetch: public
 * https only. Refused: credentials in the URL, plain http, local names
 * (localhost, .local, .internal, single-label names) and literal private,
 * loopback, link-local, carrier-grade NAT, multicast and reserved addresses,
 * v4 or v6, at the start and at every redirect. A name that resolves to a
 * private address is stopped by the platform (`global_fetch_strictly_public`
 * in wrangler.example.toml); a Worker cannot resolve names itself.
 *
 * Development only: DEV_UPLOAD_SOURCE_PREFIX (set by `npm run dev` and the
 * tests to the emulator's `/_emulator/blob`) admits URLs under that prefix.
 */
import { ToolError } from "../../graph/errors.ts";

const refuse = (message: string) => new ToolError("invalid_input", `sourceUrl: ${message}`);

/** IPv4 blocks no public file lives in (RFC 6890 special-purpose registry, the non-global ones). */
const PRIVATE_V4: [number, number][] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // private
  [0x64400000, 10], // carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local (cloud metadata services live here)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 3], // multicast and reserved, through 255.255.255.255
];

function v4Number(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

function isPrivateV4(address: number): boolean {
  return PRIVATE_V4.some(
    ([base, bits]) => Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  );
}

/** The 8 groups of an IPv6 address (as the URL parser normalizes it), or undefined. */
function v6Groups(host: string): number[] | undefined {
  if (!host.startsWith("[") || !host.endsWith("]")) return undefined;
  let text = host.slice(1, -1);
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const value = v4Number(v4Tail[1]!);
    if (value === undefined) return undefined;
    text = `${text.slice(0, -v4Tail[1]!.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right].map((group) =>
    parseInt(group, 16),
  );
  return groups.length === 8 && groups.every((group) => group >= 0 && group <= 0xffff) ? groups : undefined;
}

function isPrivateV6(groups: number[]): boolean {
  const [first = 0] = groups;
  const zeroPrefix = groups.slice(0, 5).every((group) => group === 0);
  if (zeroPrefix && (groups[5] === 0xffff || groups[5] === 0)) {
    // ::ffff:a.b.c.d (v4-mapped), ::a.b.c.d (v4-compatible), :: and ::1.
    return isPrivateV4(groups[6]! * 65536 + groups[7]!);
  }
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 || // multicast
    (first === 0x64 && groups[1] === 0xff9b) || // NAT64 64:ff9b::/96 (reaches v4 addresses)
    (first === 0x2001 && groups[1] === 0x0db8) // documentation
  );
}

/** Names that never lead to the public internet. */
function isLocalName(hostname: string): boolean {
  const name = hostname.replace(/\.$/, "").toLowerCase();
  return (
    !name.includes(".") ||
    /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/.test(name) ||
    name.endsWith(".in-addr.arpa") ||
    name.endsWith(".ip6.arpa")
  );
}

/** Whether the server may fetch `raw` (the first URL or a redirect's target); throws a specific error if not. */
export function checkSourceUrl(raw: string, devPrefix?: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("not a valid URL; give an https:// URL of the file.");
  }
  if (url.username || url.password) throw refuse("URLs with a user name or password are not accepted.");
  if (devPrefix && underPrefix(url, devPrefix)) return url;
  if (url.protocol !== "https:") throw refuse("only https:// URLs are accepted.");
  const v4 = v4Number(url.hostname);
  const v6 = v6Groups(url.hostname);
  if ((v4 !== undefined && isPrivateV4(v4)) || (v6 !== undefined && isPrivateV6(v6))) {
    throw refuse(`${url.hostname} is a private, loopback or link-local address; give a public https URL.`);
  }
  if (v4 === undefined && v6 === undefined && isLocalName(url.hostname)) {
    throw refuse(`${url.hostname} is a local name; give a public https URL.`);
  }
  return url;
}

function underPrefix(url: URL, prefix: string): boolean {
  if (!url.href.startsWith(prefix)) return false;
  const next = url.href.charAt(prefix.length);
  return next === "" || next === "?" || next === "/" || prefix.endsWith("/");
}
