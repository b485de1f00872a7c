// Generated from the Rust types and commands by `cargo xtask bindings`; do not edit.
// A test in src-tauri fails when this file differs from what the Rust code generates.

import { invoke } from "@tauri-apps/api/core";

export type Activity = { id: ActivityId, customerId: CustomerId, kind: ActivityKind, 
/**
 * `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
 */
occurredAt: string, text: string, createdAt: number, };

export type ActivityId = string;

export type ActivityInput = { kind: string | null, occurredAt: string | null, text: string | null, };

export type ActivityKind = "call" | "visit" | "email" | "note";

export type ApiError = { code: ErrorCode, message: string, field: string | null, 
/**
 * Every rejected field (validation errors only), so a form can mark each one.
 */
fields: Array<FieldMessage>, };

export type AppStatus = { 
/**
 * "missing": first run; "locked": waiting for the passphrase; "open": ready.
 */
state: string, path: string, keyMode: KeyMode | null, lang: Lang, 
/**
 * Why the book could not be opened at start, if it could not.
 */
error: ApiError | null, };

export type Contact = { id: ContactId, customerId: CustomerId, name: string, title: string | null, phones: Array<string>, emails: Array<string>, notes: string | null, createdAt: number, updatedAt: number, };

export type ContactId = string;

export type ContactInput = { name: string | null, title: string | null, phones: Array<string>, emails: Array<string>, notes: string | null, };

export type CreateBook = { keyMode: KeyMode, passphrase: string | null, phoneRegion: string, currency: string, 
/**
 * How many demo customers to add (0 for none).
 */
demoCustomers: number, };

export type CustomFieldDef = { key: string, label: string, kind: CustomFieldKind, choices: Array<string>, };

export type CustomFieldKind = "text" | "number" | "date" | "choice";

export type CustomValue = { "type": "text", "value": string } | { "type": "number", "value": number } | { "type": "date", "value": string } | { "type": "choice", "value": string };

export type Customer = { id: CustomerId, kind: CustomerKind, name: string, company: string | null, phones: Array<string>, emails: Array<string>, address: string | null, city: string | null, country: string | null, tags: Array<string>, owner: string | null, source: string | null, notes: string | null, custom: { [key in string]: CustomValue }, createdAt: number, updatedAt: number, deleted: boolean, };

export type CustomerFilter = { kind: CustomerKind | null, tag: string | null, city: string | null, owner: string | null, includeDeleted: boolean, sort: CustomerSort, limit: number | null, offset: number, };

export type CustomerId = string;

export type CustomerInput = { kind: string | null, name: string | null, company: string | null, phones: Array<string>, emails: Array<string>, address: string | null, city: string | null, country: string | null, tags: Array<string>, owner: string | null, source: string | null, notes: string | null, custom: { [key in string]: string }, };

export type CustomerKind = "person" | "company";

export type CustomerPage = { total: number, offset: number, items: Array<Customer>, };

export type CustomerPatch = { kind: string | null, name: string | null, company: string | null, phones: Array<string> | null, emails: Array<string> | null, address: string | null, city: string | null, country: string | null, tags: Array<string> | null, owner: string | null, source: string | null, notes: string | null, 
/**
 * Custom values to set; an empty string removes the value.
 */
custom: { [key in string]: string }, };

export type CustomerRecord = { customer: Customer, contacts: Array<Contact>, activities: Array<Activity>, orders: Array<Order>, };

export type CustomerSort = "name" | "updated" | "created";

export type DemoSummary = { customers: number, contacts: number, activities: number, products: number, orders: number, };

export type ErrorCode = "invalid" | "not-found" | "wrong-passphrase" | "wrong-key" | "passphrase-required" | "key-missing" | "keyring-unavailable" | "db-truncated" | "db-corrupt" | "db-newer" | "db-missing" | "db-exists" | "key-file" | "migration-failed" | "disk-full" | "storage" | "io" | "not-open";

export type FieldMessage = { field: string, message: string, };

export type KeyMode = "keyring" | "passphrase";

export type Lang = "en-US" | "zh-CN";

export type LineAmounts = { 
/**
 * quantity × unit price
 */
gross: number, discount: number, 
/**
 * gross − discount
 */
net: number, tax: number, 
/**
 * net + tax
 */
total: number, };

export type LineInput = { sku: string, 
/**
 * Integer text, > 0.
 */
quantity: string, 
/**
 * Percent text, 0..=100; empty for none.
 */
discount: string | null, };

export type MatchField = "name" | "company" | "contacts" | "emails" | "phones" | "city" | "tags" | "notes";

export type MatchTier = "exact" | "prefix" | "pinyin" | "substring" | "fuzzy";

export type Order = { id: OrderId, number: string, customerId: CustomerId, customerName: string, status: OrderStatus, 
/**
 * The statuses this order may move to next (the flow lives here, not in the UI).
 */
allowedNext: Array<OrderStatus>, currency: string, lines: Array<OrderLine>, totals: Totals, notes: string | null, createdAt: number, updatedAt: number, };

export type OrderFilter = { status: OrderStatus | null, customer: CustomerId | null, 
/**
 * Created at or after (Unix ms).
 */
fromMs: number | null, 
/**
 * Created before (Unix ms).
 */
toMs: number | null, limit: number | null, };

export type OrderId = string;

export type OrderInput = { customerId: string, lines: Array<LineInput>, notes: string | null, };

