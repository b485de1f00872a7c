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

/** Search hits asked for per keystroke: a screenful and more. */
export const SEARCH_FIRST = 50;
/** The most hits a search list grows to by scrolling. */
export const SEARCH_MAX = 1000;

/** Whether a search that returned `shown` hits for `limit` asked may have more to give. */
export function mayHaveMore(shown: number, limit: number): boolean {
  return shown >= limit && limit < SEARCH_MAX;
}

/**
 * The larger limit to ask for when the list is scrolled to within 10 rows of the `shown` hits
 * (`last` is the index after the last row in view), or null when there is nothing more to ask.
 */
export function moreHitsLimit(shown: number, limit: number, last: number): number | null {
  if (!mayHaveMore(shown, limit) || last < shown - 10) return null;
  return Math.min(SEARCH_MAX, limit * 4);
}
