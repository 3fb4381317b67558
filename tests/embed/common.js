// Shared by the test host pages: what a portal's page would do around the console.
// Settings (the URL policy) come from the portal's server; tickets from its backend.
export const settings = await (await fetch("/embed/settings.json")).json();

/** A fresh webmks ticket from "the portal's backend" (the test answers this route). */
export async function freshTicket() {
  const r = await fetch("/portal/ticket", { method: "POST" });
  if (!r.ok) throw new Error(`the portal backend answered ${r.status}`);
  return r.json();
}

/** Records every event of `target` in window.events, in order. */
export function record(target, names) {
  window.events ??= [];
  for (const type of names) {
    target.addEventListener(type, (e) => window.events.push({ type, detail: e.detail ?? null }));
  }
}
