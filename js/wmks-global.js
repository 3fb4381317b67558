// The classic-script entry, for pages that load VMware's SDK with `<script src>`:
// `<script src="…/vsphere-console/wmks.global.js"></script>` defines `window.WMKS` (and
// loads the console's WebAssembly from beside it). `cargo xtask package` bundles this
// file, with everything it imports, into that one script.
import WMKS from "./wmks.js";
import { initConsole } from "./index.js";

const script = document.currentScript;
if (script?.src) initConsole(new URL("console/vsphere_console_bg.wasm", script.src));
window.WMKS = WMKS;
