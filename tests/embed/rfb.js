import RFB from "/node_modules/vsphere-console/rfb.js";
import { freshTicket, record, settings } from "/embed/common.js";

// As with noVNC: new RFB(target, url, options); here the second argument gets tickets.
const rfb = new RFB(document.getElementById("screen"), freshTicket, { policy: settings.policy, requestedFrom: settings.requestedFrom });
rfb.scaleViewport = true;
record(rfb, ["connect", "disconnect", "desktopname", "capabilities", "clipboard", "bell"]);
window.api = rfb;
