/** What `cargo xtask bench ui` reads from the page (`window.__banyanBench`): moments in ms since
 *  the app's process started (from the `bench_mark` command), and latencies in ms. */
export type BenchTimes = {
  /** The sign-in screen painted. */
  signInShown: number | null;
  /** The first sign-in sent. */
  signInSent: number | null;
  /** The first customer list painted. */
  firstList: number | null;
  /** Keystroke in the search box → updated list painted. */
  keys: number[];
  /** The search call alone (IPC round trip, core search, JSON). */
  ipc: number[];
};

export function benchTimes(): BenchTimes {
  const w = window as unknown as { __banyanBench?: BenchTimes };
  return (w.__banyanBench ??= { signInShown: null, signInSent: null, firstList: null, keys: [], ipc: [] });
}
