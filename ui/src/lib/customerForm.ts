// The customer form's state and how it becomes what the core validates. The form never decides
// what is valid: it sends what was typed and shows the core's answer next to each field.
import type { Customer, CustomerInput, CustomerPatch } from "./bindings";

export interface CustomerDraft {
  kind: "person" | "company";
  name: string;
  company: string;
  phones: string[];
  emails: string[];
  address: string;
  city: string;
  country: string;
  tags: string;
  owner: string;
  source: string;
  notes: string;
  custom: Record<string, string>;
}

export function emptyDraft(kind: "person" | "company" = "person"): CustomerDraft {
  return { kind, name: "", company: "", phones: [""], emails: [""], address: "", city: "", country: "", tags: "", owner: "", source: "", notes: "", custom: {} };
}

function customText(v: Customer["custom"][string]): string {
  if (!v) return "";
  return String(v.value);
}

export function draftFromCustomer(c: Customer): CustomerDraft {
  const custom: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.custom)) custom[k] = customText(v);
  return {
    kind: c.kind,
    name: c.name,
    company: c.company ?? "",
    phones: c.phones.length ? [...c.phones] : [""],
    emails: c.emails.length ? [...c.emails] : [""],
    address: c.address ?? "",
    city: c.city ?? "",
    country: c.country ?? "",
    tags: c.tags.join(", "),
    // The owning user's name, which the core reads back to the same user.
    owner: c.ownerName ?? c.owner ?? "",
    source: c.source ?? "",
    notes: c.notes ?? "",
    custom,
  };
}

/** "VIP, 华东，Key account" → ["VIP", "华东", "Key account"] (ASCII and full-width commas, 、). */
export function splitTags(s: string): string[] {
  return s
    .split(/[,，、;；]/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

const opt = (s: string): string | null => (s.trim() === "" ? null : s);
/** Empty phone and email rows are placeholders, not values; indexes are kept for error mapping. */
const list = (xs: string[]): string[] => xs.filter((x) => x.trim() !== "");

export function toInput(d: CustomerDraft): CustomerInput {
  return {
    kind: d.kind,
    name: d.name,
    company: opt(d.company),
    phones: list(d.phones),
    emails: list(d.emails),
    address: opt(d.address),
    city: opt(d.city),
    country: opt(d.country),
    tags: splitTags(d.tags),
    owner: opt(d.owner),
    source: opt(d.source),
    notes: opt(d.notes),
    custom: Object.fromEntries(Object.entries(d.custom).filter(([, v]) => v.trim() !== "")),
  };
}

/** Only what changed: untouched fields stay as stored (and are not logged as edits). */
/**
 * What the form changed, with the customer as the form loaded it (`loaded`): the core refuses a
 * changed field that someone else changed meanwhile, naming it, rather than overwrite it unseen.
 */
export function toPatch(d: CustomerDraft, base: CustomerDraft, loaded: Customer | null = null): CustomerPatch {
  const text = (k: keyof CustomerDraft) => (d[k] !== base[k] ? (d[k] as string) : null);
  const arr = (a: string[], b: string[]) => (JSON.stringify(list(a)) !== JSON.stringify(list(b)) ? list(a) : null);
  const custom: Record<string, string> = {};
  for (const k of new Set([...Object.keys(d.custom), ...Object.keys(base.custom)])) {
    if ((d.custom[k] ?? "") !== (base.custom[k] ?? "")) custom[k] = d.custom[k] ?? "";
  }
  return {
    kind: d.kind !== base.kind ? d.kind : null,
    name: text("name"),
    company: text("company"),
    phones: arr(d.phones, base.phones),
    emails: arr(d.emails, base.emails),
    address: text("address"),
    city: text("city"),
    country: text("country"),
    tags: JSON.stringify(splitTags(d.tags)) !== JSON.stringify(splitTags(base.tags)) ? splitTags(d.tags) : null,
    owner: text("owner"),
    source: text("source"),
    notes: text("notes"),
    custom,
    base: loaded,
  };
}

export function isDirty(d: CustomerDraft, base: CustomerDraft): boolean {
  return JSON.stringify(toInput(d)) !== JSON.stringify(toInput(base));
}

/**
 * The core names list fields by their position in what it received ("emails[1]"); the form shows
 * rows including blank ones. Maps a core field path to the form row it came from.
 */
export function formField(path: string, d: CustomerDraft): string {
  const m = /^(phones|emails)\[(\d+)\]$/.exec(path);
  if (!m) return path;
  const rows = m[1] === "phones" ? d.phones : d.emails;
  let seen = -1;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].trim() !== "") seen++;
    if (seen === Number(m[2])) return `${m[1]}[${i}]`;
  }
  return path;
}
