import { describe, expect, it } from "vitest";
import { currencyDigits, dayToMs, formatMoney, formatOccurred, formatPercentBp, minorToInput, setCurrencyDigits } from "./format";

// The table the core sends in the app status (src/model/money.rs `currency_digits`), for the
// currencies used here.
setCurrencyDigits([
  { code: "CNY", digits: 2 },
  { code: "JPY", digits: 0 },
  { code: "KWD", digits: 3 },
  { code: "EUR", digits: 2 },
  { code: "IQD", digits: 3 },
]);

describe("money and dates for the locale", () => {
  it("uses each currency's own decimals, as the core counts them", () => {
    expect(currencyDigits("CNY")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
    // The browser's Intl says 0 for IQD; the core (ISO 4217) says 3 and stores fils.
    expect(new Intl.NumberFormat("en", { style: "currency", currency: "IQD" }).resolvedOptions().maximumFractionDigits).toBe(0);
    expect(currencyDigits("IQD")).toBe(3);
  });

  it("reads a price back as it was stored, in every currency", () => {
    // 12.500 IQD is 12500 fils: the edit field shows 12.500, not 12500 (which saved as 12,500,000).
    expect(minorToInput(12500, "IQD")).toBe("12.500");
    expect(formatMoney(12500, "IQD", "en-US")).toContain("12.500");
  });

  it("formats minor units as money", () => {
    expect(formatMoney(37899, "CNY", "zh-CN")).toBe("¥378.99");
    expect(formatMoney(37899, "CNY", "en-US")).toBe("CN¥378.99");
    expect(formatMoney(1500, "JPY", "en-US")).toBe("¥1,500");
    expect(formatMoney(123456789, "EUR", "en-US")).toBe("€1,234,567.89");
    expect(minorToInput(1999, "CNY")).toBe("19.99");
  });

  it("formats percentages from basis points", () => {
    expect(formatPercentBp(1300, "en-US")).toBe("13 %");
    expect(formatPercentBp(725, "en-US")).toBe("7.25 %");
  });

  it("formats activity dates with and without a time", () => {
    expect(formatOccurred("2026-11-20", "en-US")).toBe("Nov 20, 2026");
    expect(formatOccurred("2026-11-20T14:30", "zh-CN")).toBe("2026年11月20日 14:30");
  });

  it("turns a date filter into a half-open day range", () => {
    const from = dayToMs("2026-11-20")!;
    const to = dayToMs("2026-11-20", true)!;
    expect(to - from).toBe(24 * 3600 * 1000);
    expect(dayToMs("20/11/2026")).toBeNull();
  });
});
