import { createWMKS, CONST } from "/node_modules/vsphere-console/wmks.js";
import { freshTicket, settings } from "/embed/common.js";

const wmks = createWMKS("screen", { policy: settings.policy, requestedFrom: settings.requestedFrom, changeResolution: false, rescale: true });
window.events = [];
for (const type of Object.values(CONST.Events)) {
  // The SDK passes (event, data); event.type is its own ("nwmksconnected"…), so the name registered is kept.
  wmks.register(type, (event, data) => window.events.push({ type, sdkType: event.type, detail: data }));
}
wmks.connect(await freshTicket());
window.api = wmks;
window.freshTicket = freshTicket;
