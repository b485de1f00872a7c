// Numbers, money and dates formatted for the user's locale. Money arrives in integer minor units
// and is shown with the currency's own number of decimals, as the core counts them (ISO 4217,
// sent in the app status): the browser's Intl follows CLDR, which gives some currencies other
// digits (IQD 0 instead of 3), and a price edited by those came back a thousand times larger.
import type { CurrencyDigits } from "./bindings";

const digitsByCode = new Map<string, number>();

/** Takes the core's table of currency digits (from `appStatus`). */
export function setCurrencyDigits(list: CurrencyDigits[]): void {
  digitsByCode.clear();
  for (const c of list) digitsByCode.set(c.code, c.digits);
}

export function currencyDigits(currency: string): number {
  return digitsByCode.get(currency.toUpperCase()) ?? 2;
}

/** An amount, or `hidden` (the localized word) where the caller's roles leave it out. */
export function formatAmount(minor: number | null, currency: string, lang: string, hidden: string): string {
  return minor === null ? hidden : formatMoney(minor, currency, lang);
}

export function formatMoney(minor: number, currency: string, lang: string): string {
  const digits = currencyDigits(currency);
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(lang, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${currency} ${major.toFixed(digits)}`;
  }
}

/** Minor units as a plain decimal for an input field: 1999 CNY → "19.99". */
export function minorToInput(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

export function formatPercentBp(bp: number, lang: string): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(bp / 100) + " %";
}

export function formatNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

export function formatDate(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium" }).format(new Date(ms));
}

/** An activity's date ("2026-11-20" or "2026-11-20T14:30"), in the locale's words. */
/** Date and time of a Unix-ms moment, in the user's locale: "2026/11/22 14:05". */
export function formatDateTime(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

export function formatOccurred(iso: string, lang: string): string {
  const hasTime = iso.includes("T");
  const [datePart, timePart] = iso.split("T");
  const [y, m, d] = datePart.split("-").map(Number);
  const [hh, mm] = (timePart ?? "0:0").split(":").map(Number);
  const date = new Date(y, m - 1, d, hh, mm);
  return new Intl.DateTimeFormat(lang, hasTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(date);
}

/** Start of a local day (YYYY-MM-DD from a date input) as Unix ms; `end` gives the next day. */
export function dayToMs(day: string, end = false): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + (end ? 1 : 0)).getTime();
}
