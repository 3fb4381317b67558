// The portal's own code, written for VMware's SDK (a global WMKS): unchanged whichever
// script line the page has. Options come from the address, so one page serves every case.
const options = JSON.parse(new URLSearchParams(location.search).get("options") ?? "{}");
const wmks = WMKS.createWMKS("console", options);
window.record = [];
for (const name of Object.values(WMKS.CONST.Events)) {
  wmks.register(name, function (event, data) {
    let copy;
    try {
      copy = JSON.parse(JSON.stringify(data ?? null));
    } catch {
      copy = String(data);
    }
    window.record.push({ name, type: event?.type, onTheElement: this?.[0] === document.getElementById("console"), data: copy });
  });
}
window.wmks = wmks;
window.pageReady = true;
