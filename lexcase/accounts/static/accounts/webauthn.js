// Security keys and passkeys (WebAuthn) on allauth's second-factor pages, under the strict
// CSP: this file is the only script; the pages carry no inline script or style.
//
// A button with data-webauthn="create" (enrolment) or "get" (sign-in, confirming the
// password again) names in data-webauthn-options the id of a JSON data block
// (<script type="application/json">, which the browser never executes) holding the
// server's options: {"creation_options": ...} or {"request_options": ...}, binary fields
// base64url-encoded as python-fido2 writes them. The credential goes back, encoded the same
// way, in the form's hidden input named "credential", and the form is submitted.
// data-webauthn-error and data-webauthn-unsupported name elements (hidden) to reveal when
// the browser refuses or offers no WebAuthn at all; the button stays hidden in that case.
(function () {
  "use strict";

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBufferIds(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: toBuffer(c.id) });
    });
  }

  function creationOptions(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = toBuffer(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: toBuffer(pk.user.id) });
    pk.excludeCredentials = withBufferIds(pk.excludeCredentials);
    return { publicKey: pk };
  }

  function requestOptions(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = toBuffer(pk.challenge);
    pk.allowCredentials = withBufferIds(pk.allowCredentials);
    return { publicKey: pk };
  }

  function credentialJson(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (typeof r.getTransports === "function") response.transports = r.getTransports();
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = toText(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: response,
    };
  }

  function reveal(id) {
    var element = id && document.getElementById(id);
    if (element) element.hidden = false;
  }

  function setUp(button) {
    var mode = button.dataset.webauthn;
    var supported =
      window.isSecureContext && !!window.PublicKeyCredential && !!navigator.credentials;
    if (!supported) {
      reveal(button.dataset.webauthnUnsupported);
      return;
    }
    var form = button.form;
    button.hidden = false;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var data = JSON.parse(document.getElementById(button.dataset.webauthnOptions).textContent);
      var asked =
        mode === "create"
          ? navigator.credentials.create(creationOptions(data.creation_options))
          : navigator.credentials.get(requestOptions(data.request_options));
      button.disabled = true;
      asked
        .then(function (credential) {
          form.querySelector("input[name=credential]").value = JSON.stringify(
            credentialJson(credential)
          );
          form.submit();
        })
        .catch(function () {
          button.disabled = false;
          reveal(button.dataset.webauthnError);
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-webauthn]").forEach(setUp);
  });
})();
