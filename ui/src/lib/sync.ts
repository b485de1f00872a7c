// What the sync screen shows of the values and clocks the core sends.

/** A conflict side's value (JSON as the log holds it) as a person reads it: text as is, a list
 * (phones, tags) joined, custom values as `key: value`, nothing as `empty`. Text that is not JSON
 * (a duplicate's row id) is shown as it came. */
export function conflictValue(json: string, empty: string): string {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return json;
  }
  // A list or custom values are stored as JSON text inside the JSON string.
  if (typeof v === "string" && /^[[{]/.test(v.trim())) {
    try {
      v = JSON.parse(v);
    } catch {
      return v as string;
    }
  }
  if (v === null || v === "" || (Array.isArray(v) && v.length === 0)) return empty;
  if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ");
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length ? entries.map(([k, x]) => `${k}: ${typeof x === "string" ? x : JSON.stringify(x)}`).join(", ") : empty;
  }
  return String(v);
}

/** The wall-clock milliseconds of a hybrid logical clock (src/sync/hlc.rs: 16 counter bits). The
 * raw value is past 2^53, so it arrives rounded; the rounding is far below a millisecond. */
export function hlcMs(raw: number): number {
  return Math.floor(raw / 65536);
}
