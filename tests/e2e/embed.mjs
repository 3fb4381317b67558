// End-to-end: the npm package embedded in portal pages, and the app, both served by the
// repository's nginx recipe (deploy/nginx) over TLS with its strict CSP, consoles over
// wss through the recipe's proxy. Tickets come from "the portal's backend": the test
// logs in to the lab and calls AcquireTicket itself, as a portal's server would.
// Ends with "embed: N passed, N failed".
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, assert, assertNoSecretsLeak, compose, eventually, labCall, login, openPage, runTests, startBrowser, startLab } from "./lib.mjs";
import { browserHomeTrusting, makeCertificates, NAMES, startNginx } from "./nginx.mjs";
import { freePort } from "./servers.mjs";

const REPO = new URL("../../", import.meta.url).pathname;
const TOOLS = join(REPO, "tools/node_modules/.bin");
const PACKAGE = process.env.NPM_PACKAGE_DIR || join(REPO, "target/npm/vsphere-console");
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; frame-ancestors 'self'";
const LAB_BLUE = "11,92,173,255";

// --- The site: the app, the packed package, the host pages, a bundle ----------------

const work = mkdtempSync(join(tmpdir(), "vsc-embed-"));
const certs = makeCertificates(work);
const root = join(work, "site");
mkdirSync(join(root, "www"), { recursive: true });
cpSync(join(REPO, "index.html"), join(root, "index.html"));
for (const f of ["style.css", "main.js"]) cpSync(join(REPO, "www", f), join(root, "www", f));
symlinkSync(join(REPO, "pkg"), join(root, "pkg"));
// The package exactly as `npm publish` would ship it: packed, then unpacked into node_modules.
const tgz = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: PACKAGE, encoding: "utf8" }).trim().split("\n").pop();
mkdirSync(join(root, "node_modules/vsphere-console"), { recursive: true });
execFileSync("tar", ["-xzf", join(work, tgz), "-C", join(root, "node_modules/vsphere-console"), "--strip-components=1"]);
cpSync(join(REPO, "tests/embed"), join(root, "embed"), { recursive: true });
// A portal's bundle: esbuild resolves the package from node_modules, emits the .wasm as a file.
execFileSync(join(TOOLS, "esbuild"), [join(root, "embed/bundled-entry.js"), "--bundle", "--format=esm", "--target=es2022",
  `--outfile=${join(root, "bundle/bundled.js")}`, "--loader:.wasm=file", "--public-path=/bundle", "--log-level=warning"], { cwd: root });

// nginx first (its ESXi front's port goes into the lab's tickets), then the lab on the
// port nginx already forwards to.
const labPort = await freePort();
const nginx = await startNginx({ root, labPort, certs });
const policy = { allowedHosts: ["*.vsc.test"], allowedPorts: [nginx.esxPort],
  proxyTemplate: `wss://${NAMES.portal}:${nginx.port}/console/{host}/{port}/ticket/{ticket}` };
writeFileSync(join(root, "embed/settings.json"), JSON.stringify({ policy, requestedFrom: `https://${NAMES.vcenter}` }));
writeFileSync(join(root, "www/config.json"), JSON.stringify({ consolePolicy: policy, loginHint: "demo@vsphere.local / demo" }));
const labConfig = join(work, "lab.json");
writeFileSync(labConfig, JSON.stringify({ vms: [{ moid: "vm-101", name: "web-01", powerState: "poweredOn", host: "host-10", guestOs: "Linux",
  ticket: { host: NAMES.esxi, port: nginx.esxPort, url: `wss://${NAMES.esxi}:${nginx.esxPort}/ticket/{ticket}` } }] }));
const lab = await startLab(["--listen", `127.0.0.1:${labPort}`, "--config", labConfig]);

// --- The tests ------------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function consoles(path = "lab/consoles") {
  return (await fetch(new URL(path, lab.url))).json();
}

/** The portal's backend: one lab session, a fresh ticket per request. */
async function portalBackend(page, seen) {
  const login_ = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
  seen.secrets.add(login_.session);
  const issued = [];
  await page.route("**/portal/ticket", async (route) => {
    const t = await labCall(lab, "VirtualMachine/vm-101/AcquireTicket", { ticketType: "webmks" }, login_.session);
    assert(t.status === 200, `AcquireTicket: ${t.status}`);
    seen.secrets.add(t.json.ticket);
    issued.push(t.json.ticket);
    await route.fulfill({ contentType: "application/json", body: JSON.stringify(t.json) });
  });
  return issued;
}

const events = (page) => page.evaluate(() => (window.events ?? []).map((e) => ({ type: e.type, detail: e.detail })));
const types = async (page) => (await events(page)).map((e) => e.type);

async function labBlueAt(page) {
  return page.evaluate(() => {
    const c = document.querySelector("canvas");
    return c && c.width > 0 ? Array.from(c.getContext("2d").getImageData(4, 4, 1, 1).data).join() : "";
  });
}

/** Typed keys arrive: the lab's desktop records what it received. */
async function typesInto(page, text) {
  await page.locator("canvas").click({ position: { x: 300, y: 300 } });
  await page.keyboard.type(text);
  await eventually(`the lab to receive "${text}"`, async () => (await consoles()).some((c) => c.vm === "web-01" && c.typed.endsWith(text)));
}

/** disconnect() said goodbye (SessionClose) and the socket closed. */
async function saidGoodbye(before) {
  await eventually("the lab to record SessionClose and the close", async () => {
    const closed = await consoles("lab/consoles/closed");
    const open = await consoles();
    return closed.length > before && closed.at(-1).sessionClose === true && !open.some((c) => c.vm === "web-01");
  });
}

