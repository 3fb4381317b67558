// End-to-end: the release app, served by the lab, driven through real Chromium.
// Each test gets a fresh lab and browser context; results end in "N passed, N failed".
import {
  ARTIFACTS, assert, assertNoSecretsLeak, canvasPixels, canvasRegionSha256, eventually, labCall, login, openPage,
  runAppTests, startLab,
} from "./lib.mjs";
import { gatewayVm, startQemu, startXvnc } from "./servers.mjs";
import { existsSync, readFileSync, rmSync } from "node:fs";

const tests = [];
/** A test; `labConfig` (JSON) starts its lab with `--config`. */
const test = (name, fn, labConfig) => tests.push({ name, fn, labConfig });

async function consoles(lab) {
  const r = await fetch(new URL("lab/consoles", lab.url));
  return r.json();
}

async function openConsole(page, vm) {
  await page.getByRole("button", { name: `Open console of ${vm}` }).click();
}

test("login, VM list, console shows the lab desktop and the text typed", async ({ lab, page, seen }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByText("web-01", { exact: true }).waitFor();
  await openConsole(page, "web-01");
  const status = page.locator(".vc-status");
  await eventually("the console to run", async () => (await status.getAttribute("data-step")) === "Running");
  const canvas = page.getByRole("application", { name: "Console screen of web-01" });
  assert(await canvas.isVisible(), "the console canvas is labelled with the VM name");

  // The lab's desktop: title bar colour and the eight colour bars.
  const title = await canvasPixels(page, 4, 4, 1, 1);
  assert(title.join() === "11,92,173,255", `title bar pixel is the lab's blue, got ${title}`);
  const bars = [[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0], [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0]];
  for (let i = 0; i < bars.length; i++) {
    const px = await canvasPixels(page, i * 128 + 64, 640, 1, 1);
    assert(px.slice(0, 3).join() === bars[i].join(), `colour bar ${i} is ${bars[i]}, got ${px}`);
  }

  // Typed text reaches the server, and the canvas then shows the server's pixels of it.
  await canvas.click({ position: { x: 900, y: 420 } });
  await page.keyboard.type("hello-lab 42");
  const view = await eventually("the lab to receive the typed text", async () => {
    const all = await consoles(lab);
    return all.find((c) => c.vm === "web-01" && c.typed === "hello-lab 42");
  });
  await eventually("the canvas to show the typed line as the lab drew it", async () => {
    const fresh = (await consoles(lab)).find((c) => c.vm === "web-01");
    return (await canvasRegionSha256(page, view.typedRegion)) === fresh.typedRegionSha256;
  });

  // The pointer maps to framebuffer coordinates.
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + 300 * box.width / 1024, box.y + 500 * box.height / 768);
  await eventually("the lab to see the pointer at 300,500", async () => {
    const c = (await consoles(lab)).find((c) => c.vm === "web-01");
    return Math.abs(c.pointer[0] - 300) <= 1 && Math.abs(c.pointer[1] - 500) <= 1;
  });

  await page.screenshot({ path: `${ARTIFACTS}/lab-console.png` });
  await assertNoSecretsLeak(page, seen);
});

test("wrong password shows a sentence", async ({ page }) => {
  await login(page, "demo@vsphere.local", "wrong");
  await page.getByRole("alert").filter({ hasText: "user name or password is not correct" }).waitFor();
});

test("a powered-off VM explains why its console cannot open", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  const button = page.getByRole("button", { name: "Open console of build-agent" });
  await button.waitFor();
  assert(await button.isDisabled(), "the powered-off VM's button is disabled");
  await page.getByText("The VM is powered off: power it on to open its console.").waitFor();
});

test("a user without the console privilege is told which privilege is missing", async ({ page, seen }) => {
  await login(page, "viewer@vsphere.local", "viewer");
  await openConsole(page, "web-01");
  await page.getByRole("alert").filter({ hasText: "VirtualMachine.Interact.ConsoleInteract" }).waitFor();
  assert(seen.sockets.length === 0, "no websocket was opened");
});

test("a ticket for a host outside the allow-list is rejected before any websocket", async ({ page, seen }) => {
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "outside-policy");
  await page.getByRole("alert").filter({ hasText: "esx-untrusted.example.net is not on this site's list" }).waitFor();
  assert(seen.sockets.length === 0, `no websocket was opened (saw ${seen.sockets.length})`);
  const state = await page.locator(".vc-status").getAttribute("data-ticket");
  assert(state === "rejected", `the ticket state is rejected, got ${state}`);
});

