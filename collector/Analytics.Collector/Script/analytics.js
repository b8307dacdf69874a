/*
 * Analytics tracking snippet (readable source of /a.js; the served file is analytics.min.js, the same
 * code hand-minified: keep the two in step). No dependencies, no cookies of its own.
 *   <script defer data-site="YOUR_SITE" src="https://stats.example.com/a.js"></script>
 * Counts pageviews (also SPA navigation: pushState, replaceState, popstate), outbound-link and
 * file-download clicks, and custom events: analytics("Signup", { plan: "pro" }). Calls made before it
 * loads are kept by the one-line stub of docs/tracking.md (in analytics.q) and sent after the pageview.
 * Sends with navigator.sendBeacon (POST /e), falling back to the clear GIF (GET /i.gif). A page the
 * browser prerenders (Speculation Rules, the address bar) is counted when it is shown, not before.
 */
(function (w, d) {
  "use strict";
  var script = d.currentScript;
  if (!script) return;
  var site = script.getAttribute("data-site");
  var base = script.src.replace(/\/a\.js([?#].*)?$/, "");
  var downloads = /\.(pdf|zip|gz|tgz|dmg|exe|msi|pkg|deb|rpm|apk|csv|xlsx?|docx?|pptx?|txt|epub|mp3|mp4|mov|avi|wav|iso)$/i;
  var last;

  function enc(v) { return encodeURIComponent(v == null ? "" : v); }

  function send(name, props, link) {
    var hit = { site: site, url: location.href, ref: d.referrer, t: d.title, w: screen.width };
    if (name) hit.e = name;
    if (link) hit.l = link;
    if (props) hit.p = props;
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(base + "/e", JSON.stringify(hit))) return;
    } catch (e) { /* fall back to the GIF */ }
    var q = "site=" + enc(site) + "&url=" + enc(hit.url) + "&ref=" + enc(hit.ref) + "&t=" + enc(hit.t) + "&w=" + hit.w;
    if (name) q += "&e=" + enc(name);
    if (link) q += "&l=" + enc(link);
    for (var k in props) if (Object.prototype.hasOwnProperty.call(props, k)) q += "&p." + enc(k) + "=" + enc(props[k]);
    new Image().src = base + "/i.gif?" + q;
  }

  function page() {
    if (location.href === last) return;
    last = location.href;
    send();
  }

  ["pushState", "replaceState"].forEach(function (m) {
    var original = history[m];
    history[m] = function () {
      var result = original.apply(this, arguments);
      page();
      return result;
    };
  });
  w.addEventListener("popstate", page);

  d.addEventListener("click", function (e) {
    var a = e.target && e.target.closest && e.target.closest("a[href]");
    if (!a || !/^https?:$/.test(a.protocol)) return;
    if (a.host !== location.host) send("Outbound Link", null, a.href);
    else if (downloads.test(a.pathname)) send("File Download", null, a.href);
  }, true);

  var queued = (w.analytics && w.analytics.q) || [];
  w.analytics = function (name, props) { if (name) send(String(name), props); };

  function start() {
    page();
    for (var i = 0; i < queued.length; i++) w.analytics.apply(w, queued[i]);
  }

  if (d.prerendering) d.addEventListener("prerenderingchange", start, { once: true });
  else start();
})(window, document);
