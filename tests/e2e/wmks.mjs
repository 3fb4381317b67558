// End-to-end: VMware's own browser client, the HTML Console SDK wmks.js 2.1 (npm
// opennebula-wmks, test-only), against the lab, and then the same page on our
// createWMKS; the two must agree. wmks.js is the outside reader of the WebMKS dialect:
// where it and our engine disagree, it wins.
//
// 1. The oracle: wmks.js's own functions run on the inputs of tests/fixtures/webmks/
//    oracle.json and must give its outputs (VMware's scan-code table, diff-JPEG,
//    cursors, UTF-8 cut text, client messages, the update cache's tiles). The native
//    test tests/webmks.rs holds our engine to the same outputs. WRITE_ORACLE=1 writes the
//    file from wmks.js instead.
// 2. Side by side: the same page (tests/wmks/) with VMware's script line and with ours,
//    with the SDK's default options: same pixels, same typed text (real keys and
//    sendInputString), clicks and wheel turns, Ctrl+Alt+Del, a completed close handshake
//    on disconnect(), and under 50 KB of traffic in 10 idle seconds.
// Ends with "wmks: N passed, N failed".
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { assert, configFile, eventually, labCall, runTests, startBrowser, startLab } from "./lib.mjs";
import { ORACLE_CASES, computeOracle } from "./wmks-oracle.mjs";

const REPO = new URL("../../", import.meta.url).pathname;
const SDK_JS = join(REPO, "tools/node_modules/opennebula-wmks/dist/wmks.js");
const PACKAGE = process.env.NPM_PACKAGE_DIR || join(REPO, "target/npm/vsphere-console");
const ORACLE_FILE = join(REPO, "tests/fixtures/webmks/oracle.json");
const VSCAN_FILE = join(REPO, "tests/fixtures/webmks/vscan.json");

// --- The lab and the site -------------------------------------------------------------

const lab = await startLab(["--config", configFile({ frozenClock: "12:00:00" })]);
const login = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
const freshUrl = async () => {
  const t = await labCall(lab, "VirtualMachine/vm-101/AcquireTicket", { ticketType: "webmks" }, login.session);
  assert(t.status === 200 && t.json.url, `AcquireTicket: ${t.status}`);
  return t.json.url;
};
const consoles = async (path = "lab/consoles") => (await fetch(new URL(path, lab.url))).json();

/** The page's script line, VMware's or ours, and the policy beside ours (the lab is `ws:`). */
const SCRIPT_LINE = {
  sdk: '<script type="module" src="/sdk/global.js"></script>',
  ours: '<meta name="vsphere-console-policy" content=\'{"allowInsecure": true}\'>\n<script src="/pkg/wmks.global.js"></script>',
};
const TYPES = { ".js": "text/javascript", ".html": "text/html", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };
const site = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let body = null;
  if (path === "/sdk/wmks.js") body = readFileSync(SDK_JS);
  else if (path === "/sdk/global.js") body = 'import WMKS from "./wmks.js";\nwindow.WMKS = WMKS;\n';
  else if (path.startsWith("/pkg/") && !path.includes("..")) {
    const f = join(PACKAGE, path.slice(5));
    if (existsSync(f)) body = readFileSync(f);
  } else if (/^\/page\/(sdk|ours)\.html$/.test(path)) {
    const kind = path.includes("sdk") ? "sdk" : "ours";
    body = readFileSync(join(REPO, "tests/wmks/page.html"), "utf8").replace("<!-- SDK -->", SCRIPT_LINE[kind]);
  } else if (/^\/page\/page\.(js|css)$/.test(path)) body = readFileSync(join(REPO, "tests/wmks", path.slice(6)));
  else if (path === "/oracle.html") body = '<!doctype html><meta charset="utf-8"><div id="c"></div><script type="module" src="/sdk/global.js"></script>';
  if (body === null) {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "text/html" });
  res.end(body);
});
await new Promise((r) => site.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${site.address().port}`;

// Counts every websocket's bytes and keeps how it closed, whatever the client does with
// its own handlers (VMware's client clears them before closing).
function instrumentSockets() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const rec = { sent: 0, received: 0, close: null };
      this.__rec = rec;
      window.__sockets.push(rec);
      this.addEventListener("message", (e) => { rec.received += e.data.byteLength ?? e.data.size ?? e.data.length ?? 0; });
      this.addEventListener("close", (e) => { rec.close = { code: e.code, reason: e.reason, wasClean: e.wasClean }; });
    }
    send(data) {
      this.__rec.sent += data.byteLength ?? data.size ?? data.length ?? 0;
      super.send(data);
    }
  };
}

// --- The tests ------------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("VMware's client agrees with the oracle file our engine is held to", async ({ page }) => {
  await page.goto(`${origin}/oracle.html`);
  await page.waitForFunction(() => window.WMKS);
  const live = await page.evaluate(computeOracle, ORACLE_CASES);
  const vscan = await page.evaluate(() => {
    const m = WMKS.keyboardUtils.fromKeyCodeToVScanCode;
    return Object.fromEntries(Object.keys(m).map((k) => [k, m[k]]));
  });
  if (process.env.WRITE_ORACLE) {
    writeFileSync(ORACLE_FILE, `${JSON.stringify({ cases: ORACLE_CASES, ...live }, null, 1)}\n`);
    const sorted = Object.keys(vscan).sort((a, b) => vscan[a] - vscan[b] || a.localeCompare(b));
    writeFileSync(VSCAN_FILE, `${JSON.stringify(Object.fromEntries(sorted.map((k) => [k, vscan[k]])), null, 1)}\n`);
  }
  const fixed = JSON.parse(readFileSync(ORACLE_FILE, "utf8"));
  assert(JSON.stringify(fixed.cases) === JSON.stringify(ORACLE_CASES), `${ORACLE_FILE} holds the inputs of wmks-oracle.mjs (WRITE_ORACLE=1 rewrites it)`);
  for (const key of Object.keys(live)) {
    assert(JSON.stringify(live[key]) === JSON.stringify(fixed[key]), `wmks.js's ${key} is what ${ORACLE_FILE} says`);
  }
  const table = JSON.parse(readFileSync(VSCAN_FILE, "utf8"));
  assert(JSON.stringify(Object.keys(vscan).sort()) === JSON.stringify(Object.keys(table).sort()), "the same codes in VMware's scan-code table");
  for (const [code, sc] of Object.entries(vscan)) assert(table[code] === sc, `${code}: VMware 0x${sc.toString(16)}, the file 0x${table[code]?.toString(16)}`);
});