test("the server's message and the language list appear", async ({ page }) => {
  const language = page.getByLabel("Language");
  await language.waitFor();
  assert((await language.locator("option").count()) >= 5, "the server's locales are offered");
  await language.selectOption("de");
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("note", { name: "Message from the server" }).filter({ hasText: "Welcome to the vsphere-console lab" }).waitFor();
});

test("an expired session goes back to login and returns to the console", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await new Promise((r) => setTimeout(r, 2600));
  await openConsole(page, "web-01");
  await page.getByRole("alert").filter({ hasText: "Your session has ended" }).waitFor();
  await page.getByText("Log in again to return to the console of web-01.").waitFor();
  await login(page, "demo@vsphere.local", "demo");
  await eventually("the console to run again", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Running");
}, { sessionIdleSeconds: 2 });

test("coming back to the page notices an expired session", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await new Promise((r) => setTimeout(r, 2600));
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await page.getByRole("alert").filter({ hasText: "Your session has ended" }).waitFor();
  assert(await page.getByLabel("Password").isVisible(), "back at the login form");
}, { sessionIdleSeconds: 2 });

test("the session language can change after login", async ({ page }) => {
  let setLocale = null;
  page.on("request", (r) => { if (r.url().endsWith("/SetLocale")) setLocale = r.postData(); });
  assert(await page.getByLabel("Language").inputValue() === "", "the login form shows the server default");
  await login(page, "demo@vsphere.local", "demo");
  await page.getByLabel("Session language").waitFor();
  assert(await page.getByLabel("Session language").inputValue() === "en", "the header shows the server's default locale");
  await page.getByLabel("Session language").selectOption("fr");
  await eventually("SetLocale to be sent", async () => setLocale === JSON.stringify({ locale: "fr" }));
});

test("a host page logs in with a clone ticket, no password in the browser", async ({ lab, page, seen }) => {
  // The host page's backend holds the session and hands the browser a one-time clone ticket.
  const backend = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
  const clone = await labCall(lab, "SessionManager/SessionManager/AcquireCloneTicket", {}, backend.session);
  assert(typeof clone.json === "string" && clone.json.length > 20, "a clone ticket");
  seen.secrets.add(clone.json);
  seen.secrets.add(backend.session);
  // The portal's page asks its own backend for the ticket, as a real one would.
  await page.route("**/portal-backend/clone-ticket", (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify(clone.json) }));
  await page.route("**/host-page.html", (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html><body><h1>Portal</h1><div id="c"></div><script type="module">
      import init, { mount } from "./pkg/vsphere_console.js";
      await init();
      const cloneTicket = await (await fetch("portal-backend/clone-ticket")).json();
      window.app = mount(document.getElementById("c"), { configUrl: "www/config.json", cloneTicket });
    </script></body></html>`,
  }));
  await page.goto(new URL("host-page.html", lab.url).href);
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  assert(!(await page.getByLabel("Password").isVisible().catch(() => false)), "no login form");
  await page.getByText("demo@vsphere.local").waitFor();
  const again = await labCall(lab, "SessionManager/SessionManager/CloneSession", { cloneTicket: clone.json });
  assert(again.status === 500 && again.json._typeName === "InvalidLogin", "the clone ticket was used once");
  await assertNoSecretsLeak(page, seen);
});

test("a host page logs in with SSPI: its function answers each challenge", async ({ page }) => {
  const rounds = [];
  page.on("request", (r) => { if (r.url().endsWith("/LoginBySSPI")) rounds.push(JSON.parse(r.postData()).base64Token); });
  // The portal's page would ask its own SSPI or Kerberos broker; the lab's stand-in
  // handshake is NEGOTIATE, then AUTHENTICATE with the challenge's nonce and a token of the user's.
  await page.route("**/sspi-page.html", (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html><body><div id="c"></div><script type="module">
      import init, { mount } from "./pkg/vsphere_console.js";
      await init();
      const sspi = async (challenge) => challenge === null
        ? btoa("NEGOTIATE:demo@vsphere.local")
        : btoa("AUTHENTICATE:" + atob(challenge).split(":")[1] + ":lab-saml-token");
      window.app = mount(document.getElementById("c"), { configUrl: "www/config.json", sspi });
    </script></body></html>`,
  }));
  await page.goto(new URL("sspi-page.html", page.url()).href);
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await page.getByText("demo@vsphere.local").waitFor();
  assert(rounds.length === 2, `two LoginBySSPI rounds (${rounds.length})`);
  assert(atob(rounds[1]).startsWith("AUTHENTICATE:"), "the second round answers the challenge");
});


