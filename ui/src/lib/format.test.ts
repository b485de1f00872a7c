import { describe, expect, it } from "vitest";
import { currencyDigits, dayToMs, formatMoney, formatOccurred, formatPercentBp, minorToInput } from "./format";

describe("money and dates for the locale", () => {
  it("uses each currency's own decimals", () => {
    expect(currencyDigits("CNY")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
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
