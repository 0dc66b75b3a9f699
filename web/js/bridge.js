// bridge.js: loads the Go WebAssembly analyzer, once per page, from the
// URLs it is given, and reports progress. Go's wasm_exec.js defines
// globalThis.Go; the Go program then sets globalThis.headerlens (see
// wasm/main.go) and dispatches "headerlens:ready". Every instance on a
// page shares that one analyzer.
//
// Timings are left as performance marks, read by the browser test and by
// anyone in the DevTools Performance panel (js/boot.js makes the first two
// on the page):
//   headerlens:wasm-fetch      the module's request starts
//   headerlens:wasm-fetched    its last byte arrived
//   headerlens:wasm-compiled   compiled and instantiated
//   headerlens:go-started      the Go program is running
//   headerlens:ready           the analyzer answers
//   headerlens:warm            the warm-up analysis finished (see warmUp)

// WASM_SIZE is the module's size in bytes, written here by scripts/build-site
// so that progress can be shown when the server compresses the download
// (Content-Length is then the compressed size). 0: unknown.
const WASM_SIZE = 0;

let loading = null;

// loadAnalyzer resolves with globalThis.headerlens. opts:
//   execURL     URL of wasm_exec.js, loaded when Go is not defined yet
//   wasmURL     URL of headerlens.wasm
//   wasmBytes   optional () => Promise<Uint8Array>: the module's bytes from
//               elsewhere (the single-file build), instead of wasmURL
//   net         the Net that fetches (and logs) the module
//   onProgress  optional (loaded, total) callback; total 0 when unknown
//   onExit      optional callback when the Go program stops
//   onWarmUp    optional callback with the report of the warm-up analysis
//               (see warmUp), once, while the page is idle
export function loadAnalyzer(opts) {
  if (!loading) loading = load(opts);
  return loading;
}

async function load(opts) {
  if (globalThis.headerlens && typeof globalThis.headerlens.analyze === "function") return globalThis.headerlens;
  const onProgress = opts.onProgress || (() => {});
  const go = new (await goClass(opts.execURL))();
  let result;
  const early = opts.wasmBytes ? null : await fromBoot(opts, onProgress);
  if (early) {
    result = { instance: await WebAssembly.instantiate(early, go.importObject) };
  } else if (opts.wasmBytes) {
    performance.mark("headerlens:wasm-fetch");
    const bytes = await opts.wasmBytes();
    onProgress(bytes.length, bytes.length);
    performance.mark("headerlens:wasm-fetched");
    result = await WebAssembly.instantiate(bytes, go.importObject);
  } else {
    performance.mark("headerlens:wasm-fetch");
    const resp = await opts.net.fetch(opts.wasmURL, {}, { kind: "asset", what: "the analyzer (WebAssembly module)" });
    if (!resp.ok) throw new Error("headerlens.wasm: HTTP " + resp.status);
    const counted = counting(resp, onProgress);
    try {
      result = await WebAssembly.instantiateStreaming(counted, go.importObject);
    } catch (e) {
      // A browser without streaming compilation: compile from the bytes.
      if (counted.bodyUsed) throw e;
      result = await WebAssembly.instantiate(await counted.arrayBuffer(), go.importObject);
    }
  }
  performance.mark("headerlens:wasm-compiled");
  const ready = new Promise((resolve) => globalThis.addEventListener("headerlens:ready", resolve, { once: true }));
  go.run(result.instance).then(() => { if (opts.onExit) opts.onExit(); });
  performance.mark("headerlens:go-started");
  if (!globalThis.headerlens) await ready;
  performance.mark("headerlens:ready");
  warmUp(globalThis.headerlens, opts.onWarmUp);
  return globalThis.headerlens;
}

