// Progressive enhancement only: every page works without this script.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

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
