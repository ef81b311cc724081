// Signing a petition's statement with an EDS through NCALayer, the NCA RK's program on the
// person's own computer, over its local WebSocket (module kz.gov.pki.knca.basics, method
// "sign", a CMS with the statement attached). The key never leaves the computer: the page
// gets back the CMS, puts it in the form and sends it; the server verifies everything.
// Without JavaScript the form still takes a signature pasted from another program.
(function () {
  "use strict";
  var form = document.getElementById("eds-sign-form");
  var button = document.getElementById("eds-sign-button");
  var status = document.getElementById("eds-status");
  if (!form || !button || !window.WebSocket) return;
  var data = form.dataset;
  button.hidden = false;

  function say(text) { status.textContent = text; }

  function request() {
    return JSON.stringify({
      module: "kz.gov.pki.knca.basics",
      method: "sign",
      args: {
        allowedStorages: null,
        format: "cms",
        data: data.statement,
        signingParams: { decode: true, encapsulate: true, digested: false },
        signerParams: { extKeyUsageOids: [] },
        locale: data.locale === "kk" ? "kk" : (data.locale === "en" ? "en" : "ru")
      }
    });
  }

  function resultOf(answer) {
    var body = answer.body || {};
    var result = body.result !== undefined ? body.result : answer.responseObject;
    return Array.isArray(result) ? result[0] : result;
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    say(data.labelConnecting);
    var socket;
    try {
      socket = new WebSocket(data.ncalayerUrl);
    } catch (e) {
      say(data.labelNoNcalayer);
      button.disabled = false;
      return;
    }
    var sent = false;
    socket.onerror = function () {
      if (!sent) say(data.labelNoNcalayer);
      button.disabled = false;
    };
    socket.onmessage = function (event) {
      if (event.data === "--heartbeat--") return;
      var answer;
      try { answer = JSON.parse(event.data); } catch (e) { return; }
      if (!sent) {  // NCALayer's greeting: {"result": {"version": ...}}
        sent = true;
        say(data.labelWaiting);
        socket.send(request());
        return;
      }
      socket.close();
      button.disabled = false;
      if (answer.status === true || answer.code === "200") {
        var cms = resultOf(answer);
        if (cms) {
          say(data.labelSending);
          form.elements.cms.value = cms;
          form.submit();
          return;
        }
      }
      if (answer.code === "500" && /cancel/i.test(answer.message || "") || answer.code === "USER_CANCELED") {
        say(data.labelCancelled);
      } else {
        say(data.labelFailed + " " + (answer.message || answer.code || ""));
      }
    };
  });
})();