async function running(page) {
  await eventually("the console to run", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Running", 20000);
}

async function labView(lab, vm) {
  return (await consoles(lab)).find((c) => c.vm === vm);
}

test("Xvnc with xterm through the lab's gateway: typed command writes a file", async ({ page }) => {
  const file = `/tmp/vsc-e2e-${process.pid}.txt`;
  rmSync(file, { force: true });
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "xterm-vm");
  await running(page);
  const canvas = page.getByRole("application", { name: "Console screen of xterm-vm" });
  await canvas.click({ position: { x: 200, y: 100 } });
  // Shift is pressed as a key, as a person does: scan codes carry no characters.
  await page.keyboard.type("echo console-ok ");
  await page.keyboard.down("Shift");
  await page.keyboard.press("Period");
  await page.keyboard.up("Shift");
  await page.keyboard.type(` ${file}`);
  await page.keyboard.press("Enter");
  await eventually("the shell to write the file", async () => existsSync(file) && readFileSync(file, "utf8").trim() === "console-ok", 15000);
  await page.waitForTimeout(500);
  await canvas.screenshot({ path: `${ARTIFACTS}/xvnc-xterm-console.png` });
  rmSync(file, { force: true });
}, async () => {
  const x = await startXvnc();
  return { config: { vms: [gatewayVm("xterm-vm", x.port)] }, stop: x.stop };
});

test("QEMU's console through the lab's gateway", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "qemu-vm");
  await running(page);
  // SeaBIOS may still be starting when the first picture arrives: wait for its text.
  const distinct = await eventually("the BIOS screen to be drawn", () => page.evaluate(() => {
    const c = document.querySelector("canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return seen.size > 1 ? { colours: seen.size, width: c.width, height: c.height } : null;
  }), 30000);
  assert(distinct.width === 720 && distinct.height === 400, `QEMU's VGA text screen is 720x400, got ${distinct.width}x${distinct.height}`);
  assert(distinct.colours > 1, "the BIOS screen is drawn, not blank");
  const keys = await page.locator(".vc-status").getAttribute("data-keys");
  assert(keys === "QemuExtended", `QEMU's extended key events are used, got ${keys}`);
  await page.getByRole("application").screenshot({ path: `${ARTIFACTS}/qemu-console.png` });
}, async () => {
  const q = await startQemu();
  return { config: { vms: [gatewayVm("qemu-vm", q.port)] }, stop: q.stop };
});

test("fullscreen toggles, and fit-to-window maps the pointer", async ({ lab, page }) => {
  await page.setViewportSize({ width: 760, height: 760 });
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  const canvas = page.getByRole("application", { name: "Console screen of web-01" });
  const box = await canvas.boundingBox();
  assert(box.width < 1000, `the desktop is scaled to fit (${box.width}px wide)`);
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.75);
  await eventually("the lab to see the pointer at 256,576", async () => {
    const v = await labView(lab, "web-01");
    return Math.abs(v.pointer[0] - 256) <= 2 && Math.abs(v.pointer[1] - 576) <= 2;
  });
  // At this width the less frequent controls are behind "More".
  await page.getByRole("button", { name: "More console actions" }).click();
  await page.getByRole("button", { name: "Fullscreen" }).click();
  await eventually("fullscreen", async () => page.evaluate(() => document.fullscreenElement?.getAttribute("aria-label") === "Console of web-01"));
  // In fullscreen the toolbar waits behind its handle.
  await page.getByRole("button", { name: "Show the toolbar" }).click();
  await page.getByRole("button", { name: "More console actions" }).click();
  await page.getByRole("button", { name: "Exit fullscreen" }).click();
  // Using a control of the menu closes it.
  await eventually("leaving fullscreen", async () => page.evaluate(() => document.fullscreenElement === null));
  await page.getByRole("button", { name: "More console actions" }).click();
  await page.getByLabel("Scale").selectOption("actual");
  const actual = await canvas.boundingBox();
  assert(Math.abs(actual.width - 1024) <= 1, `actual size is 1024 css px at devicePixelRatio 1, got ${actual.width}`);
});

test("Ctrl+Alt+Del arrives as three scan codes", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  await eventually("VMware scan codes to be in use", async () => (await page.locator(".vc-status").getAttribute("data-keys")) === "VmwareScancode");
  assert(await page.getByLabel("Send keys").inputValue() === "", "the keys menu shows its placeholder");
  await page.getByRole("button", { name: "Send Ctrl+Alt+Del" }).click();
  const seq = ["1d+", "38+", "153+", "153-", "38-", "1d-"];
  await eventually("the lab to log Ctrl, Alt, Delete", async () => {
    const v = await labView(lab, "web-01");
    return v && v.scancodes.slice(-6).join() === seq.join();
  });
});

