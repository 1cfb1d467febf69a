"""What the website loads: the DNI snippet (JavaScript for the <head> of every page) and the DNI test page."""

from __future__ import annotations

import json
from html import escape

from leadline import phones

# The snippet: reads the page's UTM parameters, click id and referrer; keeps the session id in localStorage; asks the
# sessions endpoint for the visitor's number; then swaps the company's default number everywhere on the page: tel:
# links, elements marked data-dni, and the number written in text in its usual formats ((512) 555-0100,
# 512-555-0100, 512.555.0100, +1 512 555 0100, ...), each keeping its own format. Content added later (menus,
# chat widgets) is swapped too. It marks <html data-leadline-dni="swapped|failed"> and fires `leadline:dni` (the
# session in `detail`) or `leadline:dni-failed` on document.
_SNIPPET = r"""/* Leadline dynamic number insertion: install in the <head> of every page of your website. */
(function () {
  "use strict";
  if (window.__leadlineDni) { return; }
  window.__leadlineDni = true;
  var C = __CONFIG__;
  var doc = document, root = doc.documentElement;
  function digits(s) { return String(s || "").replace(/\D/g, ""); }
  var OLD = digits(C.defaultNumber);
  var NANP = OLD.length === 11 && OLD.charAt(0) === "1";
  var NATIONAL = NANP ? OLD.slice(1) : OLD;
  var SEP = "[\\s.\\-\\u00a0]?";
  var PATTERN = NANP
    ? "(?:\\+?1" + SEP + ")?\\(?" + NATIONAL.slice(0, 3) + "\\)?" + SEP + NATIONAL.slice(3, 6) + SEP + NATIONAL.slice(6)
    : "\\+?" + OLD.split("").join("[\\s.\\-()\\u00a0]{0,2}");
  var TEXT = new RegExp("(^|[^\\d+])(" + PATTERN + ")(?!\\d)", "g");

  function param(name) {
    try { return new URLSearchParams(window.location.search).get(name) || undefined; } catch (e) { return undefined; }
  }
  function kept(value) {
    try {
      if (value === undefined) { return window.localStorage.getItem(C.storageKey) || undefined; }
      window.localStorage.setItem(C.storageKey, value);
    } catch (e) { /* storage off (private mode): a session per page */ }
    return undefined;
  }
  function announce(name, detail) {
    try { doc.dispatchEvent(new CustomEvent(name, { detail: detail })); } catch (e) { /* old browser */ }
  }
  function ready(fn) {
    if (doc.readyState === "loading") { doc.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }

  function swapper(session) {
    var fresh = digits(session.number);
    function fill(text) {
      var count = digits(text).length, take = fresh.slice(-count), i = 0;
      if (take.length < count) { return session.display_number; }
      return text.replace(/\d/g, function () { return take.charAt(i++); });
    }
    function swapText(node) {
      var before = node.nodeValue, after = before.replace(TEXT, function (all, lead, number) {
        return lead + fill(number);
      });
      if (after !== before) { node.nodeValue = after; }
    }
    function skip(node) {
      var name = node.parentNode && node.parentNode.nodeName;
      return name === "SCRIPT" || name === "STYLE" || name === "NOSCRIPT" || name === "TEXTAREA";
    }
    function swapLink(link) {
      var d = digits(link.getAttribute("href"));
      if (d === OLD || (NANP && d === NATIONAL)) { link.setAttribute("href", "tel:" + session.number); }
    }
    function swapMarked(el) {
      if (digits(el.textContent).indexOf(fresh.slice(-NATIONAL.length)) < 0) {
        el.textContent = session.display_number;
      }
    }
    return function swapIn(node) {
      if (node.nodeType === 3) { if (!skip(node)) { swapText(node); } return; }
      if (node.nodeType !== 1 && node.nodeType !== 9) { return; }
      var walker = doc.createTreeWalker(node, 4, null), texts = [], i;
      while (walker.nextNode()) { if (!skip(walker.currentNode)) { texts.push(walker.currentNode); } }
      for (i = 0; i < texts.length; i++) { swapText(texts[i]); }
      var links = node.querySelectorAll ? node.querySelectorAll('a[href^="tel:"]') : [];
      for (i = 0; i < links.length; i++) { swapLink(links[i]); }
      if (node.matches && node.matches('a[href^="tel:"]')) { swapLink(node); }
      var marked = node.querySelectorAll ? node.querySelectorAll("[data-dni]") : [];
      for (i = 0; i < marked.length; i++) { swapMarked(marked[i]); }
      if (node.matches && node.matches("[data-dni]")) { swapMarked(node); }
    };
  }

  var visit = {
    utm_source: param("utm_source"),
    utm_medium: param("utm_medium"),
    utm_campaign: param("utm_campaign"),
    gclid: param("gclid"),
    referrer: doc.referrer ? doc.referrer.slice(0, 2000) : undefined,
    landing_url: String(window.location.href).slice(0, 2000),
    session_id: kept()
  };
  fetch(C.sessionsUrl, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(visit)
  }).then(function (response) {
    if (!response.ok) { throw new Error("DNI sessions answered " + response.status); }
    return response.json();
  }).then(function (session) {
    kept(session.session_id);
    ready(function () {
      var swapIn = swapper(session);
      swapIn(doc.body || root);
      if (window.MutationObserver && doc.body) {
        new MutationObserver(function (records) {
          records.forEach(function (r) { for (var i = 0; i < r.addedNodes.length; i++) { swapIn(r.addedNodes[i]); } });
        }).observe(doc.body, { childList: true, subtree: true });
      }
      root.setAttribute("data-leadline-dni", "swapped");
      announce("leadline:dni", session);
    });
  }).catch(function (error) {
    ready(function () {
      root.setAttribute("data-leadline-dni", "failed");
      announce("leadline:dni-failed", { error: String(error) });
    });
  });
})();
"""


