import { listen } from "@tauri-apps/api/event";
import { updateStatus, type UpdateStatus } from "../lib/bindings";

/** The updater's status as the shell reports it ("update" events), shared by the banner and
 * Settings' panel. */
export const updates = $state<{ status: UpdateStatus | null }>({ status: null });

let started = false;

/** Loads the status and follows its events (once per window). */
export async function followUpdates(): Promise<void> {
  if (started) return;
  started = true;
  await listen<UpdateStatus>("update", (e) => (updates.status = e.payload));
  updates.status = await updateStatus().catch(() => updates.status);
}