async function assertNoCspViolation(page, seen) {
  const violations = await page.evaluate(() => window.__cspViolations ?? []);
  assert(violations.length === 0, `no CSP violation (got ${JSON.stringify(violations)})`);
  const refused = seen.console.filter((l) => /Content Security Policy|Refused to/.test(l));
  assert(refused.length === 0, `no CSP complaint in the console (got ${refused.join(" | ")})`);
}

async function assertEventsCarryNoSecret(page, seen) {
  const text = JSON.stringify(await events(page));
  for (const s of seen.secrets) assert(!text.includes(s), "an event detail carries a secret");
}

const lastScancodes = async (n) => ((await consoles()).find((c) => c.vm === "web-01")?.scancodes ?? []).slice(-n).join();
const labView = async () => (await consoles()).find((c) => c.vm === "web-01");
const CAD = "1d+,38+,153+,153-,38-,1d-";

test("the recipe serves the app with the CSP header and wasm as application/wasm", async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith(".wasm"));
  const resp = await page.goto(`${nginx.origin}/`);
  assert(resp.headers()["content-security-policy"] === CSP, `CSP header: ${resp.headers()["content-security-policy"]}`);
  assert((await wasm).headers()["content-type"] === "application/wasm", "wasm served as application/wasm");
  await page.getByLabel("User name").waitFor();
});

test("the app through nginx: login over the proxied API, console over wss, no CSP violation", async ({ page, seen }) => {
  page.on("response", async (r) => {
    const sid = r.headers()["vmware-api-session-id"];
    if (sid) seen.secrets.add(sid);
    if (r.url().endsWith("/AcquireTicket") && r.ok()) seen.secrets.add((await r.json()).ticket);
  });
  await page.goto(`${nginx.origin}/`);
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await eventually("the console to run", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Running", 20000);
  assert(await labBlueAt(page) === LAB_BLUE, "the lab desktop is painted");
  assert(seen.sockets.length === 1 && seen.sockets[0].startsWith(`wss://${NAMES.portal}:${nginx.port}/console/${NAMES.esxi}/`), `one wss socket through the proxy (${seen.sockets.length})`);
  assert(!(await page.locator(".vc-warning").isVisible().catch(() => false)), "no insecure-console warning");
  await page.screenshot({ path: `${ARTIFACTS}/nginx-app-console.png` });
  await assertNoCspViolation(page, seen);
  await assertNoSecretsLeak(page, seen);
  assert(!nginx.accessLog().includes("/ticket/"), "the access log holds no ticket path");
});

test("VSphereConsole: events in order, pixels, keys, disconnect says goodbye, reconnect gets a fresh ticket", async ({ page, seen }) => {
  const issued = await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/console.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  const order = (await types(page)).filter((t) => t !== "leds");
  const at = (t) => order.indexOf(t);
  assert(at("connecting") === 0 && at("ticketstate") === 1, `connecting first, then the ticket's state (${order})`);
  assert(at("ticketstate") < at("desktopname") && at("desktopname") < at("resize") && at("resize") < at("connect"), `desktopname, resize, connect in order (${order})`);
  const states = (await events(page)).filter((e) => e.type === "ticketstate").map((e) => e.detail.state);
  assert(states.join() === "requested,issued,validated,connecting,in-use", `ticket states ${states}`);
  assert(await labBlueAt(page) === LAB_BLUE, "pixels are painted");
  await typesInto(page, "embed-ok 1");
  const before = (await consoles("lab/consoles/closed")).length;
  await page.evaluate(() => window.api.disconnect());
  await saidGoodbye(before);
  const last = (await events(page)).filter((e) => e.type === "disconnect").at(-1);
  assert(last?.detail.clean === true, "disconnect is clean");
  assert((await events(page)).filter((e) => e.type === "ticketstate").at(-1).detail.state === "used", "the ticket is used");
  await page.evaluate(() => window.api.reconnect());
  await eventually("a second connect", async () => (await types(page)).filter((t) => t === "connect").length === 2, 20000);
  assert(issued.length === 2 && issued[0] !== issued[1], `reconnect acquired a fresh ticket (${issued.length})`);
  const typed = await page.evaluate(() => window.api.typeText("typed 2").then(() => "done", (e) => e.message));
  assert(typed === "done", `typeText resolves (${typed})`);
  await eventually("the lab to receive typed text", async () => (await consoles()).some((c) => c.typed.endsWith("typed 2")));
  await page.screenshot({ path: `${ARTIFACTS}/embed-vsphereconsole.png` });
  await assertEventsCarryNoSecret(page, seen);
  await assertNoCspViolation(page, seen);
  await assertNoSecretsLeak(page, seen);
});

test("noVNC-shaped RFB: connect and capabilities, pixels, keys, disconnect {clean}", async ({ page, seen }) => {
  const issued = await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/rfb.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  const order = await types(page);
  assert(order.indexOf("desktopname") < order.indexOf("connect") && order.indexOf("connect") < order.indexOf("capabilities"), `desktopname, connect, capabilities (${order})`);
  assert((await events(page)).find((e) => e.type === "desktopname").detail.name === "web-01", "desktop name");
  assert(await labBlueAt(page) === LAB_BLUE, "pixels are painted");
  await typesInto(page, "rfb-ok");
  const before = (await consoles("lab/consoles/closed")).length;
  await page.evaluate(() => window.api.disconnect());
  await saidGoodbye(before);
  await eventually("disconnect {clean: true}", async () => (await events(page)).some((e) => e.type === "disconnect" && e.detail.clean === true)).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify((await events(page)).filter((x) => x.type === "disconnect"))}`);
  });
  assert(issued.length === 1, "one ticket");
  assert(await page.locator("canvas").count() === 0, "noVNC's disconnect removes the screen");
  await assertEventsCarryNoSecret(page, seen);
  await assertNoCspViolation(page, seen);
  await assertNoSecretsLeak(page, seen);
});

test("createWMKS-shaped layer: connectionstatechange and screensizechange, keys, disconnect, connect again", async ({ page, seen }) => {
  const issued = await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/wmks.html`);
  const states = async () => (await events(page)).filter((e) => e.type === "connectionstatechange").map((e) => e.detail.state);
  await eventually("connected", async () => (await states()).includes("connected"), 20000);
  assert((await states()).join() === "connecting,connected", `states ${await states()}`);
  const size = (await events(page)).find((e) => e.type === "screensizechange");
  assert(size && size.detail.width === 1024 && size.detail.height === 768, `screensizechange ${JSON.stringify(size)}`);
  assert(await labBlueAt(page) === LAB_BLUE, "pixels are painted");
  await typesInto(page, "wmks-ok");
  assert(await page.evaluate(() => window.api.sendKeyCodes([17, 18, 46])) === true, "sendKeyCodes takes keyCodes");
  await eventually("Ctrl+Alt+Del as scan codes", async () => (await consoles()).some((c) => c.scancodes.slice(-6).join() === "1d+,38+,153+,153-,38-,1d-"));
  const before = (await consoles("lab/consoles/closed")).length;
  await page.evaluate(() => window.api.disconnect());
  await saidGoodbye(before);
  await page.evaluate(async () => window.api.connect(await window.freshTicket()));
  await eventually("connected again", async () => (await states()).filter((s) => s === "connected").length === 2, 20000);
  assert(issued.length === 2, `a fresh ticket for the second connect (${issued.length})`);
  await assertEventsCarryNoSecret(page, seen);
  await assertNoCspViolation(page, seen);
  await assertNoSecretsLeak(page, seen);
});

