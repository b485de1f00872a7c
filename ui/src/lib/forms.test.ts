import { describe, expect, it } from "vitest";
import { draftFromCustomer, emptyDraft, formField, isDirty, splitTags, toInput, toPatch } from "./customerForm";
import { rowField, toLines } from "./orderForm";
import { fieldErrors, unplaced } from "./errors";
import { highlight } from "./highlight";
import type { Customer } from "./bindings";

const stored: Customer = {
  id: "01a2", kind: "company", name: "上海鼎盛贸易有限公司", company: null, phones: ["+862162881234"], emails: ["sales@dingsheng.cn"],
  address: null, city: "上海", country: null, tags: ["VIP", "华东"], owner: null, ownerName: null, source: null, notes: null,
  custom: { industry: { type: "choice", value: "IT" } }, createdAt: 0, updatedAt: 0, deleted: false, redacted: [],
};

describe("customer form", () => {
  it("sends what was typed, without blank rows", () => {
    const d = emptyDraft();
    d.name = "张三丰";
    d.phones = ["", "13812345678", ""];
    d.tags = "VIP，华东、 老客户";
    const input = toInput(d);
    expect(input.phones).toEqual(["13812345678"]);
    expect(input.tags).toEqual(["VIP", "华东", "老客户"]);
    expect(input.city).toBeNull();
  });

  it("maps the core's list positions back to the form's rows", () => {
    const d = emptyDraft();
    d.emails = ["", "ok@example.com", "", "bad@"];
    expect(formField("emails[1]", d)).toBe("emails[3]");
    expect(formField("name", d)).toBe("name");
  });

  it("patches only what changed, so untouched fields are not logged as edits", () => {
    const base = draftFromCustomer(stored);
    const d = draftFromCustomer(stored);
    expect(isDirty(d, base)).toBe(false);
    d.city = "苏州";
    d.custom.industry = "";
    const p = toPatch(d, base);
    expect(p.city).toBe("苏州");
    expect(p.name).toBeNull();
    expect(p.phones).toBeNull();
    expect(p.tags).toBeNull();
    expect(p.custom).toEqual({ industry: "" });
    expect(isDirty(d, base)).toBe(true);
    // The customer as loaded goes along, so the core can refuse what someone changed meanwhile.
    expect(p.base).toBeNull();
    expect(toPatch(d, base, stored).base).toEqual(stored);
  });

  it("splits tags on ASCII and Chinese separators", () => {
    expect(splitTags("a, b;c，d、e；f")).toEqual(["a", "b", "c", "d", "e", "f"]);
  });
});

describe("order form", () => {
  it("skips empty rows and maps line errors back to rows", () => {
    const { lines, rows } = toLines([{ sku: "", quantity: "1", discount: "" }, { sku: "TEA", quantity: "3", discount: "10" }, { sku: "SVC", quantity: "1", discount: "" }]);
    expect(lines).toEqual([{ sku: "TEA", quantity: "3", discount: "10" }, { sku: "SVC", quantity: "1", discount: null }]);
    expect(rowField("lines[1].quantity", rows)).toBe("lines[2].quantity");
    expect(rowField("customerId", rows)).toBe("customerId");
  });
});

describe("errors", () => {
  it("collects field messages and what no field shows", () => {
    const e = { code: "invalid", message: "x", field: "emails[0]", fields: [{ field: "emails[0]", message: "bad" }, { field: "custom.x", message: "no" }] };
    const f = fieldErrors(e);
    expect(f).toEqual({ "emails[0]": "bad", "custom.x": "no" });
    expect(unplaced(f, (k) => k.startsWith("emails"))).toEqual(["no"]);
    expect(fieldErrors(new Error("boom"))).toEqual({});
  });
});

describe("highlight", () => {
  it("marks matches ignoring case and accents", () => {
    expect(highlight("Zoë Müller", "mull")).toEqual([{ text: "Zoë ", hit: false }, { text: "Müll", hit: true }, { text: "er", hit: false }]);
    expect(highlight("张三丰", "三丰")).toEqual([{ text: "张", hit: false }, { text: "三丰", hit: true }]);
    expect(highlight("abc", "")).toEqual([{ text: "abc", hit: false }]);
  });
});
