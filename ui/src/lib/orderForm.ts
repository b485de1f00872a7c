// The order form's lines as typed, and the mapping between them and what the core validates.
import type { LineInput, OrderLine } from "./bindings";

export interface LineDraft {
  sku: string;
  quantity: string;
  discount: string;
}

export function emptyLine(): LineDraft {
  return { sku: "", quantity: "1", discount: "" };
}

export function linesFromOrder(lines: OrderLine[]): LineDraft[] {
  return lines.map((l) => ({ sku: l.sku, quantity: String(l.quantity), discount: l.discountBp ? String(l.discountBp / 100) : "" }));
}

/** Lines to send, skipping rows with no product; `rows[i]` is the form row of line i. */
export function toLines(drafts: LineDraft[]): { lines: LineInput[]; rows: number[] } {
  const lines: LineInput[] = [];
  const rows: number[] = [];
  drafts.forEach((d, i) => {
    if (d.sku.trim() === "") return;
    lines.push({ sku: d.sku.trim(), quantity: d.quantity.trim(), discount: d.discount.trim() === "" ? null : d.discount.trim() });
    rows.push(i);
  });
  return { lines, rows };
}

/** "lines[1].quantity" from the core → "lines[<form row>].quantity". */
export function rowField(path: string, rows: number[]): string {
  const m = /^lines\[(\d+)\](.*)$/.exec(path);
  if (!m) return path;
  const row = rows[Number(m[1])];
  return row === undefined ? path : `lines[${row}]${m[2]}`;
}
