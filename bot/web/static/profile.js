// The pupil's own e-profile, and the read-only links they give a parent or teacher.
import { announce, api, el, formatDate, showError, start, t, tg } from "./common.js";
import { renderProfile } from "./profile-view.js";

async function copy(text) {
  try { await navigator.clipboard.writeText(text); announce(t("share.copied")); } catch {
    announce(text);
  }
}

function shareRow(share) {
  const state = share.active ? t("share.valid_until", { date: formatDate(share.expires) })
    : share.revoked ? t("share.revoked") : t("share.expired");
  return el("li", { class: "row", "data-share": share.id },
    el("span", {}, t("share.created", { date: formatDate(share.created) }),
      el("span", { class: "hint", text: ` · ${state}` })),
    share.active ? el("button", { type: "button", class: "danger", text: t("share.revoke"),
      "aria-label": `${t("share.revoke")}: ${t("share.created", { date: formatDate(share.created) })}`,
      onclick: async (event) => {
        event.currentTarget.disabled = true;
        try {
          await api(`/api/share/${encodeURIComponent(share.id)}`, { method: "DELETE" });
          announce(t("share.revoked"));
          await listShares();
        } catch (error) { showError(error); }
      } }) : null);
}

async function listShares() {
  const data = await api("/api/shares");
  const list = document.getElementById("share-list");
  list.replaceChildren(...data.shares.map(shareRow));
  document.getElementById("no-shares").hidden = data.shares.length > 0;
}

function sharing() {
  const days = el("select", { id: "share-days" },
    [7, 30, 90].map((n) => el("option", { value: n, selected: n === 30, text: t("share.days", { days: n }) })));
  const result = el("div", { id: "share-result", hidden: true });
  const create = el("button", { type: "button", id: "share-create", text: t("share.create"),
    onclick: async () => {
      create.disabled = true;
      try {
        const share = await api("/api/share", { method: "POST", body: { days: Number(days.value) } });
        result.hidden = false;
        result.replaceChildren(
          el("p", { text: t("share.valid_until", { date: formatDate(share.expires) }) }),
          el("p", { class: "share-url", text: share.url }),
          el("div", { class: "actions" },
            el("button", { type: "button", class: "secondary", text: t("share.copy"),
                           onclick: () => copy(share.url) }),
            tg.inside ? el("button", { type: "button", class: "secondary", text: t("share.send"),
                                       onclick: () => tg.shareLink(share.url, t("profile.title")) }) : null));
        announce(t("share.valid_until", { date: formatDate(share.expires) }));
        await listShares();
      } catch (error) { showError(error); } finally { create.disabled = false; }
    } });
  return el("section", { class: "card", id: "sharing", "aria-labelledby": "sharing-h" },
    el("h2", { id: "sharing-h", text: t("share.title") }),
    el("p", { class: "hint", text: t("share.explain") }),
    el("div", { class: "row" }, el("label", {}, el("span", { text: t("share.valid_for") }), days), create),
    result,
    el("p", { id: "no-shares", class: "hint", text: t("share.none") }),
    el("ul", { class: "plain", id: "share-list" }));
}

async function main() {
  try {
    await start("profile");
    const profile = await api("/api/profile");
    renderProfile(profile, { own: true });
    document.getElementById("content").append(sharing());
    document.addEventListener("takas:shares-changed", () => listShares().catch(showError));
    await listShares();
  } catch (error) {
    showError(error);
  }
}

main();
