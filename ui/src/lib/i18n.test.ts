import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { hasMessage, LANGS, tIn } from "./i18n.svelte";

const SRC = join(__dirname, "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(svelte|ts)$/.test(f) && !f.endsWith(".test.ts") && f !== "bindings.ts" ? [p] : [];
  });
}

/** Every literal t("id") in the UI, and the ids built from enums at run time. */
function usedIds(): string[] {
  const ids = new Set<string>();
  for (const f of files(SRC)) {
    for (const m of readFileSync(f, "utf8").matchAll(/\bt\("([a-z0-9-]+)"/g)) ids.add(m[1]);
  }
  const families: Record<string, string[]> = {
    "status-": ["draft", "confirmed", "fulfilled", "paid", "cancelled"],
    "kind-": ["person", "company"],
    "activity-": ["call", "visit", "email", "note"],
    "lang-": ["en-US", "zh-CN"],
    "order-action-": ["confirmed", "fulfilled", "paid", "cancelled"],
    "search-tier-": ["exact", "prefix", "pinyin", "substring", "fuzzy"],
    "search-field-": ["name", "company", "contacts", "emails", "phones", "city", "tags", "notes"],
  };
  for (const [prefix, values] of Object.entries(families)) for (const v of values) ids.add(prefix + v);
  return [...ids];
}

describe("UI messages", () => {
  it("the scan finds the UI's messages", () => {
    expect(usedIds().length).toBeGreaterThan(120);
  });

  it.each(LANGS)("every id the UI uses exists in %s", (lang) => {
    const missing = usedIds().filter((id) => !hasMessage(lang, id));
    expect(missing).toEqual([]);
  });

  it("formats plurals and variables per language", () => {
    expect(tIn("en-US", "customers-total", { count: 1, shown: "1" })).toBe("1 customer");
    expect(tIn("en-US", "customers-total", { count: 1200, shown: "1,200" })).toBe("1,200 customers");
    expect(tIn("zh-CN", "customers-total", { count: 1200, shown: "1,200" })).toBe("共 1,200 位客户");
    expect(tIn("zh-CN", "nav-customers")).toBe("客户");
  });

  it("falls back to English, then to the id", () => {
    expect(tIn("zh-CN", "no-such-message")).toBe("no-such-message");
  });
});
