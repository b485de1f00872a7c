// The Import/Export screen's logic, kept out of the component so it can be tested: mapping
// targets as select values, which preview cells have problems, progress as a percentage.
import type { CustomFieldDef, ImportPreview, Mapping, PreviewRowView, Target } from "./bindings";

/** Targets a column can be mapped to, in the order the select offers them (custom fields last). */
export const BASE_TARGETS = [
  "ignore",
  "name",
  "familyName",
  "givenName",
  "kind",
  "company",
  "contact",
  "title",
  "phone",
  "mobile",
  "email",
  "address",
  "street",
  "district",
  "city",
  "state",
  "postcode",
  "country",
  "tags",
  "owner",
  "source",
  "notes",
  "noteLine",
  "id",
] as const;

/** A target as the value of a <select>: "name", "custom:industry". */
export function targetValue(t: Target): string {
  return t.field === "custom" ? `custom:${t.key}` : t.field;
}

export function parseTarget(v: string): Target {
  if (v.startsWith("custom:")) return { field: "custom", key: v.slice("custom:".length) };
  if ((BASE_TARGETS as readonly string[]).includes(v)) return { field: v } as Target;
  return { field: "ignore" };
}

export function targetOptions(custom: CustomFieldDef[]): { value: string; labelId: string; label?: string }[] {
  return [
    ...BASE_TARGETS.map((t) => ({ value: t, labelId: `import-target-${t}` })),
    ...custom.map((d) => ({ value: `custom:${d.key}`, labelId: "import-target-custom", label: d.label })),
  ];
}

/** The mapping with one column's target changed. */
export function withTarget(m: Mapping, column: string, target: Target): Mapping {
  const columns = m.columns.some((c) => c.column === column)
    ? m.columns.map((c) => (c.column === column ? { column, target } : c))
    : [...m.columns, { column, target }];
  return { columns };
}

export function targetOf(m: Mapping, column: string): Target {
  return m.columns.find((c) => c.column === column)?.target ?? { field: "ignore" };
}

/** Problems of one preview row by source column (problems without a column go under ""). */
export function issuesByColumn(row: PreviewRowView): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of row.issues) {
    const key = i.column ?? "";
    out.set(key, [...(out.get(key) ?? []), i.message]);
  }
  return out;
}

/** The rows the preview shows: rows with problems first when the user asks for them. */
export function visibleRows(p: ImportPreview, problemsOnly: boolean): PreviewRowView[] {
  return problemsOnly ? p.rows.filter((r) => r.issues.length > 0) : p.rows;
}

/** Whole percent of a progress report; 0 while the total is unknown. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((done * 100) / total)));
}

/** The default file name of an export: customers-2026-11-22.xlsx. */
export function exportFileName(ext: string, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `customers-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.${ext}`;
}

export const EXPORT_FORMATS = [
  { value: "xlsx", ext: "xlsx" },
  { value: "csvExcel", ext: "csv" },
  { value: "csv", ext: "csv" },
  { value: "csvGbk", ext: "csv" },
  { value: "csvGb18030", ext: "csv" },
  { value: "json", ext: "json" },
  { value: "xml", ext: "xml" },
  { value: "vcard", ext: "vcf" },
] as const;

/** Merge fields the merge screen lets the user choose, in order. */
export const MERGE_FIELDS = ["name", "kind", "company", "phones", "emails", "address", "city", "country", "tags", "owner", "source", "notes"] as const;
