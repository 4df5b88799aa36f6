// Progressive enhancement only: every page works without this script.
import * as govuk from "/static/govuk/govuk-frontend.min.js";
import { initFollowUps } from "/static/js/follow-ups.js";

// Every govuk-frontend component but Radios, whose only work is conditional questions: those are
// shown and hidden by follow-ups.js (it says why).
for (const name of [
  "Accordion",
  "Button",
  "CharacterCount",
  "Checkboxes",
  "ErrorSummary",
  "ExitThisPage",
  "FileUpload",
  "Header",
  "NotificationBanner",
  "PasswordInput",
  "ServiceNavigation",
  "SkipLink",
  "Tabs",
]) {
  govuk.createAll(govuk[name]);
}
initFollowUps();

// The tasking agenda prints every case's details: open the closed ones for printing, and close
// them again afterwards (print CSS does the same in browsers that can style a closed details).
const closedForPrint = [];
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details.portal-agenda__more:not([open])")) {
    details.open = true;
    closedForPrint.push(details);
  }
});
window.addEventListener("afterprint", () => {
  for (const details of closedForPrint.splice(0)) {
    details.open = false;
  }
});
