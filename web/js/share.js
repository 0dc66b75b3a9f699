// share.js: the report's share actions: download or copy the JSON, copy
// the Markdown (made in Go: headerlens.markdown, the same text as
// headerlens analyze --format markdown), and a link that carries the
// settings and, only when asked, the message itself, compressed into the
// URL fragment (the part after #, which browsers never send to a server).

import { el, note } from "./dom.js";
import { addressWith } from "./settings.js";

// MAX_LINK is the longest permalink offered; browsers and chat tools cut
// longer addresses.
const MAX_LINK = 64 * 1024;

// renderShare returns the share bar for report. ctx supplies the analyzer,
// the current settings and the message text.
export function renderShare(report, ctx) {
  const { out, say, button, jsonButtons } = actions(report, ctx, "headerlens-report.json");
  const bar = el("p", { class: "report-actions" },
    ...jsonButtons,
    typeof ctx.analyzer.markdown === "function"
      ? button("Copy Markdown", "share-markdown", async () => copy(out, await ctx.analyzer.markdown(report), "The report (Markdown, for a ticket) is on the clipboard."))
      : null,
    button("Copy link to these settings", "share-settings", async () => copy(out, linkTo(ctx, ""), "A link with these settings (not the message) is on the clipboard.")),
    button("Copy link with the message…", "share-message", async () => {
      const packed = await pack(ctx.messageText());
      const link = linkTo(ctx, "#m=" + packed);
      if (link.length > MAX_LINK) {
        say("The message is too large for a link (" + link.length.toLocaleString() + " characters); share the .eml file instead.", "warn");
        return;
      }
      const warn = el("div", { class: "note n-warn share-warning" },
        el("strong", null, "This link contains the message's headers. "),
        "Anyone who has the link can read them, including the addresses and the subject. The part after # is not sent to the web server, but it stays in the browser history and in every place the link is pasted.",
        el("p", null, button("Copy it anyway", "share-message-confirm", async () => copy(out, link, "The link with the message (" + link.length.toLocaleString() + " characters) is on the clipboard."))));
      out.replaceChildren(warn);
    }));
  return el("div", { class: "share" }, bar, out);
}

// renderDomainShare returns the share bar of a domain check report: the
// JSON, and the Markdown for a ticket (headerlens.domainMarkdown, the text
// of headerlens domain --format markdown).
export function renderDomainShare(report, ctx) {
  const { out, button, jsonButtons } = actions(report, ctx, "headerlens-domain.json");
  const bar = el("p", { class: "report-actions" },
    ...jsonButtons,
    typeof ctx.analyzer.domainMarkdown === "function"
      ? button("Copy Markdown", "share-markdown", async () => copy(out, await ctx.analyzer.domainMarkdown(report), "The domain report (Markdown, for a ticket) is on the clipboard."))
      : null);
  return el("div", { class: "share" }, bar, out);
}

// actions builds what both share bars have: the output line, a button
// maker whose errors show there, and the Download and Copy JSON buttons.
function actions(report, ctx, filename) {
  const out = el("div", { class: "share-out", "aria-live": "polite" });
  const say = (text, kind) => out.replaceChildren(note(text, kind));
  const json = () => JSON.stringify(report, null, 2);
  const button = (label, cls, fn) => {
    const b = el("button", { type: "button", class: "secondary " + cls }, label);
    b.addEventListener("click", () => fn().catch((e) => say(String(e && e.message ? e.message : e), "bad")));
    return b;
  };
  const jsonButtons = [
    button("Download JSON", "share-download", async () => {
      const url = URL.createObjectURL(new Blob([json()], { type: "application/json" }));
      const a = el("a");
      a.href = url;
      a.download = filename;
      ctx.root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }),
    button("Copy JSON", "share-json", async () => copy(out, json(), "The report (JSON) is on the clipboard.")),
  ];
  return { out, say, button, jsonButtons };
}

// linkTo is the page's address with the current settings and fragment.
function linkTo(ctx, fragment) {
  return addressWith(ctx.pageURL(), ctx.settings(), fragment);
}

// copy puts text on the clipboard, or shows it to be copied by hand when
// the browser refuses (no permission, or not a secure context).
async function copy(out, text, done) {
  try {
    await navigator.clipboard.writeText(text);
    out.replaceChildren(note(done, "info"));
  } catch (e) {
    const area = el("textarea", { class: "share-text", "aria-label": "Text to copy" });
    area.readOnly = true;
    area.value = text;
    out.replaceChildren(note("The browser did not allow copying; select the text below and copy it.", "warn"), area);
    area.select();
  }
}

// pack compresses text (raw DEFLATE, RFC 1951) and encodes it base64url.
export async function pack(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// MAX_UNPACKED bounds what a link may expand to, like the analyzer's own
// input limit: a small fragment must not inflate into gigabytes.
const MAX_UNPACKED = 10 * 1024 * 1024;

// unpack reverses pack, refusing output over MAX_UNPACKED.
export async function unpack(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_UNPACKED) {
      await reader.cancel();
      throw new Error("the message in the link is larger than 10 MiB");
    }
    parts.push(value);
  }
  return new TextDecoder().decode(await new Blob(parts).arrayBuffer());
}
