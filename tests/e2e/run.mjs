// End-to-end: the release app, served by the lab, driven through real Chromium.
// Each test gets a fresh lab and browser context; results end in "N passed, N failed".
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ARTIFACTS, assert, assertNoSecretsLeak, canvasPixels, canvasRegionSha256, eventually, login, openPage,
  startBrowser, startLab,
} from "./lib.mjs";

const tests = [];
/** A test; `labConfig` (JSON) starts its lab with `--config`. */
const test = (name, fn, labConfig) => tests.push({ name, fn, labConfig });

function configFile(obj) {
  const p = join(tmpdir(), `lab-e2e-${process.pid}-${tests.length}-${Date.now()}.json`);
  writeFileSync(p, JSON.stringify(obj));
  return p;
}

async function labCall(lab, path, body, session) {
  const headers = { "content-type": "application/json" };
  if (session) headers["vmware-api-session-id"] = session;
  const r = await fetch(new URL(`sdk/vim25/8.0.1.0/${path}`, lab.url), { method: "POST", headers, body: JSON.stringify(body ?? {}) });
  return { status: r.status, session: r.headers.get("vmware-api-session-id"), json: await r.json().catch(() => null) };
}

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

const browser = await startBrowser();
let passed = 0;
const failed = [];
for (const t of tests) {
  const lab = await startLab(t.labConfig ? ["--config", configFile(t.labConfig)] : []);
  const ctx = await openPage(browser, lab.url);
  const started = Date.now();
  try {
    await t.fn({ lab, ...ctx });
    assert(ctx.seen.errors.length === 0, `no page errors (got ${ctx.seen.errors.join(" | ")})`);
    passed++;
    console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed.push(t.name);
    console.log(`not ok - ${t.name}: ${e.message}`);
    const shot = `${ARTIFACTS}/failed-${tests.indexOf(t)}.png`;
    await ctx.page.screenshot({ path: shot }).catch(() => {});
    console.log(`  screenshot: ${shot}`);
    for (const l of ctx.seen.console.slice(-10)) console.log(`  console: ${l}`);
  } finally {
    await ctx.context.close();
    lab.stop();
  }
}
await browser.close();
console.log(`e2e: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
