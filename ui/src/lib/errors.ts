// Errors from the core arrive as { code, message, field?, fields? } with the message already in the
// user's language; anything else (a broken IPC call) is shown as it is.
import type { ApiError } from "./bindings";

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export function message(e: unknown): string {
  if (isApiError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Field path → message, for marking each field of a form. */
export function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isApiError(e) && e.code === "invalid") {
    for (const f of e.fields ?? []) out[f.field] = f.message;
    if (e.field && !(e.field in out)) out[e.field] = e.message;
  }
  return out;
}

/** Errors whose field is not one the form shows go to the form's general error line. */
export function unplaced(errors: Record<string, string>, shown: (field: string) => boolean): string[] {
  return Object.entries(errors)
    .filter(([f]) => !shown(f))
    .map(([, m]) => m);
}
