// Fault injection: hostile console servers (the lab's `hostile` scenarios, reached
// through its ticket endpoint like any console) against the release app in Chromium.
// For each: the page keeps answering (no task on its main thread of 100 ms or more, by
// the Long Tasks API; the longest gap between 10 ms timer ticks is printed beside it),
// a sentence appears within a stated bound, and nothing is lost: back to the VM list,
// another console opens in the same page. Ends with "hostile: N passed, N failed".
import { writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, eventually, login, openPage, runTests, startBrowser, startLab } from "./lib.mjs";

const REPO = new URL("../../", import.meta.url).pathname;
/** How long a step may take before the console says so (the app's stepTimeoutSeconds). */
const STEP_TIMEOUT_S = 3;
/** No task on the page's main thread may take this long: the page answers within it. */
const MAX_TASK_MS = 100;

// Each scenario, the sentence it must produce, and within how long.
const SCENARIOS = [
  // Bytes that are not "RFB …" may still be WebMKS's ServerInit-first variant; read as
  // one, they fail on an absurd size. Either way: a sentence, not a hang.
  ["garbage-version", /The console stopped because the server sent data it could not understand/, 5000],
  ["silence", /Nothing happened for 3 s: the console server did not finish setting up the console/, 8000],
  ["rect-outside", /could not understand .*outside the 1024x768 framebuffer/, 5000],
  ["drop-mid-rect", /disconnected \(code 1006\)/, 5000],
  ["unknown-message", /could not understand .*unknown server message type 200/, 5000],
  ["zlib-bomb", /could not understand|far more drawing/, 8000],
  ["huge-cut-text", /could not understand .*larger than the limit/, 5000],
  ["amplify-rre", /far more drawing than any screen needs/, 10000],
  ["amplify-copyrect", /far more drawing than any screen needs/, 10000],
  ["amplify-hextile", /far more drawing than any screen needs/, 15000],
  ["slow-drip", /Nothing happened for 3 s: the console server sent no picture/, 10000],
];

const vms = SCENARIOS.map(([scenario], i) => ({ moid: `vm-9${String(i).padStart(2, "0")}`, name: `hostile-${scenario}`,
  powerState: "poweredOn", host: "host-10", guestOs: "Other", hostile: scenario }));
vms.push({ moid: "vm-101", name: "web-01", powerState: "poweredOn", host: "host-10", guestOs: "Linux" });
const labConfig = join(tmpdir(), `lab-hostile-${process.pid}.json`);
writeFileSync(labConfig, JSON.stringify({ vms }));
const appConfig = join(tmpdir(), `app-hostile-${process.pid}.json`);
writeFileSync(appConfig, JSON.stringify({ ...JSON.parse(readFileSync(join(REPO, "www/config.lab.json"), "utf8")), stepTimeoutSeconds: STEP_TIMEOUT_S }));
const lab = await startLab(["--config", labConfig, "--app-config", appConfig]);

const tests = SCENARIOS.map(([scenario, sentence, boundMs]) => ({
  name: `${scenario}: the page answers, a sentence within ${boundMs / 1000} s, another console opens after`,
  fn: async ({ page }) => {
    await login(page, "demo@vsphere.local", "demo");
    await page.getByRole("button", { name: `Open console of hostile-${scenario}` }).waitFor();
    // The probes: the Long Tasks API reports every main-thread task of 50 ms or more
    // (the page cannot answer input during one); a 10 ms timer's longest gap between
    // ticks also counts time the machine gave the browser nothing (printed, not asserted:
    // on two busy cores that alone has reached 100 ms in CI).
    await page.evaluate(() => {
      window.__longestTask = 0;
      window.__tasks = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longestTask = Math.max(window.__longestTask, e.duration);
      });
      window.__tasks.observe({ type: "longtask" });
      window.__maxGap = 0;
      let last = performance.now();
      window.__probe = setInterval(() => {
        const now = performance.now();
        window.__maxGap = Math.max(window.__maxGap, now - last);
        last = now;
      }, 10);
    });
    const started = Date.now();
    await page.getByRole("button", { name: `Open console of hostile-${scenario}` }).click();
    const alert = page.getByRole("alert");
    await eventually(`a sentence matching ${sentence}`, async () => sentence.test((await alert.textContent({ timeout: 200 }).catch(() => "")) ?? ""), boundMs);
    const took = Date.now() - started;
    // Let a little more happen (a drip goes on), then read the probe.
    await page.waitForTimeout(500);
    const { gap, task } = await page.evaluate(() => {
      clearInterval(window.__probe);
      for (const e of window.__tasks.takeRecords()) window.__longestTask = Math.max(window.__longestTask, e.duration);
      window.__tasks.disconnect();
      return { gap: window.__maxGap, task: window.__longestTask };
    });
    console.log(`  ${scenario}: sentence after ${took} ms, longest task ${task ? task.toFixed(0) + " ms" : "under 50 ms"}, longest timer gap ${gap.toFixed(0)} ms`);
    assert(task < MAX_TASK_MS, `the page answered throughout (longest task ${task.toFixed(0)} ms)`);
    // Nothing lost: back to the list, another console in the same page.
    await page.getByRole("button", { name: "Back to VM list" }).click();
    await page.getByRole("button", { name: "Open console of web-01" }).click();
    await eventually("the other console to run", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Running", 15000);
  },
}));

const browser = await startBrowser();
const { passed, failed } = await runTests(tests, "hostile", async () => {
  const ctx = await openPage(browser, lab.url);
  return { args: ctx, page: ctx.page, seen: ctx.seen, close: () => ctx.context.close() };
});
await browser.close();
lab.stop();
console.log(`hostile: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
