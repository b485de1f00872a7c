// Marks where the typed text occurs in a name (case- and accent-insensitive), for the list.
export interface Part {
  text: string;
  hit: boolean;
}

const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

export function highlight(text: string, query: string): Part[] {
  const terms = query.split(/\s+/).map(fold).filter((q) => q.length > 0);
  if (!terms.length) return [{ text, hit: false }];
  // Fold character by character so positions in the folded text map back to the original.
  const chars = [...text];
  const folded = chars.map((c) => fold(c));
  const hit = new Array(chars.length).fill(false);
  for (const term of terms) {
    for (let start = 0; start < chars.length; start++) {
      let acc = "";
      let end = start;
      while (end < chars.length && acc.length < term.length) acc += folded[end++];
      if (acc === term) for (let k = start; k < end; k++) hit[k] = true;
    }
  }
  const parts: Part[] = [];
  chars.forEach((c, i) => {
    const last = parts[parts.length - 1];
    if (last && last.hit === hit[i]) last.text += c;
    else parts.push({ text: c, hit: hit[i] });
  });
  return parts;
}
