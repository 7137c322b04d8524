/* Progressive enhancement only: every page works without this file. */
"use strict";
(function () {
  var doc = document;

  // Installable app: the service worker keeps an offline page, nothing personal.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* optional */ });
    });
  }

  // Live updates on the overview: a small JSON poll while the tab is visible. New calls or
  // leads are announced in a polite live region, with a link to reload the lists.
  var live = doc.querySelector("[data-live]");
  if (live && window.fetch) {
    var stamp = live.getAttribute("data-stamp");
    var status = live.querySelector(".live-status");
    var poll = function () {
      if (doc.hidden) return;
      fetch(live.getAttribute("data-live") + "?after=" + encodeURIComponent(stamp), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) return;
        if (data.calls || data.leads) {
          status.textContent = data.message + ".";
          live.classList.add("has-news");
        }
      }).catch(function () { /* offline: try again later */ });
    };
    window.setInterval(poll, window.TL_POLL_MS || 15000);
  }

  // Try a call: speak instead of typing where the browser can listen, and read replies aloud.
  var form = doc.querySelector("form[data-speech]");
  if (form) {
    var input = doc.getElementById(form.getAttribute("data-speech"));
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    var lang = doc.documentElement.lang || "en";
    if (Recognition && input) {
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = lang.indexOf("fr") === 0 ? "Parler" : "Speak";
      button.setAttribute("aria-describedby", input.id);
      button.addEventListener("click", function () {
        var rec = new Recognition();
        rec.lang = lang.indexOf("fr") === 0 ? "fr-CA" : "en-CA";
        rec.interimResults = false;
        rec.onresult = function (event) {
          input.value = event.results[0][0].transcript;
          form.submit();
        };
        rec.start();
      });
      form.appendChild(button);
    }
    if ("speechSynthesis" in window) {
      var key = "tradeline.readAloud";
      var wrap = doc.createElement("div");
      wrap.className = "check";
      var box = doc.createElement("input");
      box.type = "checkbox";
      box.id = "read-aloud";
      box.checked = window.localStorage.getItem(key) === "1";
      var label = doc.createElement("label");
      label.htmlFor = "read-aloud";
      label.textContent = lang.indexOf("fr") === 0 ? "Lire les réponses à voix haute" : "Read replies aloud";
      box.addEventListener("change", function () { window.localStorage.setItem(key, box.checked ? "1" : "0"); });
      wrap.appendChild(box);
      wrap.appendChild(label);
      form.parentNode.insertBefore(wrap, form.nextSibling);
      var last = doc.querySelector("#log li.last[data-say]");
      if (box.checked && last && /[?&]sent=1/.test(window.location.search)) {
        var words = new SpeechSynthesisUtterance(last.getAttribute("data-say"));
        words.lang = lang.indexOf("fr") === 0 ? "fr-CA" : "en-CA";
        window.speechSynthesis.speak(words);
      }
    }
  }

  // A table wider than the screen scrolls sideways: make that region reachable by keyboard.
  Array.prototype.forEach.call(doc.querySelectorAll(".scroll"), function (box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (caption) box.setAttribute("aria-label", caption.textContent.trim());
    }
  });

  // Keep the newest line of a conversation in view.
  var log = doc.querySelector("#log li.last");
  if (log && log.scrollIntoView) log.scrollIntoView({ block: "nearest" });
})();
