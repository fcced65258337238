// alpage phone: registers the service worker (the page opens offline) and
// shows each account's one-time code, computed here (RFC 6238: HMAC-SHA1,
// 30 seconds, 6 digits) from the secrets the page keeps in localStorage, so
// that the codes work without a network. Everything else on the page works
// without this file.
(function () {
  "use strict";

  var STORE = "alpage.phone.codes";

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/phone/sw.js", { scope: "/phone/" }).catch(function () {});
  }

  // base32 (RFC 4648) to bytes.
  function base32(s) {
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    s = s.replace(/[\s=-]/g, "").toUpperCase();
    var bits = 0, value = 0, out = [];
    for (var i = 0; i < s.length; i++) {
      var v = alphabet.indexOf(s.charAt(i));
      if (v < 0) {
        throw new Error("not base32");
      }
      value = (value << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 255);
        bits -= 8;
      }
    }
    return new Uint8Array(out);
  }

  // totp returns the code of secret at the given Unix time (seconds).
  function totp(secret, seconds, period, digits) {
    period = period || 30;
    digits = digits || 6;
    var counter = Math.floor(seconds / period);
    var msg = new Uint8Array(8);
    for (var i = 7; i >= 0; i--) {
      msg[i] = counter & 255;
      counter = Math.floor(counter / 256);
    }
    return crypto.subtle.importKey("raw", base32(secret), { name: "HMAC", hash: "SHA-1" }, false, ["sign"])
      .then(function (key) { return crypto.subtle.sign("HMAC", key, msg); })
      .then(function (sig) {
        var h = new Uint8Array(sig);
        var off = h[h.length - 1] & 15;
        var bin = ((h[off] & 127) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
        var code = String(bin % Math.pow(10, digits));
        while (code.length < digits) {
          code = "0" + code;
        }
        return code;
      });
  }
  window.alpageTOTP = totp;

  function stored() {
    try {
      return JSON.parse(localStorage.getItem(STORE) || "[]");
    } catch (e) {
      return [];
    }
  }

  var last = {};
  var ticking = false;

  function show(section) {
    var now = Date.now() / 1000;
    stored().forEach(function (a) {
      var el = section.querySelector('[data-code-for="' + CSS.escape(a.account) + '"]');
      if (!el) {
        return;
      }
      el.hidden = false;
      var period = a.period || 30;
      var step = Math.floor(now / period);
      var left = el.querySelector("[data-code-left]");
      if (left) {
        left.textContent = Math.ceil(period - (now % period)) + " s";
      }
      if (last[a.account] === step) {
        return;
      }
      last[a.account] = step;
      totp(a.secret, now, period, a.digits).then(function (code) {
        var digits = el.querySelector("[data-code-digits]");
        digits.textContent = code.slice(0, 3) + " " + code.slice(3);
        el.setAttribute("data-code", code);
      });
    });
  }

  function start() {
    var section = document.querySelector("[data-phone-codes]");
    if (!section) {
      return;
    }
    if (!window.crypto || !crypto.subtle) {
      var un = section.querySelector("[data-codes-unavailable]");
      if (un) {
        un.hidden = false;
      }
      return;
    }
    var tick = function () { show(section); };
    fetch("/phone/codes.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        if (body.linked) {
          localStorage.setItem(STORE, JSON.stringify(body.accounts));
        } else {
          localStorage.removeItem(STORE);
        }
      })
      .catch(function () {
        var off = section.querySelector("[data-codes-offline]");
        if (off) {
          off.hidden = false;
        }
        // The page may come from the cache: its requests are old ones.
        document.querySelectorAll("[data-testid=phone-request]").forEach(function (el) {
          el.hidden = true;
        });
      })
      .then(function () {
        last = {};
        tick();
        if (!ticking) {
          ticking = true;
          setInterval(function () {
            var current = document.querySelector("[data-phone-codes]");
            if (current) {
              show(current);
            }
          }, 1000);
        }
      });
  }

  document.addEventListener("DOMContentLoaded", start);
  // A boosted navigation swaps the body: start again on the new page.
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target === document.body) {
      start();
    }
  });
})();