test("a German keyboard types through scan codes into a German guest", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "berlin-vm");
  await running(page);
  await page.getByRole("application").click({ position: { x: 500, y: 600 } });
  // What a German keyboard reports: the key right of T is code KeyY but types z, and so on.
  const keys = [["KeyY", "z"], ["BracketLeft", "ü"], ["KeyR", "r"], ["KeyI", "i"], ["KeyC", "c"], ["KeyH", "h"]];
  for (const [code, key] of keys) {
    await page.evaluate(([code, key]) => {
      const c = document.querySelector("canvas");
      for (const type of ["keydown", "keyup"]) c.dispatchEvent(new KeyboardEvent(type, { code, key, bubbles: true, cancelable: true }));
    }, [code, key]);
  }
  await eventually("the German guest to show zürich", async () => (await labView(lab, "berlin-vm"))?.typed === "zürich");
}, { vms: [{ moid: "vm-301", name: "berlin-vm", powerState: "poweredOn", host: "host-10", guestOs: "Linux", keyboardLayout: "de" }] });

test("type text is paced, and refuses characters the layout cannot type", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  await eventually("VMware scan codes", async () => (await page.locator(".vc-status").getAttribute("data-keys")) === "VmwareScancode");
  await page.getByText("Type text").click();
  await page.getByLabel("Text to type").fill("ok ✓");
  await page.getByRole("button", { name: "Type it" }).click();
  await page.getByText("Nothing was typed: the character '✓' cannot be typed").waitFor();
  await page.getByLabel("Text to type").fill("Paste 42!");
  await page.getByRole("button", { name: "Type it" }).click();
  await eventually("the lab to receive the typed text", async () => (await labView(lab, "web-01"))?.typed === "Paste 42!");
});

test("held keys are released when focus leaves and when the page is hidden", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  await eventually("VMware scan codes", async () => (await page.locator(".vc-status").getAttribute("data-keys")) === "VmwareScancode");
  const canvas = page.getByRole("application", { name: "Console screen of web-01" });
  await canvas.focus();
  const last = async (n) => (await labView(lab, "web-01")).scancodes.slice(-n).join();
  // Shift goes down, then focus leaves before its key-up: the console lets go of it.
  await page.keyboard.down("Shift");
  await eventually("Shift down", async () => (await last(1)) === "2a+");
  await page.evaluate(() => document.querySelector("canvas").blur());
  await eventually("Shift released on blur", async () => (await last(2)) === "2a+,2a-");
  await page.keyboard.up("Shift");
  // The same for a page that goes away with a key held.
  await canvas.focus();
  await page.keyboard.down("Control");
  await eventually("Ctrl down", async () => (await last(1)) === "1d+");
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide")));
  await eventually("Ctrl released on pagehide", async () => (await last(2)) === "1d+,1d-");
});

test("a server-side disconnect says so, and reconnect uses a fresh ticket", async ({ lab, page }) => {
  let tickets = 0;
  page.on("response", (r) => { if (r.url().endsWith("/AcquireTicket") && r.status() === 200) tickets++; });
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  await fetch(new URL("lab/consoles/close", lab.url), { method: "POST" });
  await page.getByRole("alert").filter({ hasText: "the lab operator closed this console" }).waitFor();
  assert((await page.locator(".vc-status").getAttribute("data-ticket")) === "used", "the closed console's ticket is used up");
  await page.getByRole("button", { name: "Reconnect" }).click();
  await running(page);
  assert(tickets === 2, `reconnect acquired a fresh ticket (${tickets} tickets)`);
});

test("a dropped network reconnects by itself, visibly, with a fresh ticket", async ({ lab, page }) => {
  let tickets = 0;
  page.on("response", (r) => { if (r.url().endsWith("/AcquireTicket") && r.status() === 200) tickets++; });
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  await fetch(new URL("lab/consoles/drop", lab.url), { method: "POST" });
  await page.getByRole("alert").filter({ hasText: "dropped. Reconnecting with a fresh ticket in 1 s" }).waitFor();
  await running(page);
  assert(tickets === 2, `the automatic reconnect acquired a fresh ticket (${tickets})`);
});

