// page.js: the entry point of index.html: one instance in #headerlens,
// with its settings kept in the page address, and the service worker that
// keeps the site's files for offline use (not from file://, and not in the
// single-file build, which needs none).

import { mount } from "./app.js";

const root = document.getElementById("headerlens");
// ?embed=1: the compact layout for an iframe in a wiki (the server must
// allow the wiki with --frame-ancestors; see docs/embedding.md).
const embed = new URLSearchParams(location.search).get("embed") === "1";
if (embed) document.documentElement.classList.add("embed");
mount(root, {
  home: new URL(".", location.href),
  keepInAddress: true,
  autoCompanion: true,
  compact: embed,
});

// The worker is registered once the analyzer has loaded, so that it finds
// the files in the browser's HTTP cache (it revalidates them: a 304 each)
// instead of downloading the module a second time.
if ("serviceWorker" in navigator && location.protocol !== "file:" && root.dataset.serviceWorker !== "off") {
  root.addEventListener("headerlens:instance-ready", () => {
    navigator.serviceWorker.register(new URL("sw.js", location.href), { scope: "./" }).catch((e) => {
      console.warn("headerlens: offline use is not available (" + (e && e.message ? e.message : String(e)) + ")");
    });
  }, { once: true });
}