test("<vsphere-console>: the ticket is a property, events on the element, reconnect gets a fresh ticket", async ({ page, seen }) => {
  const issued = await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/element.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  assert(await labBlueAt(page) === LAB_BLUE, "pixels are painted");
  await typesInto(page, "element-ok");
  const attrs = await page.evaluate(() => Array.from(document.querySelector("vsphere-console").attributes).map((a) => `${a.name}=${a.value}`));
  assert(attrs.join() === "class=screen,scale=fit,aria-label=Console of web-01", `no attribute added (${attrs})`);
  assert(await page.evaluate(() => document.querySelector("vsphere-console").ticket) === null, "reading the ticket property gives null");
  assert(await page.evaluate(() => window.api.sendKeys("Ctrl+Alt+Del")) === true, "sendKeys on the element");
  await eventually("Ctrl+Alt+Del from the element", async () => (await lastScancodes(6)) === CAD);
  assert(await page.evaluate(() => window.api.typeText("el-typed").then(() => "done")) === "done", "typeText on the element");
  await eventually("typed text from the element", async () => (await labView()).typed.endsWith("el-typed"));
  // Text input on the element: the console's text field takes the focus and composed text.
  assert(await page.evaluate(() => window.api.showKeyboard()) === true, "showKeyboard on the element");
  assert(await page.evaluate(() => document.activeElement?.hasAttribute("data-vsc-text-field")), "the text field has the focus");
  await compose(await page.context().newCDPSession(page), ["ひ"], "火");
  await eventually("composed text from the element", async () => (await labView()).typed.endsWith("火"));
  assert(await page.evaluate(() => window.api.hideKeyboard()) === true, "hideKeyboard on the element");
  assert(await page.evaluate(() => window.api.console.status.step) === "Running", "el.console is the VSphereConsole");
  await page.evaluate(() => document.querySelector("vsphere-console").setAttribute("scale", "actual"));
  const width = await page.evaluate(() => document.querySelector("canvas").getBoundingClientRect().width);
  assert(Math.abs(width - 1024) <= 1, `scale="actual" shows 1024 css px (${width})`);
  await page.evaluate(() => window.api.reconnect());
  await eventually("a second connect", async () => (await types(page)).filter((t) => t === "connect").length === 2, 20000);
  assert(issued.length === 2, `reconnect acquired a fresh ticket (${issued.length})`);
  await page.screenshot({ path: `${ARTIFACTS}/embed-element.png` });
  await assertEventsCarryNoSecret(page, seen);
  await assertNoCspViolation(page, seen);
  await assertNoSecretsLeak(page, seen);
});