export type OrderLine = { id: OrderLineId, productId: ProductId, sku: string, name: string, quantity: number, unitPrice: number, discountBp: number, taxRateBp: number, amounts: LineAmounts, };

export type OrderLineId = string;

export type OrderPreview = { currency: string, lines: Array<PreviewLine>, totals: Totals, };

export type OrderStatus = "draft" | "confirmed" | "fulfilled" | "paid" | "cancelled";

export type PreviewLine = { sku: string, name: string, quantity: number, unitPrice: number, discountBp: number, taxRateBp: number, amounts: LineAmounts, };

export type Product = { id: ProductId, sku: string, name: string, 
/**
 * Minor units of `currency`.
 */
unitPrice: number, currency: string, 
/**
 * Basis points (1300 = 13 %).
 */
taxRateBp: number, active: boolean, createdAt: number, updatedAt: number, };

export type ProductId = string;

export type ProductInput = { sku: string | null, name: string | null, 
/**
 * Decimal text, e.g. `19.99`.
 */
price: string | null, currency: string | null, 
/**
 * Percent text, e.g. `13`.
 */
taxRate: string | null, active: boolean | null, };

export type SearchFilter = { kind: CustomerKind | null, tag: string | null, city: string | null, owner: string | null, 
/**
 * Only customers with (or without) an order that is not yet paid or cancelled.
 */
hasOpenOrders: boolean | null, 
/**
 * Unix ms, inclusive.
 */
createdFrom: number | null, 
/**
 * Unix ms, exclusive.
 */
createdTo: number | null, updatedFrom: number | null, updatedTo: number | null, };

export type SearchHit = { customer: Customer, tier: MatchTier, matched: Array<MatchField>, };

export type Settings = { 
/**
 * Region for phone numbers typed without a country code.
 */
phoneRegion: string, 
/**
 * Currency for new products.
 */
currency: string, };

export type Totals = { gross: number, discount: number, net: number, tax: number, total: number, };

export function appStatus(): Promise<AppStatus> {
  return invoke<AppStatus>("app_status");
}

export function createBook(req: CreateBook): Promise<AppStatus> {
  return invoke<AppStatus>("create_book", { req });
}

export function unlock(passphrase: string): Promise<AppStatus> {
  return invoke<AppStatus>("unlock", { passphrase });
}

export function setLanguage(lang: Lang): Promise<AppStatus> {
  return invoke<AppStatus>("set_language", { lang });
}

export function searchCustomers(query: string, filter: SearchFilter, limit: number): Promise<Array<SearchHit>> {
  return invoke<Array<SearchHit>>("search_customers", { query, filter, limit });
}

export function listCustomers(filter: CustomerFilter): Promise<CustomerPage> {
  return invoke<CustomerPage>("list_customers", { filter });
}

export function customerRecord(id: string): Promise<CustomerRecord> {
  return invoke<CustomerRecord>("customer_record", { id });
}

export function addCustomer(input: CustomerInput): Promise<Customer> {
  return invoke<Customer>("add_customer", { input });
}

export function updateCustomer(id: string, patch: CustomerPatch): Promise<Customer> {
  return invoke<Customer>("update_customer", { id, patch });
}

export function deleteCustomer(id: string): Promise<null> {
  return invoke<null>("delete_customer", { id });
}

export function likelyDuplicates(input: CustomerInput, excludeId: string | null): Promise<Array<Customer>> {
  return invoke<Array<Customer>>("likely_duplicates", { input, excludeId });
}

export function addContact(customerId: string, input: ContactInput): Promise<Contact> {
  return invoke<Contact>("add_contact", { customerId, input });
}

export function addActivity(customerId: string, input: ActivityInput): Promise<Activity> {
  return invoke<Activity>("add_activity", { customerId, input });
}

export function customFields(): Promise<Array<CustomFieldDef>> {
  return invoke<Array<CustomFieldDef>>("custom_fields");
}

export function products(includeInactive: boolean): Promise<Array<Product>> {
  return invoke<Array<Product>>("products", { includeInactive });
}

export function addProduct(input: ProductInput): Promise<Product> {
  return invoke<Product>("add_product", { input });
}

export function updateProduct(sku: string, input: ProductInput): Promise<Product> {
  return invoke<Product>("update_product", { sku, input });
}

export function previewOrder(lines: Array<LineInput>): Promise<OrderPreview> {
  return invoke<OrderPreview>("preview_order", { lines });
}

export function createOrder(input: OrderInput): Promise<Order> {
  return invoke<Order>("create_order", { input });
}

export function updateOrderLines(id: string, lines: Array<LineInput>, notes: string | null): Promise<Order> {
  return invoke<Order>("update_order_lines", { id, lines, notes });
}

export function setOrderStatus(id: string, status: OrderStatus): Promise<Order> {
  return invoke<Order>("set_order_status", { id, status });
}

export function order(id: string): Promise<Order> {
  return invoke<Order>("order", { id });
}

export function orders(filter: OrderFilter): Promise<Array<Order>> {
  return invoke<Array<Order>>("orders", { filter });
}

export function settings(): Promise<Settings> {
  return invoke<Settings>("settings");
}

export function saveSettings(settings: Settings): Promise<Settings> {
  return invoke<Settings>("save_settings", { settings });
}

export function addDemoData(customers: number): Promise<DemoSummary> {
  return invoke<DemoSummary>("add_demo_data", { customers });
}

export function benchMark(name: string, valueMs: number | null): Promise<number> {
  return invoke<number>("bench_mark", { name, valueMs });
}
