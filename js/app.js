// The full app (login form, VM list, console) as the package's second entry.
import init, { mount as mountApp, sessionIsActive as isActive, validateConsoleUrl as validate } from "./app/vsphere_console.js";

let loading = null;

/** Loads the app's WebAssembly once; bundlers that move the .wasm file pass its URL. */
export function initApp(wasmUrl) {
  loading ??= init(wasmUrl ? { module_or_path: wasmUrl } : undefined);
  return loading;
}

/** Mounts the app in `element`; resolves to an object with `destroy()`. */
export async function mount(element, options = {}) {
  await initApp(options.wasmUrl);
  const { wasmUrl, ...rest } = options;
  return mountApp(element, rest);
}

/** `sessionKey` is the other session's UserSession.key, never a session token. */
export async function sessionIsActive(apiBase, callerSessionId, sessionKey, userName) {
  await initApp();
  return isActive(apiBase, callerSessionId, sessionKey, userName);
}

export async function validateConsoleUrl(ticket, requestedFrom, policy) {
  await initApp();
  return validate(ticket, requestedFrom, policy ?? null);
}