test("VSphereConsole methods: keys, combos, clipboard, view-only, snapshots, focus, scale, fullscreen, resolution, destroy", async ({ page, seen }) => {
  await portalBackend(page, seen);
  // What the console asks of fullscreen: the request's keyboardLock and Keyboard Lock.
  await page.addInitScript(() => {
    window.__fullscreenOptions = [];
    const request = Element.prototype.requestFullscreen;
    Element.prototype.requestFullscreen = function (options) {
      window.__fullscreenOptions.push(JSON.stringify(options ?? null));
      return request.call(this, options);
    };
    window.__keyboardLocks = 0;
    if (navigator.keyboard?.lock) {
      const lock = navigator.keyboard.lock.bind(navigator.keyboard);
      navigator.keyboard.lock = (...keys) => { window.__keyboardLocks++; return lock(...keys); };
    }
  });
  await page.goto(`${nginx.origin}/embed/console.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  await page.evaluate(() => window.api.sendCtrlAltDel());
  await eventually("Ctrl+Alt+Del", async () => (await lastScancodes(6)) === CAD);
  const checked = await page.evaluate(async () => {
    const { validateConsoleUrl } = await import("/node_modules/vsphere-console/index.js");
    const t = { ticket: "abcdefgh12345678", host: "esx01.vsc.test", port: 443 };
    const yes = await validateConsoleUrl(t, "https://vc.vsc.test", { allowedHosts: ["*.vsc.test"] });
    const no = await validateConsoleUrl(t, "https://vc.vsc.test", { allowedHosts: ["other.example"] });
    return [yes.ok, yes.redacted, no.ok, no.code];
  });
  assert(checked.join() === "true,wss://esx01.vsc.test/ticket/<ticket>,false,host", `validateConsoleUrl from the package (${checked})`);
  assert(await page.evaluate(() => window.api.sendKeys("Ctrl+Alt+F2")) === true, "a combination by its label");
  await eventually("Ctrl+Alt+F2", async () => (await lastScancodes(6)) === "1d+,38+,3c+,3c-,38-,1d-");
  assert(await page.evaluate(() => window.api.sendKeys("Ctrl+Nothing")) === false, "an unknown label is refused");
  await page.evaluate(() => window.api.sendKeys(["ShiftLeft", "KeyQ"]));
  await eventually("Shift+Q typed Q", async () => (await labView()).typed.endsWith("Q"));
  await page.evaluate(() => window.api.sendKey(0x77, "KeyW"));
  await eventually("sendKey typed w", async () => (await labView()).typed.endsWith("Qw"));
  const pasted = await page.evaluate(() => window.api.clipboardPaste("from the portal"));
  assert(pasted.sent === true && pasted.sentence === null, `clipboardPaste says it went whole: ${JSON.stringify(pasted)}`);
  await eventually("the VM's clipboard", async () => (await labView()).clipboard === "from the portal");
  // The lab's desktop has no Extended Clipboard: Latin-1, and the page is told what was lost.
  const lossy = await page.evaluate(() => window.api.clipboardPaste("tick ✓"));
  assert(lossy.sent === true && lossy.sentence.includes("only Latin-1"), `a Latin-1 server: ${JSON.stringify(lossy)}`);
  await eventually("the VM's clipboard in Latin-1", async () => (await labView()).clipboard === "tick ?");
  // The VM copies on its own: the page hears it (the clipboard event), the local
  // clipboard stays the person's, and status.clipboardWaiting says text waits until
  // the page's copy control calls copyFromVm().
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: nginx.origin });
  await page.evaluate(() => navigator.clipboard.writeText("the person's own"));
  await fetch(new URL("lab/consoles/copy", lab.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "from the VM ✓" }) });
  await eventually("the clipboard event", async () => (await events(page)).some((e) => e.type === "clipboard" && e.detail.text === "from the VM ✓"));
  assert(await page.evaluate(() => window.api.status.clipboardWaiting) === true, "status.clipboardWaiting");
  assert(await page.evaluate(() => navigator.clipboard.readText()) === "the person's own", "the VM alone did not replace the local clipboard");
  assert(await page.evaluate(() => window.api.copyFromVm()) === true, "copyFromVm copies the waiting text");
  await eventually("the local clipboard to hold the VM's text", async () => (await page.evaluate(() => navigator.clipboard.readText())) === "from the VM ✓");
  assert(await page.evaluate(() => [window.api.status.clipboardWaiting, window.api.copyFromVm()].join()) === "false,false", "nothing waits after");
  // Typing cancelled between Shift's press and release lets go of Shift (issue 20).
  await page.evaluate(async () => {
    const typing = window.api.typeText("AB");
    typing.catch(() => {});
    await new Promise((r) => setTimeout(r, 0));
    typing.cancel();
  });
  await page.waitForTimeout(300);
  assert((await lastScancodes(2)) === "2a+,2a-", `Shift released after the cancel (${await lastScancodes(4)})`);
  // The guest's keyboard layout, from the generated tables.
  const layout = await page.evaluate(() => {
    window.api.keyboardLayout = "de-ch";
    let refused = "";
    try { window.api.keyboardLayout = "klingon"; } catch (e) { refused = e.name; }
    return [window.api.keyboardLayout, refused];
  });
  assert(layout.join() === "de-ch,RangeError", `keyboardLayout sets and refuses: ${layout}`);
  await page.evaluate(() => { window.api.keyboardLayout = "us"; });
  // A portal that forbids pasting into the VM.
  const forbidden = await page.evaluate(async () => {
    const { VSphereConsole } = await import("/node_modules/vsphere-console/index.js");
    const { freshTicket, settings } = await import("/embed/common.js");
    const el = document.createElement("div");
    el.style.cssText = "width:320px;height:200px";
    document.body.append(el);
    const c = new VSphereConsole(el, { ticket: await freshTicket(), policy: settings.policy, requestedFrom: settings.requestedFrom, clipboard: { toVm: false } });
    await new Promise((r) => c.addEventListener("connect", r, { once: true }));
    const result = c.clipboardPaste("not allowed");
    c.destroy();
    el.remove();
    return result;
  });
  assert(forbidden.sent === false && forbidden.sentence.includes("does not allow"), `clipboard.toVm false: ${JSON.stringify(forbidden)}`);
  await page.evaluate(() => { window.api.viewOnly = true; });
  assert(await page.evaluate(() => window.api.viewOnly) === true, "viewOnly reads back");
  const before = (await labView()).keyEvents;
  await page.locator("canvas").focus();
  await page.keyboard.type("zz");
  await page.evaluate(() => window.api.sendCtrlAltDel());
  await page.waitForTimeout(300);
  assert((await labView()).keyEvents === before, "view-only sends no keys");
  await page.evaluate(() => { window.api.viewOnly = false; });
  const shots = await page.evaluate(async () => ({
    url: window.api.toDataURL().slice(0, 22),
    blob: await new Promise((r) => window.api.toBlob((b) => r({ type: b.type, size: b.size }))),
  }));
  assert(shots.url === "data:image/png;base64," && shots.blob.type === "image/png" && shots.blob.size > 1000, `snapshots ${JSON.stringify(shots)}`);
  const focus = await page.evaluate(() => { window.api.focus(); const a = document.activeElement === window.api.canvas; window.api.blur(); return [a, document.activeElement === window.api.canvas]; });
  assert(focus.join() === "true,false", `focus and blur (${focus})`);
  const width = () => page.evaluate(() => window.api.canvas.getBoundingClientRect().width);
  await page.evaluate(() => window.api.setScale("actual"));
  assert(Math.abs((await width()) - 1024) <= 1, `actual size (${await width()})`);
  await page.evaluate(() => window.api.setScale("fit"));
  assert((await width()) <= 960, `fit into the 960 px element (${await width()})`);
  // The lab speaks ESXi's dialect: its desktop takes VMware's RequestResolution.
  assert(await page.evaluate(() => window.api.requestResolution(800, 600)) === true, "the lab's desktop can change resolution");
  await eventually("the lab's desktop to be 800x600", async () => (await labView()).size.join() === "800,600");
  await eventually("the console to show 800x600", () => page.evaluate(() => window.api.canvas.width === 800 && window.api.canvas.height === 600));
  await page.evaluate(() => window.api.enterFullscreen());
  await eventually("fullscreen", () => page.evaluate(() => document.fullscreenElement !== null));
  const asked = await page.evaluate(() => [window.__fullscreenOptions.join(), window.__keyboardLocks]);
  assert(asked[0] === '{"keyboardLock":"browser"}' && asked[1] === 1, `fullscreen with keyboardLock "browser", and navigator.keyboard.lock() (${asked})`);
  await page.evaluate(() => window.api.exitFullscreen());
  await eventually("leaving fullscreen", () => page.evaluate(() => document.fullscreenElement === null));
  const settled = () => page.evaluate(() => Promise.race([
    window.api.settled().then(() => "settled"),
    new Promise((r) => setTimeout(() => r("still waiting after 5 s"), 5000)),
  ]));
  assert(await settled() === "settled", "settled() resolves while the console runs");
  const closedBefore = (await consoles("lab/consoles/closed")).length;
  await page.evaluate(() => window.api.destroy());
  assert(await settled() === "settled", "settled() resolves after destroy");
  await saidGoodbye(closedBefore);
  assert(await page.locator("canvas").count() === 0, "destroy removes the canvas");
  await page.waitForTimeout(200);
  await assertNoSecretsLeak(page, seen);
});

test("settings made right after construction hold: noVNC's rfb.viewOnly, VSphereConsole's keyboardLayout, the element's view-only", async ({ page, seen }) => {
  await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/console.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  await page.evaluate(() => window.api.destroy());
  const early = await page.evaluate(async () => {
    const { default: RFB } = await import("/node_modules/vsphere-console/rfb.js");
    const { VSphereConsole } = await import("/node_modules/vsphere-console/index.js");
    await import("/node_modules/vsphere-console/element.js");
    const { freshTicket, settings } = await import("/embed/common.js");
    const box = () => {
      const el = document.createElement("div");
      el.style.cssText = "width:320px;height:200px";
      document.body.append(el);
      return el;
    };
    // As noVNC's documentation writes it: set right after new, before anything loaded.
    const rfb = new RFB(box(), freshTicket, { policy: settings.policy, requestedFrom: settings.requestedFrom });
    rfb.viewOnly = true;
    const vc = new VSphereConsole(box(), { ticket: await freshTicket(), policy: settings.policy, requestedFrom: settings.requestedFrom });
    vc.keyboardLayout = "de-ch";
    vc.viewOnly = true;
    const el = document.createElement("vsphere-console");
    el.style.cssText = "display:block;width:320px;height:200px";
    Object.assign(el, { policy: settings.policy, requestedFrom: settings.requestedFrom });
    document.body.append(el);
    el.ticket = await freshTicket();
    await Promise.resolve();
    el.setAttribute("view-only", "");
    const connected = (target) => new Promise((r) => target.addEventListener("connect", r, { once: true }));
    await Promise.all([connected(rfb), connected(vc), connected(el)]);
    window.early = { rfb, vc, el };
    return [rfb.console.status.viewOnly, vc.status.viewOnly, vc.status.keyboardLayout, el.console.status.viewOnly];
  });
  assert(early.join() === "true,true,de-ch,true", `view-only and the layout held (${early})`);
  const before = (await consoles()).filter((c) => c.vm === "web-01").map((c) => c.keyEvents).join();
  for (const i of [0, 1, 2]) {
    await page.locator("canvas").nth(i).focus();
    await page.keyboard.type("xy");
  }
  assert(await page.locator("canvas").count() === 3, "three consoles");
  await page.waitForTimeout(500);
  const after = (await consoles()).filter((c) => c.vm === "web-01").map((c) => c.keyEvents).join();
  assert(after === before, `no key reached any of the three (${before} / ${after})`);
  await page.evaluate(() => { for (const c of Object.values(window.early)) c.disconnect?.() ?? c.destroy?.(); });
});

test("RFB methods: Ctrl+Alt+Del, sendKey, clipboardPasteFrom, viewOnly, scaleViewport, snapshots", async ({ page, seen }) => {
  await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/rfb.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  await page.evaluate(() => window.api.sendCtrlAltDel());
  await eventually("Ctrl+Alt+Del", async () => (await lastScancodes(6)) === CAD);
  await page.evaluate(() => { window.api.sendKey(0x72, "KeyR"); });
  await eventually("sendKey typed r", async () => (await labView()).typed.endsWith("r"));
  await page.evaluate(() => window.api.clipboardPasteFrom("rfb clip"));
  await eventually("the VM's clipboard", async () => (await labView()).clipboard === "rfb clip");
  await page.evaluate(() => { window.api.viewOnly = true; });
  const before = (await labView()).keyEvents;
  await page.evaluate(() => { window.api.sendCtrlAltDel(); window.api.sendKey(0x61, "KeyA"); });
  await page.waitForTimeout(300);
  assert((await labView()).keyEvents === before, "viewOnly: keys are ignored");
  const width = () => page.evaluate(() => document.querySelector("canvas").getBoundingClientRect().width);
  assert((await width()) <= 960, "scaleViewport fits");
  await page.evaluate(() => { window.api.scaleViewport = false; });
  assert(Math.abs((await width()) - 1024) <= 1, `without scaleViewport: actual size (${await width()})`);
  const img = await page.evaluate(() => { const d = window.api.getImageData(); return [d.width, d.height, window.api.toDataURL().slice(0, 14)]; });
  assert(img.join() === "1024,768,data:image/png", `getImageData and toDataURL (${img})`);
  assert(await page.evaluate(() => window.api.capabilities.power) === false, "no power control");
});

test("createWMKS methods: version, state, screen size, sendCAD, sendInputString, fullscreen, destroy", async ({ page, seen }) => {
  await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/wmks.html`);
  await eventually("connected", async () => page.evaluate(() => window.api.getConnectionState() === "connected"), 20000);
  assert(await page.evaluate(() => window.api.getVersion()) === "2.1.0", "version");
  assert(JSON.stringify(await page.evaluate(() => window.api.getRemoteScreenSize())) === '{"width":1024,"height":768}', "remote screen size");
  await page.evaluate(() => window.api.sendCAD());
  // As VMware's SDK: the three scan codes pressed, then released in the same order.
  await eventually("Ctrl+Alt+Del", async () => (await lastScancodes(6)) === "1d+,38+,153+,1d-,38-,153-");
  await page.evaluate(() => window.api.sendInputString("wmks typed"));
  await eventually("typed text", async () => (await labView()).typed.endsWith("wmks typed"), 20000);
  // wmks's keyboardLayoutId chooses the typing layout.
  const layouts = await page.evaluate(async () => {
    const { createWMKS } = await import("/node_modules/vsphere-console/wmks.js");
    const { settings } = await import("/embed/common.js");
    const el = document.createElement("div");
    el.id = "swiss";
    document.body.append(el);
    const swiss = createWMKS("swiss", { policy: settings.policy, requestedFrom: settings.requestedFrom, keyboardLayoutId: "de-CH" });
    swiss.connect(await window.freshTicket());
    await new Promise((r) => swiss.console.addEventListener("connect", r, { once: true }));
    const result = [window.api.console.keyboardLayout, swiss.console.keyboardLayout];
    swiss.destroy();
    el.remove();
    return result;
  });
  assert(layouts.join() === "us,de-ch", `keyboardLayoutId en-US and de-CH choose us and de-ch (${layouts})`);
  await page.evaluate(() => window.api.enterFullScreen());
  await eventually("fullscreenchange {isFullScreen: true}", async () => (await events(page)).some((e) => e.type === "fullscreenchange" && e.detail.isFullScreen));
  assert(await page.evaluate(() => window.api.isFullScreen()) === true, "isFullScreen");
  await page.evaluate(() => window.api.exitFullScreen());
  await eventually("fullscreen off", () => page.evaluate(() => !window.api.isFullScreen()));
  const closedBefore = (await consoles("lab/consoles/closed")).length;
  await page.evaluate(() => window.api.destroy());
  await saidGoodbye(closedBefore);
  assert(await page.locator("canvas").count() === 0, "destroy removes the screen");
});

