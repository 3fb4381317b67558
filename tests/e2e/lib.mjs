// Shared helpers for the end-to-end tests: start the lab, start Chromium, assert.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const require = createRequire(new URL("../../tools/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const ARTIFACTS = process.env.ARTIFACTS || "target/e2e-artifacts";
mkdirSync(ARTIFACTS, { recursive: true });

/** Starts `vsphere-lab` on a free loopback port; resolves to { url, stop }. */
export async function startLab(extraArgs = []) {
  const bin = process.env.LAB_BIN || "target/release/vsphere-lab";
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--test-hooks", "--app-dir", process.env.APP_DIR || ".", ...extraArgs], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const rl = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the lab did not print its URL within 20 s")), 20000);
    rl.once("line", (line) => { clearTimeout(timer); resolve(line.trim()); });
    child.once("exit", (code) => reject(new Error(`the lab exited early (${code})`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/** Debian's Chromium, headless, with the flags this machine needs; `env` e.g. a HOME whose NSS store trusts a test CA. */
export async function startBrowser(env = undefined) {
  return chromium.launch({
    env,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** Polls `fn` until it returns a truthy value, or fails with `what`. */
export async function eventually(what, fn, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

/** A page that records errors, console lines, websockets and secrets seen on the wire. */
export async function openPage(browser, url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, ...options });
  const page = await context.newPage();
  const seen = { errors: [], console: [], sockets: [], secrets: new Set() };
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => seen.console.push(m.text()));
  page.on("websocket", (ws) => seen.sockets.push(ws.url()));
  page.on("response", async (resp) => {
    const sid = resp.headers()["vmware-api-session-id"];
    if (sid) seen.secrets.add(sid);
    if (resp.url().endsWith("/AcquireTicket") && resp.status() === 200) {
      try {
        const t = await resp.json();
        if (t.ticket) seen.secrets.add(t.ticket);
      } catch { /* not json: nothing to record */ }
    }
  });
  await page.goto(url);
  return { context, page, seen };
}

export async function login(page, user, password) {
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** A VI/JSON call straight to the lab, as a portal's backend would make it. */
export async function labCall(lab, path, body, session) {
  const headers = { "content-type": "application/json" };
  if (session) headers["vmware-api-session-id"] = session;
  const r = await fetch(new URL(`sdk/vim25/8.0.1.0/${path}`, lab.url), { method: "POST", headers, body: JSON.stringify(body ?? {}) });
  return { status: r.status, session: r.headers.get("vmware-api-session-id"), json: await r.json().catch(() => null) };
}

/** RGBA pixels of a canvas region, read in the page. */
export async function canvasPixels(page, x, y, w, h) {
  return page.evaluate(([x, y, w, h]) => {
    const c = document.querySelector("canvas");
    const d = c.getContext("2d").getImageData(x, y, w, h).data;
    return Array.from(d);
  }, [x, y, w, h]);
}

export async function canvasRegionSha256(page, [x, y, w, h]) {
  return page.evaluate(async ([x, y, w, h]) => {
    const c = document.querySelector("canvas");
    const d = c.getContext("2d").getImageData(x, y, w, h).data;
    const digest = await crypto.subtle.digest("SHA-256", d);
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
  }, [x, y, w, h]);
}

/** Fails when a secret seen on the wire shows up in the DOM, storage, URL or console. */
export async function assertNoSecretsLeak(page, seen) {
  const where = await page.evaluate(() => ({
    dom: document.documentElement.outerHTML,
    local: JSON.stringify(Object.entries(localStorage)),
    session: JSON.stringify(Object.entries(sessionStorage)),
    url: location.href,
    cookies: document.cookie,
  }));
  assert(seen.secrets.size > 0, "the test saw a session id or ticket on the wire");
  for (const secret of seen.secrets) {
    for (const [name, text] of Object.entries(where)) {
      assert(!text.includes(secret), `a secret appeared in ${name}`);
    }
    assert(!seen.console.some((l) => l.includes(secret)), "a secret appeared in the console log");
  }
}

/**
 * Runs `tests` one after another and prints TAP-like lines. `open(t)` prepares a test
 * and resolves to { args, page, seen, close, diagnose? }: `args` go to `t.fn`, a failure
 * prints `diagnose()`'s lines and leaves a screenshot named `failed-<prefix>-<n>.png`.
 * Resolves to { passed, failed }.
 */
export async function runTests(tests, prefix, open) {
  let passed = 0;
  const failed = [];
  // E2E_ONLY=text runs only the tests whose name contains it (local iteration).
  const only = process.env.E2E_ONLY;
  for (const [i, t] of tests.entries()) {
    if (only && !t.name.includes(only)) continue;
    const ctx = await open(t);
    const started = Date.now();
    try {
      await t.fn(ctx.args);
      assert(ctx.seen.errors.length === 0, `no page errors (got ${ctx.seen.errors.join(" | ")})`);
      passed++;
      console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed.push(t.name);
      console.log(`not ok - ${t.name}: ${e.message}`);
      // One line per failure in a file xtask prints at the end of the run, where a CI
      // log's tail shows it.
      appendFileSync(`${ARTIFACTS}/failed.txt`, `${prefix}: ${t.name}: ${e.message.split("\n")[0].slice(0, 300)}\n`);
      const shot = `${ARTIFACTS}/failed-${prefix}-${i}.png`;
      await ctx.page.screenshot({ path: shot }).catch(() => {});
      console.log(`  screenshot: ${shot}`);
      for (const l of ctx.seen.console.slice(-10)) console.log(`  console: ${l}`);
      for (const l of ctx.diagnose?.() ?? []) console.log(`  ${l}`);
    } finally {
      await ctx.close();
    }
  }
  return { passed, failed };
}

/** Chromium's input-method events, as an IME makes them: the word grows (`steps`), then `commit` is committed. */
export async function compose(cdp, steps, commit) {
  for (const text of steps) {
    await cdp.send("Input.imeSetComposition", { text, selectionStart: text.length, selectionEnd: text.length });
  }
  await cdp.send("Input.insertText", { text: commit });
}

/** A lab config file for `--config`. */
export function configFile(obj) {
  const p = join(tmpdir(), `lab-e2e-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(p, JSON.stringify(obj));
  return p;
}

/**
 * Runs app tests: each gets a fresh lab (`labConfig`: JSON, or a function returning
 * `{config, stop, args?}`: `args` join the test's) and a fresh browser context on it; prints "prefix: N passed, N failed".
 */
export async function runAppTests(tests, prefix) {
  const browser = await startBrowser();
  const result = await runTests(tests, prefix, async (t) => {
    const setup = typeof t.labConfig === "function" ? await t.labConfig() : null;
    const config = setup ? setup.config : t.labConfig;
    const args = config ? ["--config", configFile(config)] : [];
    if (t.appConfig) {
      // The lab's app config with the test's fields over it.
      const base = JSON.parse(readFileSync(new URL("../../www/config.lab.json", import.meta.url), "utf8"));
      args.push("--app-config", configFile({ ...base, ...t.appConfig }));
    }
    const lab = await startLab(args);
    const ctx = await openPage(browser, lab.url, t.contextOptions ?? {});
    const extraContexts = [];
    // A test that needs other context options (touch) gets its own page on the same lab.
    ctx.browserFor = async (options) => {
      const c = await openPage(browser, lab.url, options);
      extraContexts.push(c.context);
      return c;
    };
    return {
      args: { lab, ...ctx, ...(setup?.args ?? {}) }, page: ctx.page, seen: ctx.seen,
      close: async () => {
        await ctx.context.close();
        for (const c of extraContexts) await c.close();
        lab.stop();
        if (setup) setup.stop();
      },
    };
  });
  await browser.close();
  console.log(`${prefix}: ${result.passed} passed, ${result.failed.length} failed`);
  return result;
}
