// boot.js: the first script of index.html, a classic script loaded async.
// It starts downloading and compiling the analyzer (headerlens.wasm, beside
// the page) at once, while the page's modules still load, instead of when
// js/bridge.js first runs, about half a second later on a cold start. The
// bridge takes the compiled module from globalThis.headerlensBoot and logs
// this request in the network log like its own; when anything here fails,
// the bridge loads the module itself. The <header-lens> element and the
// single file do not use it.
//
// globalThis.headerlensBoot:
//   url       the module's absolute URL
//   module    Promise of the compiled WebAssembly.Module
//   status    the HTTP status, once known ("pending" before, "failed")
//   loaded    bytes received so far; total: expected bytes, 0 if unknown
//   onProgress(fn)  calls fn(loaded, total) on every chunk from now on
//   counted   Promise settled when every byte was counted

(() => {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.compileStreaming !== "function" || globalThis.headerlensBoot) return;
  const url = String(new URL("../headerlens.wasm", document.currentScript.src));
  // WASM_SIZE is written here by scripts/build-site, as in bridge.js.
  const WASM_SIZE = 0;
  const listeners = new Set();
  const boot = { url, status: "pending", loaded: 0, total: 0, onProgress: (fn) => listeners.add(fn) };
  performance.mark("headerlens:wasm-fetch");
  // The credentials mode of index.html's <link rel=preload crossorigin>,
  // so that the preloaded response is used.
  boot.module = fetch(url, { credentials: "same-origin", referrerPolicy: "no-referrer" }).then((resp) => {
    boot.status = resp.status;
    if (!resp.ok || !resp.body) throw new Error("headerlens.wasm: HTTP " + resp.status);
    const encoded = resp.headers.get("Content-Encoding");
    boot.total = WASM_SIZE || (!encoded || encoded === "identity" ? Number(resp.headers.get("Content-Length")) || 0 : 0);
    // The response itself goes to compileStreaming, so that the browser
    // can keep the compiled code in its cache with the response's URL (a
    // wrapped Response has none); a clone counts the bytes.
    boot.counted = count(resp.clone().body.getReader()).catch(() => {});
    return WebAssembly.compileStreaming(resp);
  });
  boot.module.catch(() => { if (boot.status === "pending") boot.status = "failed"; });
  globalThis.headerlensBoot = boot;

  // count reads the clone's chunks for the progress, then marks the end.
  async function count(reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      boot.loaded += value.byteLength;
      for (const fn of listeners) fn(boot.loaded, boot.total);
    }
    performance.mark("headerlens:wasm-fetched");
  }
})();
