import { mount, sessionIsActive } from "/node_modules/vsphere-console/app.js";

window.app = await mount(document.getElementById("app"), { configUrl: "/www/config.json" });
window.sessionCheck = await sessionIsActive("", "not-a-session", "not-a-session", "nobody").then((v) => `resolved ${v}`, (e) => String(e));
