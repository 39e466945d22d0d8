/** Renderings every workload uses: dates, addresses, counts, clipped text. */
import type { EmailAddress, Recipient } from "@microsoft/microsoft-graph-types";

/** "2026-11-22T09:14Z": minute precision, UTC, a third of Graph's timestamp tokens. */
export function shortDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16)}Z`;
}

/** "Megan Bowen <megan@contoso.example>", or just the address when the name adds nothing. */
export function formatAddress(address: EmailAddress | null | undefined): string {
  if (!address) return "";
  const email = address.address ?? "";
  const name = address.name ?? "";
  if (!name || name === email) return email;
  return email ? `${name} <${email}>` : name;
}

/** Recipients as a comma-separated list of formatAddress renderings. */
export function formatRecipients(recipients: readonly Recipient[] | null | undefined): string {
  return (recipients ?? []).map((recipient) => formatAddress(recipient.emailAddress)).join(", ");
}

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function clip(text: string | null | undefined, max: number): string {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "1 item", "5 items", "2 replies": a count with its noun. */
export function plural(count: number | null | undefined, noun: string, nouns = `${noun}s`): string {
  return `${count ?? 0} ${count === 1 ? noun : nouns}`;
}
