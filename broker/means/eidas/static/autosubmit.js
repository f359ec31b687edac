// Submits the page's SAML HTTP-POST form once it is loaded (SAML Bindings §3.5.4).
// The form has a visible button as well, so the page works without scripts.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form && !form.dataset.submitted) {
    form.dataset.submitted = "1";
    form.submit();
  }
});
