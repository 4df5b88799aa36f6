// Progressive enhancement only: every page works without this script.
import {
  Accordion,
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  FileUpload,
  Header,
  NotificationBanner,
  PasswordInput,
  ServiceNavigation,
  SkipLink,
  Tabs,
  createAll,
} from "/static/govuk/govuk-frontend.min.js";
import { initFollowUps } from "/static/js/follow-ups.js";

// Every govuk-frontend component but Radios, whose only work is conditional questions: those are
// shown and hidden by follow-ups.js (it says why).
for (const Component of [
  Accordion,
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  FileUpload,
  Header,
  NotificationBanner,
  PasswordInput,
  ServiceNavigation,
  SkipLink,
  Tabs,
]) {
  createAll(Component);
}
initFollowUps();
