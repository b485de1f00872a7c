import { describe, expect, it } from "vitest";
import { conflictValue, hlcMs } from "./sync";

describe("a sync conflict as a person reads it", () => {
  it("shows text as typed, lists joined, custom values by key and nothing as empty", () => {
    expect(conflictValue('"杭州"', "(empty)")).toBe("杭州");
    expect(conflictValue('"[\\"+8613800138000\\",\\"+14155550100\\"]"', "(empty)")).toBe("+8613800138000, +14155550100");
    expect(conflictValue('"{\\"tier\\":\\"gold\\"}"', "(empty)")).toBe("tier: gold");
    expect(conflictValue("null", "(empty)")).toBe("(empty)");
    expect(conflictValue('"[]"', "(empty)")).toBe("(empty)");
    expect(conflictValue("42", "(empty)")).toBe("42");
    // A duplicate SKU's side is a row id, not JSON.
    expect(conflictValue("0190a1b2-c3d4", "(empty)")).toBe("0190a1b2-c3d4");
  });

  it("reads the wall clock out of a hybrid logical clock", () => {
    const ms = Date.UTC(2026, 11, 6, 10, 42, 7, 123);
    expect(hlcMs(ms * 65536 + 3)).toBe(ms);
  });
});
