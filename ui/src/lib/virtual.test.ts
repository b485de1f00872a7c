import { describe, expect, it } from "vitest";
import { mayHaveMore, moreHitsLimit, pagesFor, scrollToShow, SEARCH_FIRST, SEARCH_MAX, windowFor } from "./virtual";
import { nextIndex } from "./keys";

describe("virtual list", () => {
  it("renders only the rows in view plus a margin, whatever the total", () => {
    const w = windowFor(44_000 * 500, 600, 44, 1_000_000, 8);
    expect(w.first).toBe(500_000 - 8);
    expect(w.last - w.first).toBeLessThan(40);
    expect(w.padTop + (w.last - w.first) * 44 + w.padBottom).toBe(1_000_000 * 44);
  });

  it("never runs past the end", () => {
    const w = windowFor(10_000, 600, 44, 20);
    expect(w.last).toBe(20);
    expect(w.padBottom).toBe(0);
  });

  it("loads the pages a window needs", () => {
    expect(pagesFor(95, 130, 100)).toEqual([0, 1]);
    expect(pagesFor(0, 0, 100)).toEqual([]);
  });

  it("scrolls just enough to show a row", () => {
    expect(scrollToShow(10, 0, 440, 44)).toBe(44);
    expect(scrollToShow(2, 200, 440, 44)).toBe(88);
    expect(scrollToShow(5, 0, 440, 44)).toBeNull();
  });
});

describe("keyboard navigation", () => {
  it("moves within the list and stops at its ends", () => {
    expect(nextIndex("ArrowDown", -1, 10, 5)).toBe(0);
    expect(nextIndex("ArrowDown", 9, 10, 5)).toBe(9);
    expect(nextIndex("ArrowUp", 0, 10, 5)).toBe(0);
    expect(nextIndex("PageDown", 3, 10, 5)).toBe(8);
    expect(nextIndex("End", 3, 10, 5)).toBe(9);
    expect(nextIndex("Home", 3, 10, 5)).toBe(0);
    expect(nextIndex("a", 3, 10, 5)).toBeNull();
    expect(nextIndex("ArrowDown", -1, 0, 5)).toBeNull();
  });
});

describe("search list growth", () => {
  it("asks for more only near the end of a full list", () => {
    expect(moreHitsLimit(50, SEARCH_FIRST, 12)).toBeNull();
    expect(moreHitsLimit(50, SEARCH_FIRST, 41)).toBe(200);
    expect(moreHitsLimit(200, 200, 195)).toBe(800);
    expect(moreHitsLimit(800, 800, 800)).toBe(SEARCH_MAX);
  });

  it("stops when the search gave fewer hits than asked, or at the cap", () => {
    expect(moreHitsLimit(37, SEARCH_FIRST, 37)).toBeNull();
    expect(moreHitsLimit(SEARCH_MAX, SEARCH_MAX, SEARCH_MAX)).toBeNull();
    expect(mayHaveMore(50, SEARCH_FIRST)).toBe(true);
    expect(mayHaveMore(49, SEARCH_FIRST)).toBe(false);
  });
});
