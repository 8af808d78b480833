// A pupil's e-profile opened through their read-only link: no Telegram, no login; the
// token in the address is the only key, and the server answers 410 once it is revoked.
import { api, applyTheme, requestedLanguage, showError, useStrings } from "./common.js";
import { renderProfile } from "./profile-view.js";

async function main() {
  applyTheme({});
  const token = location.pathname.split("/").filter(Boolean).pop();
  const lang = requestedLanguage();
  try {
    const profile = await api(`/api/shared/${encodeURIComponent(token)}${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`,
                              { auth: false });
    useStrings(profile.strings, profile.language);
    renderProfile(profile, { own: false });
  } catch (error) {
    showError(error, { 404: "shared.unknown" });
  }
}

main();
