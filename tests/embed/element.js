import "/node_modules/vsphere-console/element.js";
import { freshTicket, record, settings } from "/embed/common.js";

const el = document.querySelector("vsphere-console");
record(el, ["connecting", "connect", "disconnect", "ticketstate", "desktopname", "resize", "error"]);
el.policy = settings.policy;
el.requestedFrom = settings.requestedFrom;
el.acquireTicket = freshTicket;
window.api = el;
