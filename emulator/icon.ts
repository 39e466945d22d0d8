/**
 * The emulator's own icon (grey tiles, so its tabs are told apart from the
 * server's), served at /favicon.ico and /icon.svg. The ICO holds one PNG: the
 * SVG rendered by Chromium at 32 px (test/browser/icons.test.ts checks it).
 */
import type { EmulatorResponse } from "./http.ts";

export const EMULATOR_ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#4a5562"/><rect x="13" y="13" width="17" height="17" rx="2" fill="#fff"/><rect x="34" y="13" width="17" height="17" rx="2" fill="#fff" fill-opacity=".7"/><rect x="13" y="34" width="17" height="17" rx="2" fill="#fff" fill-opacity=".7"/><rect x="34" y="34" width="17" height="17" rx="2" fill="#fff"/></svg>';

export const EMULATOR_ICON_PNG_32_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAACVElEQVR4nOyXTWgTQRTH/2+7MS1tSnvxIy22hKhF8euWgwdLkTYJakGjUPxog3jvwbMn6Ul6Uw/S1oN4KaUHIRF6qGBBRW1ojEYMpYgNxovBS5JNyPgmmqWQnQjFZj3kB7v8d98b/o+ZnWWeji2cHh3vanPQJAT5AHGCiHbjHyCE+A5QDCRe5opienlxLluNUVX4L4b9/PSQX7ixgwggzbcbkfmZiFnAyIWJYU2jKBqIEAjIIigYHOsut7UmiLAPDUTORBl0VGfz6402l8il1oS4pvGH4YNdsLdO8oun2linqwNnBk+h1em0HPsptY43q/GK9nr60ePeY5lXKpbwbi2BXC5v4U8+nc37rAaeHRnCWOgcVPzI/sSVm5MVfT4whI72dmWu7tDx/MWr2gB769gm3V2dpq5n/jc02EyzgGYBygKSn9dRKBjKgWuJpKk3vnxV5hX5P7CZ/qaMUyAUFrAR25dA+SPyevpwaTQIh8M6RU77oycLFT11+xaOHRmwzJPLeOfuPbyNxS3jyhnoce9Vmkv69/eaWmUucTp3YeCARxlvbsNmAf9vAYZhoB5GsWjqfL5QNzeXzytjcp9l+Ko5T8XiH6GRVjnNWLGZzph6avo+Dnmtt1q+UMDS8goUZMgfmogSaBg2ICCeadyGxWAX7K2JUvkBtylZNBr2lN5adHFuo0wURuMZl94tUqU+rCa9h0++5mPyILcILuwgf5rTy5H52afyuaUa4CJSvQePz+gtMHhteF8JF7fn2z9vbzX93Z6vcCfymNvzq0sLs++rsV8AAAD//8mZNc8AAAAGSURBVAMAma7B6Nn8OW8AAAAASUVORK5CYII=";

/** A Windows icon file around one 32 px PNG (PNG inside ICO: every browser since Windows Vista's time reads it). */
function icoAround(png: Buffer): Buffer {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(32, 6); // width
  header.writeUInt8(32, 7); // height
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(22, 18); // the PNG follows the header
  return Buffer.concat([header, png]);
}

const FAVICON = icoAround(Buffer.from(EMULATOR_ICON_PNG_32_BASE64, "base64"));

const CACHED = { "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" };

/** `GET /favicon.ico` and `GET /icon.svg`, or undefined for any other path. */
export function iconResponse(path: string): EmulatorResponse | undefined {
  if (path === "/favicon.ico")
    return { status: 200, headers: { "Content-Type": "image/x-icon", ...CACHED }, body: FAVICON };
  if (path === "/icon.svg") {
    return {
      status: 200,
      headers: { "Content-Type": "image/svg+xml", "Content-Security-Policy": "default-src 'none'", ...CACHED },
      body: EMULATOR_ICON_SVG,
    };
  }
  return undefined;
}

/** The `<link>` tags that point a page at the icon. */
export const ICON_LINKS =
  '<link rel="icon" href="/favicon.ico" sizes="32x32"><link rel="icon" href="/icon.svg" type="image/svg+xml">';