def _script_json(value: dict) -> str:
    """JSON safe to place inside a <script> (no `</script>`, no HTML comment)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_snippet(*, tenant_id: str, sessions_url: str, default_number: str) -> str:
    config = {
        "sessionsUrl": sessions_url,
        "defaultNumber": default_number,
        "storageKey": f"leadline.dni.{tenant_id}",
    }
    return _SNIPPET.replace("__CONFIG__", _script_json(config))


def render_test_page(*, company: str, snippet_url: str, default_number: str, domain: str) -> str:
    """The DNI test: the company's default number as a website shows it, with the snippet installed in the head.
    Opened in a browser, the number is swapped for one of the pool and the page says so."""
    shown = phones.readable(default_number)
    digits = default_number.lstrip("+")
    dotted = f"{digits[1:4]}.{digits[4:7]}.{digits[7:]}" if len(digits) == 11 and digits[0] == "1" else default_number
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>DNI test - {escape(company)}</title>
<script src="{escape(snippet_url)}" async></script>
</head>
<body>
<h1>DNI test: {escape(company)}</h1>
<p>This page shows the company's default number the way a website does, with the DNI snippet in its head, as on
every page of {escape(domain)}. When the snippet works, each number below is one of the DNI pool, held for this
visit.</p>
<ul>
<li>Link: <a id="dni-link" href="tel:{escape(default_number)}">{escape(shown)}</a></li>
<li>Marked: <span id="dni-marked" data-dni>{escape(shown)}</span></li>
<li>Text: <span id="dni-text">Call us at {escape(dotted)} or {escape(default_number)}, any time.</span></li>
</ul>
<p id="dni-status" role="status">DNI test running: waiting for the snippet...</p>
<script>
(function () {{
  var status = document.getElementById("dni-status");
  document.addEventListener("leadline:dni", function (e) {{
    status.textContent = "DNI test passed: this visit is shown " + e.detail.display_number +
      " (session " + e.detail.session_id + ", held until " + e.detail.expires_at + ").";
    status.setAttribute("data-result", "passed");
  }});
  document.addEventListener("leadline:dni-failed", function (e) {{
    status.textContent = "DNI test failed: " + e.detail.error +
      ". Check that the snippet is in the head and that the domain set for DNI is this site's.";
    status.setAttribute("data-result", "failed");
  }});
}})();
</script>
</body>
</html>
"""