test("showKeyboard on each layer gives composed text a field; createWMKS's useUnicodeKeyboardInput chooses characters or layout keys", async ({ page, seen }) => {
  await portalBackend(page, seen);
  const cdp = await page.context().newCDPSession(page);
  // Every open console of web-01 (a page just left may still be closing): the sum of
  // their KeyEvent2 messages, and whether one of them shows `text` at the end of its line.
  const all = async () => (await consoles()).filter((c) => c.vm === "web-01");
  const unicode = async () => (await all()).reduce((n, c) => n + c.keyEvents2, 0);
  const shows = async (text) => (await all()).some((c) => c.typed.endsWith(text));
  const focused = () => page.evaluate(() => document.activeElement?.hasAttribute("data-vsc-text-field") ?? false);
  // createWMKS with the SDK's default (useUnicodeKeyboardInput false): the guest layout's keys.
  await page.goto(`${nginx.origin}/embed/wmks.html`);
  await eventually("connected", async () => page.evaluate(() => window.api.getConnectionState() === "connected"), 20000);
  await page.evaluate(() => window.api.showKeyboard());
  assert(await focused(), "createWMKS showKeyboard focuses the text field");
  let before = await unicode();
  await compose(cdp, ["a", "ab"], "ab");
  await eventually("ab as keys", () => shows("ab"));
  assert((await unicode()) === before, "useUnicodeKeyboardInput false: no KeyEvent2");
  await page.evaluate(() => window.api.hideKeyboard());
  assert(!(await focused()), "hideKeyboard takes the focus from the field");
  // useUnicodeKeyboardInput true: the characters themselves.
  await page.evaluate(async () => {
    window.api.destroy();
    const { createWMKS } = await import("/node_modules/vsphere-console/wmks.js");
    const { settings } = await import("/embed/common.js");
    const el = document.createElement("div");
    el.id = "unicode";
    el.style.cssText = "width:640px;height:400px";
    document.body.append(el);
    window.api = createWMKS("unicode", { policy: settings.policy, requestedFrom: settings.requestedFrom, useUnicodeKeyboardInput: true });
    window.api.connect(await window.freshTicket());
    await new Promise((r) => window.api.console.addEventListener("connect", r, { once: true }));
    window.api.showKeyboard();
  });
  await eventually("only the new console open", async () => (await all()).length === 1);
  before = await unicode();
  await compose(cdp, ["に", "にほ", "にほん"], "日本");
  await eventually("日本 as KeyEvent2", async () => (await shows("日本")) && (await unicode()) === before + 4);
  // noVNC-shaped RFB: the same field, characters by default.
  await page.goto(`${nginx.origin}/embed/rfb.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  await page.evaluate(() => window.api.showKeyboard());
  assert(await focused(), "RFB showKeyboard focuses the text field");
  await eventually("only the new console open", async () => (await all()).length === 1);
  before = await unicode();
  await compose(cdp, ["z", "zh", "zho", "zhong"], "中");
  await eventually("中 as KeyEvent2", async () => (await shows("中")) && (await unicode()) === before + 2);
});

test("the package's app entry mounts the whole app; sessionIsActive answers with a sentence", async ({ page, seen }) => {
  page.on("response", (r) => { const sid = r.headers()["vmware-api-session-id"]; if (sid) seen.secrets.add(sid); });
  await page.goto(`${nginx.origin}/embed/app-entry.html`);
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await eventually("the console to run", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Running", 20000);
  const check = await eventually("sessionIsActive to answer", () => page.evaluate(() => window.sessionCheck));
  assert(check.includes("session has ended"), `a caller without a session gets a sentence (${check})`);
  await assertNoCspViolation(page, seen);
  await assertNoSecretsLeak(page, seen);
});

test("a bundle made with esbuild finds its wasm and runs the console", async ({ page, seen }) => {
  await portalBackend(page, seen);
  await page.goto(`${nginx.origin}/embed/bundled.html`);
  await eventually("connect", async () => (await types(page)).includes("connect"), 20000);
  assert(await labBlueAt(page) === LAB_BLUE, "pixels are painted");
  await assertNoCspViolation(page, seen);
});

/** One request to the recipe from outside the browser; resolves to {status, headers}. */
function recipe(path, headers = {}, method = "GET") {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: nginx.port, servername: NAMES.portal, ca: readFileSync(certs.ca), method, path, headers },
      (res) => { res.resume(); resolve({ status: res.statusCode, headers: res.headers }); });
    req.on("upgrade", (res, socket) => { socket.destroy(); resolve({ status: 101, headers: res.headers }); });
    req.on("error", reject);
    req.end();
  });
}
const UPGRADE = { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "binary" };

test("the proxy refuses an ESXi host that is not in its map", async () => {
  const r = await recipe("/console/evil.vsc.test/443/ticket/abcdefgh12345678", UPGRADE);
  assert(r.status === 403, `403 for an unknown host (got ${r.status})`);
});

test("the recipe keeps the portal's secrets: no cookie or Authorization upstream, no ticket in any log, only the bundle and the app's vCenter paths", async () => {
  const secret = { Cookie: "portal_session=PORTAL-SECRET-COOKIE", Authorization: "Bearer PORTAL-SECRET-TOKEN" };
  // A console through the proxy with the site's cookie and Authorization: the ESXi host gets neither.
  const session = (await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" })).session;
  const ticket = (await labCall(lab, "VirtualMachine/vm-101/AcquireTicket", { ticketType: "webmks" }, session)).json.ticket;
  const ws = await recipe(`/console/${NAMES.esxi}/${nginx.esxPort}/ticket/${ticket}`, { ...UPGRADE, ...secret });
  assert(ws.status === 101, `the console upgraded (${ws.status})`);
  // The API, with the site's cookie: vCenter gets only what it needs.
  const api = await recipe("/sdk/vim25/8.0.1.0/ServiceInstance/ServiceInstance/content", secret);
  assert(api.status === 200, `VI/JSON through the recipe (${api.status})`);
  await eventually("the stand-ins to log both requests", async () => nginx.frontLog().includes("/ticket/") && nginx.frontLog().includes("/sdk/vim25/"));
  const front = nginx.frontLog();
  const line = (part) => front.split("\n").find((l) => l.includes(part)) ?? "";
  assert(line("/ticket/").endsWith("cookie=[-] authorization=[-]"), `the ESXi host got neither cookie nor Authorization: ${line("/ticket/").replace(ticket, "<ticket>")}`);
  assert(line("/sdk/vim25/").includes("cookie=[-]"), `vCenter got no cookie: ${line("/sdk/vim25/")}`);
  // Tickets the recipe cannot route or reach: refused or failed, and logged nowhere.
  const hidden = ["DOWN-HOST-TICKET-1", "UNDERSCORE-TICKET-2", "IPV6-TICKET-3", "ODD-TICKET-4"];
  const down = await recipe(`/console/esx02.vsc.test/${nginx.downPort}/ticket/${hidden[0]}`, UPGRADE);
  assert(down.status === 502, `an ESXi host that is down: 502 (${down.status})`);
  assert((await recipe(`/console/esx_03.vsc.test/443/ticket/${hidden[1]}`, UPGRADE)).status === 403, "a name with _ that the map does not list: 403");
  assert((await recipe(`/console/[fd00::11]/443/ticket/${hidden[2]}`, UPGRADE)).status === 403, "an IPv6 literal the map does not list: 403");
  assert((await recipe(`/console/${NAMES.esxi}/${nginx.esxPort}/ticket/${hidden[3]}~x`, UPGRADE)).status === 403, "a ticket of other characters: 403");
  await new Promise((r) => setTimeout(r, 300));
  const logs = nginx.errorLog() + nginx.accessLog();
  for (const t of [ticket, ...hidden]) assert(!logs.includes(t), `the recipe's logs hold no ticket (${t})`);
  // Headers on every page.
  const home = await recipe("/");
  assert(home.status === 200, `the app (${home.status})`);
  assert(home.headers["content-security-policy"] === CSP && CSP.includes("frame-ancestors 'self'"), `CSP with frame-ancestors: ${home.headers["content-security-policy"]}`);
  assert(home.headers["x-frame-options"] === "SAMEORIGIN", `X-Frame-Options: ${home.headers["x-frame-options"]}`);
  assert(/^max-age=\d{7,}/.test(home.headers["strict-transport-security"] ?? ""), `HSTS: ${home.headers["strict-transport-security"]}`);
  // Nothing outside the bundle, no dotfiles; only the vCenter paths the app calls.
  writeFileSync(join(root, ".env"), "SECRET=1\n");
  mkdirSync(join(root, ".git"), { recursive: true });
  writeFileSync(join(root, ".git/config"), "[core]\n");
  writeFileSync(join(root, "Cargo.toml"), "[package]\n");
  writeFileSync(join(root, "www/main.js.map"), "{}");
  for (const path of ["/.env", "/.git/config", "/Cargo.toml", "/www/main.js.map", "/sdk/vimServiceVersions.xml", "/api/vcenter/host", "/api/appliance/system/version"]) {
    const r = await recipe(path);
    assert(r.status === 404, `${path}: 404 (got ${r.status})`);
  }
  for (const path of ["/www/main.js", "/pkg/vsphere_console.js", "/node_modules/vsphere-console/index.js", "/embed/console.html"]) {
    const r = await recipe(path);
    assert(r.status === 200, `${path}: 200 (got ${r.status})`);
  }
});

test("the packed JavaScript is minified, and each file's source map holds its original text", async () => {
  const pkg = join(root, "node_modules/vsphere-console");
  for (const [file, source] of [["index.js", "js/index.js"], ["rfb.js", "js/rfb.js"], ["wmks.js", "js/wmks.js"], ["element.js", "js/element.js"],
    ["app.js", "js/app.js"], ["console/vsphere_console.js", null], ["app/vsphere_console.js", null]]) {
    const text = readFileSync(join(pkg, file), "utf8");
    const map = JSON.parse(readFileSync(join(pkg, `${file}.map`), "utf8"));
    assert(text.trimEnd().endsWith(`//# sourceMappingURL=${file.split("/").pop()}.map`), `${file} names its source map`);
    const original = map.sourcesContent?.[0] ?? "";
    const lines = text.trimEnd().split("\n").length;
    assert(lines <= 8 && original.length > text.length, `${file}: ${text.length} bytes in ${lines} lines, its original ${original.length}`);
    if (source) assert(original === readFileSync(join(REPO, source), "utf8"), `${file}'s map holds ${source}`);
  }
});

test("the TypeScript declarations compile under --strict against the packed package", async () => {
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler",
      lib: ["es2022", "dom", "dom.iterable"], types: [], skipLibCheck: false },
    files: ["embed/types-check.ts"],
  }));
  try {
    execFileSync(join(TOOLS, "tsc"), ["-p", join(root, "tsconfig.json")], { cwd: root, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    throw new Error(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

// --- Run ------------------------------------------------------------------------------

const browser = await startBrowser({ ...process.env, HOME: browserHomeTrusting(certs.ca) });
const { passed, failed } = await runTests(tests, "embed", async () => {
  const ctx = await openPage(browser, "about:blank");
  await ctx.page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    args: ctx, page: ctx.page, seen: ctx.seen,
    close: () => ctx.context.close(),
    diagnose: () => nginx.errorLog().trim().split("\n").slice(-5).map((l) => `nginx: ${l}`),
  };
});
await browser.close();
nginx.stop();
lab.stop();
rmSync(work, { recursive: true, force: true });
console.log(`embed: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
