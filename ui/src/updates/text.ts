import { t } from "../lib/i18n.svelte";
import type { UpdateFailure } from "../lib/bindings";

/** A failure as the user reads it: what happened in their language, IT's detail after it. */
export function failureText(f: UpdateFailure): string {
  const known = ["network", "manifest", "signature", "install", "busy"];
  return t(`update-failed-${known.includes(f.kind) ? f.kind : "install"}`, { detail: f.detail });
}
