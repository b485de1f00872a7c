import { describe, expect, it } from "vitest";
import { exportFileName, issuesByColumn, parseTarget, percent, targetOf, targetOptions, targetValue, visibleRows, withTarget } from "./importForm";
import type { ImportPreview, Mapping } from "./bindings";

describe("mapping targets", () => {
  it("round-trip through select values, custom fields included", () => {
    expect(targetValue({ field: "phone" })).toBe("phone");
    expect(targetValue({ field: "custom", key: "industry" })).toBe("custom:industry");
    expect(parseTarget("custom:industry")).toEqual({ field: "custom", key: "industry" });
    expect(parseTarget("familyName")).toEqual({ field: "familyName" });
    expect(parseTarget("nonsense")).toEqual({ field: "ignore" });
  });

  it("offers every field and each custom field", () => {
    const opts = targetOptions([{ key: "industry", label: "行业", kind: "text", choices: [] }]);
    expect(opts[0].value).toBe("ignore");
    expect(opts.map((o) => o.value)).toContain("email");
    expect(opts.at(-1)).toEqual({ value: "custom:industry", labelId: "import-target-custom", label: "行业" });
  });

  it("changes one column's target and leaves the others", () => {
    const m: Mapping = { columns: [{ column: "姓名", target: { field: "name" } }, { column: "手机", target: { field: "ignore" } }] };
    const m2 = withTarget(m, "手机", { field: "phone" });
    expect(targetOf(m2, "手机")).toEqual({ field: "phone" });
    expect(targetOf(m2, "姓名")).toEqual({ field: "name" });
    expect(targetOf(withTarget(m, "新列", { field: "city" }), "新列")).toEqual({ field: "city" });
    expect(targetOf(m, "missing")).toEqual({ field: "ignore" });
  });
});

describe("preview", () => {
  const preview: ImportPreview = {
    info: { format: "csv", encoding: "UTF-8", delimiter: ",", sheet: null, sheets: [], headerRow: 1 },
    headers: ["姓名", "手机"],
    mapping: { columns: [] },
    rows: [
      { row: 2, cells: ["好人", "13800138000"], issues: [], duplicate: null },
      {
        row: 3,
        cells: ["坏人", "123"],
        issues: [
          { row: 3, column: "手机", message: "“123” is not a valid phone number", text: "Row 3, 手机: …" },
          { row: 3, column: null, message: "row problem", text: "Row 3: …" },
        ],
        duplicate: null,
      },
    ],
    scanned: 2,
    withProblems: 1,
    duplicates: 0,
    mappingProblem: null,
  };

  it("puts each problem under its column", () => {
    const by = issuesByColumn(preview.rows[1]);
    expect(by.get("手机")).toEqual(["“123” is not a valid phone number"]);
    expect(by.get("")).toEqual(["row problem"]);
    expect(issuesByColumn(preview.rows[0]).size).toBe(0);
  });

  it("can show only the rows with problems", () => {
    expect(visibleRows(preview, true).map((r) => r.row)).toEqual([3]);
    expect(visibleRows(preview, false)).toHaveLength(2);
  });
});

describe("progress and names", () => {
  it("is a whole percent, bounded, 0 while the total is unknown", () => {
    expect(percent(0, 0)).toBe(0);
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 4)).toBe(100);
  });

  it("names exports by date", () => {
    expect(exportFileName("xlsx", new Date(2026, 10, 2))).toBe("customers-2026-11-02.xlsx");
  });
});
