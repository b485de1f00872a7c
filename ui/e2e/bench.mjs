// `cargo xtask bench ui`: the release app over a 100,000-customer book. Prints cold start to the
// first painted customer list (process start → list on screen, median of 3 launches) and the time
// from a keystroke in the search box to the updated list on screen (p50/p99 over typed queries).
import { remote } from "webdriverio";

const APP = process.env.BANYAN_APP;
if (!APP) throw new Error("BANYAN_APP must be set (run through `cargo xtask bench ui`)");

const session = () =>
  remote({ hostname: "127.0.0.1", port: 4444, logLevel: "error", capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: APP } } });
const bench = (b) => b.execute(() => window.__banyanBench ?? { firstList: null, keys: [], ipc: [] });

const starts = [];
let keys = [];
for (let run = 0; run < 3; run++) {
  const b = await session();
  try {
    await b.waitUntil(async () => (await bench(b)).firstList !== null, { timeout: 60_000, interval: 50 });
    starts.push((await bench(b)).firstList);
    if (run === 2) {
      const search = await b.$('[data-testid="customer-search"]');
      for (const q of ["zhang", "wang wei", "liu", "13812", "müller", "smith", "上海", "zsf", "northwind", "cq"]) {
        await search.clearValue();
        await b.pause(300);
        await search.click();
        const before = (await bench(b)).keys.length;
        for (const ch of q) {
          const n = (await bench(b)).keys.length;
          await b.keys(ch);
          await b.waitUntil(async () => (await bench(b)).keys.length > n, { timeout: 5_000, interval: 5 }).catch(() => {});
        }
        keys = (await bench(b)).keys.slice(before);
        globalThis.all = (globalThis.all ?? []).concat(keys);
        globalThis.slow = (globalThis.slow ?? []).concat(keys.map((ms, i) => ({ ms, typed: q.slice(0, i + 1) })));
        globalThis.ipc = (await bench(b)).ipc;
      }
    }
  } finally {
    await b.deleteSession();
  }
}
const all = (globalThis.all ?? []).sort((a, b) => a - b);
const pct = (v, p) => v[Math.min(v.length - 1, Math.round((v.length - 1) * p))];
starts.sort((a, b) => a - b);
console.log(`ui benchmark: release build, 100,000 customers`);
console.log(`cold start to first painted customer list: median ${starts[1].toFixed(0)} ms (runs: ${starts.map((s) => s.toFixed(0)).join(", ")} ms; target ≤ 1000 ms)`);
console.log(`keystroke to updated list: p50 ${pct(all, 0.5).toFixed(1)} ms, p99 ${pct(all, 0.99).toFixed(1)} ms over ${all.length} keystrokes (target ≤ 50 ms)`);
const slowest = (globalThis.slow ?? []).sort((a, b) => b.ms - a.ms).slice(0, 5);
console.log(`  slowest keystrokes: ${slowest.map((k) => `"${k.typed}" ${k.ms.toFixed(0)} ms`).join(", ")}`);
const ipc = (globalThis.ipc ?? []).sort((a, b) => a - b);
if (ipc.length) console.log(`  of which the search call (IPC round trip, core search, JSON): p50 ${pct(ipc, 0.5).toFixed(1)} ms, p99 ${pct(ipc, 0.99).toFixed(1)} ms`);