/** Opens the page with one client's script line, connects with the SDK's default options (or `options`). */
async function open(browser, kind, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const seen = { errors: [], console: [] };
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => seen.console.push(m.text()));
  await page.addInitScript(instrumentSockets);
  await page.goto(`${origin}/page/${kind}.html?options=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => window.pageReady);
  const newest = async () => Math.max(0, ...[...(await consoles()), ...(await consoles("lab/consoles/closed"))].map((c) => c.id));
  const before = await newest();
  await page.evaluate((url) => window.wmks.connect(url), await freshUrl());
  try {
    await eventually(`${kind}: connected`, () => page.evaluate(() => window.record.some((r) => r.name === "connectionstatechange" && r.data.state === "connected")), 20000);
  } catch (e) {
    const record = await page.evaluate(() => JSON.stringify(window.record)).catch(() => "");
    throw new Error(`${e.message}; page errors ${seen.errors.join(" | ")}; console ${seen.console.slice(-5).join(" | ")}; events ${record}`);
  }
  const view = await eventually(`${kind}: the lab's console`, async () => (await consoles()).find((c) => c.id > before)).catch(async (e) => { throw new Error(`${e.message}: before ${before}, open ${JSON.stringify((await consoles()).map((c) => [c.id, c.ended]))}, closed ${JSON.stringify((await consoles("lab/consoles/closed")).map((c) => [c.id, c.ended]))}; events ${await page.evaluate(() => JSON.stringify(window.record))}`); });
  current = view.id;
  return { context, page, seen, vm: view.vm };
}

/** The console the test drives now, as the lab sees it. */
let current = 0;
const labView = async () => (await consoles()).find((c) => c.id === current) ?? (await consoles("lab/consoles/closed")).find((c) => c.id === current);
const canvasSelector = (kind) => (kind === "sdk" ? "#mainCanvas" : "#console canvas");

/** Waits until the guest has taken the page's size and every update is acknowledged, twice in a row. */
async function settle(kind, page) {
  try {
    await eventually(`${kind}: the desktop at the page's size`, async () => (await labView()).size.join() === "800,600", 15000);
  } catch (e) {
    const v = await labView();
    const page_ = await page.evaluate(() => ({ status: window.wmks.console?.status ?? null, record: window.record.map((r) => r.data?.state ?? r.name) }));
    throw new Error(`${e.message}: the lab has ${v.size}, encodings ${v.encodings}; the page ${JSON.stringify(page_)}`);
  }
  let last = "";
  await eventually(`${kind}: no update in flight`, async () => {
    const v = await labView();
    const now = `${v.updateAcks}:${v.bytesToClient}`;
    const still = now === last;
    last = now;
    await page.waitForTimeout(300);
    return still;
  }, 15000);
}

