// Questions that follow an answer: shown once the answer they follow is given. Without this script
// every follow-up is shown, and the portal checks it only when its answer applies.
//
// Two kinds, both drawn by the portal:
// - GOV.UK conditional questions inside radios (govuk-radios__conditional): shown under the chosen
//   answer. Shown and hidden here rather than by govuk-frontend's Radios component, which also sets
//   aria-expanded on each radio: ARIA does not allow that attribute on a radio (axe refuses it),
//   and the follow-up comes straight after the answer it follows, so it is read next.
// - [data-follows="ID"]: a question that follows a box, such as "Is it safe for us to email you?"
//   after the email address, shown once that box has something in it.

function syncRadios(scope) {
  scope.querySelectorAll('input[type="radio"][aria-controls]').forEach((radio) => {
    const followUp = document.getElementById(radio.getAttribute("aria-controls"));
    if (followUp && followUp.classList.contains("govuk-radios__conditional")) {
      followUp.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
    }
  });
}

function initRadios(scope) {
  scope.querySelectorAll('input[type="radio"][data-aria-controls]').forEach((radio) => {
    radio.setAttribute("aria-controls", radio.dataset.ariaControls);
    radio.removeAttribute("data-aria-controls");
  });
  scope.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "radio") syncRadios(scope);
  });
  window.addEventListener("pageshow", () => syncRadios(scope));
  syncRadios(scope);
}

function initBoxes(scope) {
  scope.querySelectorAll("[data-follows]").forEach((question) => {
    const box = document.getElementById(question.dataset.follows);
    if (!box) return;
    const sync = () => {
      // A follow-up showing an error is never hidden: its box was filled in when it was sent.
      const hasError = question.querySelector(".govuk-form-group--error") !== null;
      question.hidden = box.value.trim() === "" && !hasError;
    };
    box.addEventListener("input", sync);
    window.addEventListener("pageshow", sync);
    sync();
  });
}

export function initFollowUps(scope = document) {
  initRadios(scope);
  initBoxes(scope);
}