test("touch: a tap is a click", async ({ lab, browserFor }) => {
  const { page } = await browserFor({ hasTouch: true });
  await login(page, "demo@vsphere.local", "demo");
  await openConsole(page, "web-01");
  await running(page);
  const box = await page.getByRole("application").boundingBox();
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
  await eventually("the lab to count a click at the centre", async () => {
    const v = await labView(lab, "web-01");
    return v.clicks === 1 && Math.abs(v.pointer[0] - 512) <= 3 && Math.abs(v.pointer[1] - 384) <= 3;
  });
});

test("the app ends only its own session: a handed-in one outlives the page, the back/forward cache keeps the app's, destroy() ends the app's", async ({ lab, page, seen }) => {
  const alive = async (sid) => {
    const r = await fetch(new URL("sdk/vim25/8.0.1.0/SessionManager/SessionManager/currentSession", lab.url), { headers: { "vmware-api-session-id": sid } });
    return r.status === 200 && (await r.json()).userName === "demo@vsphere.local";
  };
  const hostPage = (handIn) => `<!doctype html><html><body><div id="c"></div><script type="module">
      import init, { mount } from "./pkg/vsphere_console.js";
      await init();
      const handed = await (await fetch("portal-backend/hand-in")).json();
      window.app = mount(document.getElementById("c"), { configUrl: "www/config.json", ${handIn}: handed });
    </script></body></html>`;
  // The portal's own session, handed in by id: the page leaving must not end it.
  const portal = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
  seen.secrets.add(portal.session);
  await page.route("**/portal-backend/hand-in", (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify(portal.session) }));
  await page.route("**/host-page.html", (route) => route.fulfill({ contentType: "text/html", body: hostPage("sessionId") }));
  await page.goto(new URL("host-page.html", lab.url).href);
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await page.goto("about:blank");
  await page.waitForTimeout(500);
  assert(await alive(portal.session), "the portal's session survived the page leaving");
  // The app's own session (from a clone ticket): kept when the page only goes into the
  // back/forward cache, ended by destroy().
  const clone = await labCall(lab, "SessionManager/SessionManager/AcquireCloneTicket", {}, portal.session);
  seen.secrets.add(clone.json);
  await page.unroute("**/portal-backend/hand-in");
  await page.unroute("**/host-page.html");
  await page.route("**/portal-backend/hand-in", (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify(clone.json) }));
  await page.route("**/host-page.html", (route) => route.fulfill({ contentType: "text/html", body: hostPage("cloneTicket") }));
  const own = page.waitForResponse((r) => r.url().endsWith("/CloneSession") && r.ok());
  await page.goto(new URL("host-page.html", lab.url).href);
  const appSession = (await own).headers()["vmware-api-session-id"];
  seen.secrets.add(appSession);
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })));
  await page.waitForTimeout(500);
  assert(await alive(appSession), "a page going into the back/forward cache keeps its session");
  await page.evaluate(() => window.app.destroy());
  await eventually("destroy() to end the app's own session", async () => !(await alive(appSession)));
  assert(await alive(portal.session), "and the portal's session is untouched");
});

test("a host page checks sessions with sessionIsActive", async ({ lab, page, seen }) => {
  const caller = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
  const other = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "viewer@vsphere.local", password: "viewer" });
  seen.secrets.add(caller.session);
  seen.secrets.add(other.session);
  // The portal's backend reads the other session's key (UserSession.key) and hands the
  // page its own session id and that key: never the other session's token.
  await page.route("**/portal-backend/sessions", (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify([caller.session, other.json.key]) }));
  const answers = await page.evaluate(async () => {
    const m = await import("./pkg/vsphere_console.js");
    await m.default();
    const [mine, theirs] = await (await fetch("portal-backend/sessions")).json();
    const active = await m.sessionIsActive("", mine, theirs, "viewer@vsphere.local");
    const wrongUser = await m.sessionIsActive("", mine, theirs, "someone-else");
    const tokenInstead = await m.sessionIsActive("", mine, mine, "demo@vsphere.local");
    let refused = "";
    try { await m.sessionIsActive("", "not-a-session", theirs, "viewer@vsphere.local"); } catch (e) { refused = String(e); }
    return { active, wrongUser, tokenInstead, refused };
  });
  assert(answers.active === true, "the viewer's session is active");
  assert(answers.wrongUser === false, "a session does not match another user");
  assert(answers.tokenInstead === false, "a session token is not a session key");
  assert(answers.refused.includes("session has ended"), `a caller without a session gets a sentence, got ${answers.refused}`);
  await assertNoSecretsLeak(page, seen);
});

const { failed } = await runAppTests(tests, "e2e");
process.exit(failed.length === 0 ? 0 : 1);