async function pixels(kind, page) {
  return page.evaluate(async (sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const h = await crypto.subtle.digest("SHA-256", d);
    return { size: `${c.width}x${c.height}`, sha: Array.from(new Uint8Array(h)).map((b) => b.toString(16).padStart(2, "0")).join("") };
  }, canvasSelector(kind));
}

/** What one client did, as the lab recorded it and the page saw it. */
async function drive(browser, kind) {
  const { context, page, seen } = await open(browser, kind);
  try {
    await settle(kind, page);
    const picture = await pixels(kind, page);
    const box = await page.locator(canvasSelector(kind)).boundingBox();
    // Real keys, a click, the wheel.
    await page.mouse.click(box.x + 100, box.y + 200);
    await page.keyboard.type("abc 123");
    await page.keyboard.press("Shift+KeyX");
    await page.mouse.move(box.x + 300, box.y + 300);
    for (const [dx, dy] of [[0, 100], [0, 100], [0, -100], [100, 0]]) {
      await page.mouse.wheel(dx, dy);
      await page.waitForTimeout(50);
    }
    await eventually(`${kind}: typed text and wheel turns at the lab`, async () => {
      const v = await labView();
      return v.typed.endsWith("abc 123X") && v.wheel.down + v.wheel.up === 3 && v.wheel.left + v.wheel.right === 1;
    });
    await page.evaluate(() => window.wmks.sendCAD());
    await eventually(`${kind}: Ctrl+Alt+Del`, async () => (await labView()).scancodes.length >= 6);
    await page.waitForTimeout(300);
    const input = await labView();
    // Ten idle seconds.
    await settle(kind, page);
    const start = await page.evaluate(() => window.__sockets.at(-1) && { ...window.__sockets.at(-1) });
    await page.waitForTimeout(10_000);
    const end = await page.evaluate(() => ({ ...window.__sockets.at(-1) }));
    const idleBytes = end.sent - start.sent + end.received - start.received;
    // disconnect(): the closing handshake, both sides.
    await page.evaluate(() => window.wmks.disconnect());
    const ended = await eventually(`${kind}: the lab's console to close`, async () => (await consoles("lab/consoles/closed")).find((c) => c.id === current));
    const close = await eventually(`${kind}: the page's socket to close`, () => page.evaluate(() => window.__sockets.at(-1).close));
    await page.waitForTimeout(200);
    const record = await page.evaluate(() => window.record);
    assert(seen.errors.length === 0, `${kind}: no page errors (${seen.errors.join(" | ")})`);
    return { picture, input, idleBytes, ended: ended.ended, close, record, console: seen.console };
  } finally {
    await context.close();
  }
}

const results = {};
test("VMware's wmks.js, the SDK's defaults: connects, draws, takes keys, clicks and the wheel, closes cleanly, is quiet when idle", async ({ browser }) => {
  const r = (results.sdk = await drive(browser, "sdk"));
  assert(r.picture.size === "800x600", `wmks.js asked for the page's size (${r.picture.size})`);
  assert(r.ended === "ClientClosed", `the lab answered wmks.js's close frame (${r.ended})`);
  assert(r.close.wasClean, `wmks.js's socket closed cleanly (${JSON.stringify(r.close)})`);
  assert(r.idleBytes < 50_000, `wmks.js idle for 10 s: ${r.idleBytes} bytes`);
  // Two turns down, one up, one right: the lab reads wheelY +1 as up and wheelX +1 as right.
  assert(JSON.stringify(r.input.wheel) === '{"up":1,"down":2,"left":0,"right":1}', `wmks.js's wheel at the lab: ${JSON.stringify(r.input.wheel)}`);
  console.log(`  wmks.js: idle 10 s = ${r.idleBytes} bytes`);
});

