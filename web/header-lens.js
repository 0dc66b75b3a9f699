// header-lens.js: the <header-lens> element. One module script embeds the
// analyzer in any page:
//
//   <script type="module" src="https://tools.example/headerlens/header-lens.js"></script>
//   <header-lens doh="https://dns.example/dns-query" compact></header-lens>
//
// The wasm, wasm_exec.js and the stylesheet are loaded from beside this
// script, all in CORS mode, so the host page's Content-Security-Policy
// needs only that origin (script-src, style-src, connect-src) and
// 'wasm-unsafe-eval', and the site must send Access-Control-Allow-Origin
// for the host page's origin (headerlens serve --embed-origin). Each element
// keeps its own interface in a shadow root; all elements on a page share
// one analyzer.
//
// Attributes (read when the element is connected):
//   doh        DNS-over-HTTPS resolver URL(s), separated by spaces
//   companion  companion server URL ("off": none; default: none)
//   offline    present: no network at all, only what the headers record
//   compact    present: a smaller layout for narrow wiki columns

import { mount } from "./js/app.js";

const here = new URL(".", import.meta.url);

class HeaderLens extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const shadow = this.attachShadow({ mode: "open" });
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.crossOrigin = "anonymous";
    style.href = new URL("style.css", here).href;
    const root = document.createElement("div");
    shadow.append(style, root);
    const settings = {};
    if (this.getAttribute("doh")) settings.doh = this.getAttribute("doh");
    if (this.getAttribute("companion")) settings.companion = this.getAttribute("companion");
    if (this.hasAttribute("offline")) settings.offline = true;
    this.instance = mount(root, { home: here, settings, compact: this.hasAttribute("compact") });
  }
}

if (!customElements.get("header-lens")) customElements.define("header-lens", HeaderLens);