// fromBoot returns the module js/boot.js compiled, when it was started for
// this wasmURL, after logging its request in opts.net; null when there is
// none or it failed (the caller then loads the module itself).
async function fromBoot(opts, onProgress) {
  const boot = globalThis.headerlensBoot;
  if (!boot || boot.url !== String(new URL(opts.wasmURL, location.href))) return null;
  const entry = { time: new Date(), kind: "asset", what: "the analyzer (WebAssembly module), started by boot.js", method: "GET", url: boot.url, status: boot.status };
  opts.net.record(entry);
  onProgress(boot.loaded, boot.total);
  boot.onProgress(onProgress);
  try {
    const module = await boot.module;
    await boot.counted;
    entry.status = boot.status;
    opts.net.changed();
    return module;
  } catch (e) {
    entry.status = boot.status === "pending" ? "failed" : boot.status;
    entry.error = (e && e.message ? e.message : String(e)) + "; loading it again";
    opts.net.changed();
    return null;
  }
}

// WARM_UP is a small header block that goes through the analyzer's parsers
// (Received, Authentication-Results, DKIM-Signature, addresses, dates).
const WARM_UP = [
  "Received: from a.example (a.example [192.0.2.1]) by mx.b.example with ESMTPS id w; Mon, 1 Jan 2024 00:00:01 +0000",
  "Received: from [192.0.2.1] by a.example with ESMTPSA; Mon, 1 Jan 2024 00:00:00 +0000",
  "Authentication-Results: mx.b.example; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example; dmarc=pass header.from=a.example",
  "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=a.example; s=s; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA",
  "From: A <a@a.example>", "To: b@b.example", "Subject: =?utf-8?q?warm-up?=",
  "Date: Mon, 1 Jan 2024 00:00:00 +0000", "Message-ID: <w@a.example>", "", "",
].join("\r\n");

// warmUp runs one analysis while the page is idle. WebAssembly functions
// are compiled when first called, so the first analysis of a page takes
// longer than the next ones; this one takes that cost before the reader's.
// It is a live analysis (the DNS, SPF, DKIM, DMARC and ARC code runs) whose
// resolver answers every query NXDOMAIN inside the page (the warmUp option
// of wasm/options.go): it sends nothing and shows nothing.
// onWarm, when given, gets the warm-up's report, so that the page can warm
// its rendering too.
function warmUp(hl, onWarm) {
  const run = () => hl.analyze(WARM_UP, { warmUp: true }).then((report) => {
    performance.mark("headerlens:warm");
    if (onWarm) onWarm(report);
  }, () => {});
  if (typeof requestIdleCallback === "function") requestIdleCallback(run, { timeout: 2000 });
  else setTimeout(run, 0);
}

// goClass returns wasm_exec.js's Go class, adding the script when it is
// not on the page yet.
function goClass(execURL) {
  if (typeof globalThis.Go === "function") return Promise.resolve(globalThis.Go);
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    // CORS mode, like the module scripts: a site embedding the element
    // from another origin needs only Access-Control-Allow-Origin.
    s.crossOrigin = "anonymous";
    s.src = String(execURL);
    s.addEventListener("load", () => typeof globalThis.Go === "function" ? resolve(globalThis.Go) : reject(new Error("wasm_exec.js did not define Go")));
    s.addEventListener("error", () => reject(new Error("wasm_exec.js did not load")));
    document.head.append(s);
  });
}

// counting wraps resp so that every chunk read is reported to onProgress,
// keeping the wasm media type streaming compilation needs.
function counting(resp, onProgress) {
  const encoded = resp.headers.get("Content-Encoding");
  const length = Number(resp.headers.get("Content-Length")) || 0;
  const total = WASM_SIZE || (!encoded || encoded === "identity" ? length : 0);
  if (!resp.body || typeof TransformStream !== "function") return resp;
  let loaded = 0;
  const body = resp.body.pipeThrough(new TransformStream({
    transform(chunk, ctl) {
      loaded += chunk.byteLength;
      onProgress(loaded, total);
      ctl.enqueue(chunk);
    },
    flush() { performance.mark("headerlens:wasm-fetched"); },
  }));
  return new Response(body, { status: resp.status, headers: { "Content-Type": "application/wasm" } });
}
