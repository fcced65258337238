// alpage console: passkeys (WebAuthn). A form marked data-passkey="create"
// or "get" runs one ceremony when submitted:
//   1. POST its data-begin address (fetch, same origin) → {token, options};
//   2. ask the browser: navigator.credentials.create / get (options.publicKey);
//   3. put the token and the browser's answer (JSON) in the hidden fields
//      "token" and "response", and submit the form for real: the server
//      answers with a page, as for any form.
// WebAuthn takes and gives ArrayBuffers, JSON carries base64url: the two
// small functions below convert. Without WebAuthn the forms stay hidden.
(function () {
  "use strict";

  if (window.alpagePasskeys) {
    return; // loaded by several partials of one page
  }
  window.alpagePasskeys = true;

  var supported = !!(window.PublicKeyCredential && navigator.credentials &&
    navigator.credentials.create && navigator.credentials.get && window.fetch);

  // base64url text → ArrayBuffer.
  function toBuffer(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      bytes[i] = bin.charCodeAt(i);
    }
    return bytes.buffer;
  }

  // ArrayBuffer → base64url text (no padding).
  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The server's options, with the binary fields as ArrayBuffers.
  function decodeOptions(publicKey) {
    publicKey.challenge = toBuffer(publicKey.challenge);
    if (publicKey.user) {
      publicKey.user.id = toBuffer(publicKey.user.id);
    }
    ["excludeCredentials", "allowCredentials"].forEach(function (list) {
      (publicKey[list] || []).forEach(function (c) {
        c.id = toBuffer(c.id);
      });
    });
    return publicKey;
  }

  // The browser's PublicKeyCredential as JSON for the server.
  function encodeCredential(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) {
        response.userHandle = toText(r.userHandle);
      }
    }
    return JSON.stringify({
      id: cred.id,
      rawId: toText(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: response
    });
  }

  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    if (!box) {
      return;
    }
    box.querySelector("p").textContent = message || "";
    box.hidden = !message;
  }

  // The translated message of a browser refusal. Cancelling and timing out
  // are one error on purpose (NotAllowedError): a page may not tell them apart.
  function browserMessage(form, err) {
    switch (err && err.name) {
    case "NotAllowedError":
    case "AbortError":
      return form.getAttribute("data-msg-cancelled");
    case "InvalidStateError":
      return form.getAttribute("data-msg-exists");
    case "SecurityError":
      return form.getAttribute("data-msg-insecure");
    default:
      return form.getAttribute("data-msg-failed");
    }
  }

  function run(form) {
    var button = form.querySelector("[type=submit]");
    var mode = form.getAttribute("data-passkey");
    button.disabled = true;
    showError(form, "");
    fetch(form.getAttribute("data-begin"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok || !data.options) {
          if (data.redirect) {
            window.location.assign(data.redirect);
          }
          throw { server: data.error || form.getAttribute("data-msg-failed") };
        }
        var publicKey = decodeOptions(data.options.publicKey);
        return navigator.credentials[mode]({ publicKey: publicKey }).then(function (cred) {
          form.elements.token.value = data.token;
          form.elements.response.value = encodeCredential(cred);
          form.submit();
        });
      });
    }).catch(function (err) {
      button.disabled = false;
      showError(form, err && err.server ? err.server : browserMessage(form, err));
    });
  }

  // Forms and notes are drawn hidden: show what this browser can use.
  function reveal(root) {
    if (!root.querySelectorAll) {
      return;
    }
    root.querySelectorAll("[data-passkey],[data-passkey-add]").forEach(function (el) {
      el.hidden = !supported;
    });
    root.querySelectorAll("[data-passkey-unsupported]").forEach(function (el) {
      el.hidden = supported;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (e) { reveal(e.target); });
  if (document.readyState !== "loading") {
    reveal(document);
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-passkey") || !supported) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    run(form);
  }, true);
})();
