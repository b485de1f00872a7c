// Windowing for long lists: only the rows in view (plus a margin) are in the DOM, so a list of a
// million customers scrolls like one of a hundred.
export interface Window {
  first: number;
  last: number; // exclusive
  padTop: number;
  padBottom: number;
}

export function windowFor(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 8): Window {
  // A list that shrank under a scrolled viewport: show its end, not rows that no longer exist.
  scrollTop = Math.max(0, Math.min(scrollTop, total * rowHeight - viewport));
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last: Math.max(first, last), padTop: first * rowHeight, padBottom: Math.max(0, (total - Math.max(first, last)) * rowHeight) };
}

/** Pages (of `pageSize` rows) that must be loaded to show rows [first, last). */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p * pageSize < last; p++) pages.push(p);
  return pages;
}

/** The scrollTop that brings row `index` into view, or null when it already is. */
export function scrollToShow(index: number, scrollTop: number, viewport: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return null;
}