test("our createWMKS on the same page: the same pixels, text, clicks, wheel and keys; a clean close it reports; quiet when idle", async ({ browser }) => {
  const r = (results.ours = await drive(browser, "ours"));
  const sdk = results.sdk;
  assert(sdk, "VMware's run came first");
  assert(r.picture.size === sdk.picture.size && r.picture.sha === sdk.picture.sha, `the same pixels as wmks.js (${r.picture.size} ${r.picture.sha.slice(0, 12)} / ${sdk.picture.size} ${sdk.picture.sha.slice(0, 12)})`);
  for (const field of ["typed", "clicks", "pointer", "wheel", "keyEvents2"]) {
    assert(JSON.stringify(r.input[field]) === JSON.stringify(sdk.input[field]), `${field}: ours ${JSON.stringify(r.input[field])}, wmks.js ${JSON.stringify(sdk.input[field])}`);
  }
  assert(r.input.scancodes.slice(-6).join() === sdk.input.scancodes.slice(-6).join(), `sendCAD's scan codes: ${r.input.scancodes.slice(-6)} / ${sdk.input.scancodes.slice(-6)}`);
  assert(r.ended === "ClientClosed" && r.close.wasClean, `a completed close handshake (${r.ended}, ${JSON.stringify(r.close)})`);
  assert(r.idleBytes < 50_000, `ours idle for 10 s: ${r.idleBytes} bytes`);
  console.log(`  ours: idle 10 s = ${r.idleBytes} bytes`);
  const states = (rec) => rec.filter((e) => e.name === "connectionstatechange").map((e) => e.data.state);
  assert(states(sdk.record).join() === "connecting,connected", `wmks.js's states (${states(sdk.record)}): its disconnect() reports nothing`);
  assert(states(r.record).join() === "connecting,connected,disconnected", `ours report disconnected, as the SDK documents (${states(r.record)})`);
  const last = r.record.filter((e) => e.name === "connectionstatechange").at(-1);
  assert(last.data.code === r.close.code, `disconnected carries the close code (${JSON.stringify(last.data)})`);
  const sizes = (rec) => JSON.stringify(rec.filter((e) => e.name === "screensizechange").map((e) => e.data));
  assert(sizes(r.record) === sizes(sdk.record), `the same screensizechange data (${sizes(r.record)} / ${sizes(sdk.record)})`);
  // Heartbeats come on the server's clock, so where they fall among the other events (and
  // how many come) differs from run to run: the other events in order, the heartbeats as
  // a kind.
  const shape = (rec, beats) =>
    rec.filter((e) => e.name !== "error" && (e.name === "heartbeat") === beats).map((e) => `${e.name}:${e.type}:${e.onTheElement}`);
  const events = (rec) => shape(rec, false).join();
  assert(events(r.record).startsWith(events(sdk.record)), `handlers get what the SDK gives them: this, event.type (${events(r.record)} / ${events(sdk.record)})`);
  const beats = (rec) => [...new Set(shape(rec, true))].join();
  assert(beats(sdk.record) !== "" && beats(r.record) === beats(sdk.record), `heartbeat handlers too (${beats(r.record)} / ${beats(sdk.record)})`);
});

test("sendInputString types the same text with VMware's legacy keyboard and ours", async ({ browser }) => {
  const typed = {};
  for (const kind of ["sdk", "ours"]) {
    // wmks.js's default (scan-code) keyboard ignores sendInputString; its legacy one types.
    const { context, page } = await open(browser, kind, { disableVscanKeyboard: true });
    try {
      await settle(kind, page);
      const before = (await labView()).typed;
      await page.evaluate(() => window.wmks.sendInputString("Hello lab, 42!"));
      typed[kind] = await eventually(`${kind}: sendInputString at the lab`, async () => {
        const t = (await labView()).typed.slice(before.length);
        return t.length >= 14 && t;
      });
    } finally {
      await context.close();
    }
  }
  assert(typed.sdk === "Hello lab, 42!", `wmks.js typed ${JSON.stringify(typed.sdk)}`);
  assert(typed.ours === typed.sdk, `ours typed ${JSON.stringify(typed.ours)}`);
});

test("an unchanged SDK page with no policy refuses ws: by default, and says so through the SDK's error event", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(instrumentSockets);
  try {
    // The same page with our script line but no policy beside it: the SDK default (wss: only).
    await page.route("**/page/plain.html", async (route) => route.fulfill({
      contentType: "text/html",
      body: readFileSync(join(REPO, "tests/wmks/page.html"), "utf8").replace("<!-- SDK -->", '<script src="/pkg/wmks.global.js"></script>'),
    }));
    await page.goto(`${origin}/page/plain.html`);
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(async (url) => window.wmks.connect(url), await freshUrl());
    const error = await eventually("an error event", () => page.evaluate(() => window.record.find((r) => r.name === "error")));
    assert(error.data.errorType === "websocketerror" && error.data.code === "insecure", `error ${JSON.stringify(error.data)}`);
    assert(await page.evaluate(() => window.__sockets.length) === 0, "no socket was opened");
  } finally {
    await context.close();
  }
});

// --- Run ------------------------------------------------------------------------------

const browser = await startBrowser();
const { passed, failed } = await runTests(tests, "wmks", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = { errors: [], console: [] };
  return { args: { browser, page }, page, seen, close: () => context.close() };
});
await browser.close();
site.close();
lab.stop();
console.log(`wmks: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
