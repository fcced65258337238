// alpage phone: the service worker of /phone/. It keeps the phone page and
// its assets, so that the page — and the one-time codes it computes — opens
// without a network. SHELL (the page and the checksummed assets) and
// VERSION are written above this line by the server.
/* global SHELL, VERSION */
"use strict";

var CACHE = "alpage-phone-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("alpage-phone-") === 0 && k !== CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") {
    return;
  }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  // Assets carry their checksum in the path: the cached copy is right.
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req);
    }));
    return;
  }
  // The phone page: the network first, kept for the next time offline.
  if (req.mode === "navigate" && url.pathname === "/phone/") {
    event.respondWith(fetch(req).then(function (resp) {
      if (resp.ok && url.search === "") { // not a page with a one-off notice
        var copy = resp.clone();
        caches.open(CACHE).then(function (cache) { cache.put("/phone/", copy); });
      }
      return resp;
    }).catch(function () {
      return caches.match("/phone/");
    }));
  }
});
