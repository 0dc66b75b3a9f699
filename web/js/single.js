// single.js: the entry point of the single-file build (headerlens.html),
// which works when opened from disk. The analyzer comes from the file
// itself (gzip, base64, in the #hl-wasm element); it starts offline, and
// only the resolvers the file's own Content-Security-Policy names can be
// used when the reader turns Offline off.

import { mount } from "./app.js";

const data = document.getElementById("hl-wasm");

// wasmBytes decodes the embedded module.
async function wasmBytes() {
  const bin = atob(data.textContent.trim());
  const packed = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

mount(document.getElementById("headerlens"), {
  home: new URL(".", location.href),
  keepInAddress: true,
  settings: { offline: true },
  wasmBytes,
});
