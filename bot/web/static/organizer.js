// The organizer's page: the verification queue (approve, reject with a reason) and the
// reports of their organisations to download.
import { announce, api, el, fill, formatDate, formatNumber, showError, start, t, tg } from "./common.js";

const REASONS = ["absent", "hours", "organisation", "evidence"];

function schoolYear(now = new Date()) {
  return now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1;
}

async function decide(entry, action, reason, row) {
  for (const button of row.querySelectorAll("button")) button.disabled = true;
  try {
    await api(`/api/pending/${encodeURIComponent(entry.id)}`, { method: "POST",
      body: reason ? { action, reason } : { action } });
    row.remove();
    announce(`${t(action === "approve" ? "org.approved" : "org.rejected")} ${entry.pupil}`);
    const left = document.querySelectorAll("#queue > li").length;
    document.getElementById("queue-empty").hidden = left > 0;
  } catch (error) {
    showError(error);
    for (const button of row.querySelectorAll("button")) button.disabled = false;
  }
}

function askReason(entry, row) {
  const dialog = document.getElementById("reject");
  const body = document.getElementById("reject-body");
  const choices = REASONS.map((reason, index) => el("label", { class: "choice" },
    el("input", { type: "radio", name: "reason", value: reason, checked: index === 0 }),
    el("span", { text: t(`reason.${reason}`) })));
  fill(body,
    el("h2", { id: "reject-title", text: `${t("org.reject")}: ${entry.pupil}` }),
    el("fieldset", {}, el("legend", { text: t("org.reason") }), ...choices),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "danger", text: t("org.reject"), onclick: () => {
        const chosen = body.querySelector("input[name=reason]:checked");
        dialog.close();
        decide(entry, "reject", chosen ? chosen.value : "evidence", row);
      } }),
      el("button", { type: "button", class: "secondary", text: t("action.cancel"), onclick: () => dialog.close() })));
  dialog.showModal();
}

function pendingRow(entry) {
  const row = el("li", { class: "panel", "data-entry": entry.id });
  fill(row,
    el("h3", { text: [entry.pupil, entry.class ? t("org.class", { name: entry.class }) : ""].filter(Boolean).join(" · ") }),
    el("p", { text: [entry.activity, t("profile.hours", { hours: formatNumber(entry.hours) }),
                     formatDate(entry.date)].join(" · ") }),
    el("p", { class: "hint", text: entry.organisation }),
    entry.note ? el("p", { class: "description", text: `${t("org.note")}: ${entry.note}` }) : null,
    entry.has_photo ? el("p", { class: "hint", text: t("org.photo") }) : null,
    el("div", { class: "actions" },
      el("button", { type: "button", text: t("org.approve"),
                     "aria-label": `${t("org.approve")}: ${entry.pupil}, ${entry.activity}`,
                     onclick: () => decide(entry, "approve", null, row) }),
      el("button", { type: "button", class: "danger", text: t("org.reject"),
                     "aria-label": `${t("org.reject")}: ${entry.pupil}, ${entry.activity}`,
                     onclick: () => askReason(entry, row) })));
  return row;
}

async function report(org, format, year, klass) {
  const query = new URLSearchParams({ year });
  if (klass) query.set("class", klass);
  const signed = await api("/api/sign", { method: "POST",
    body: { path: `/api/reports/${org.id}.${format}?${query}` } });
  const fileName = `takas-${org.id}-${year}.${format}`;
  if (tg.downloadFile(signed.url, fileName)) return;
  const link = el("a", { href: signed.url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
}

function reports(me) {
  const now = schoolYear();
  return (me.organisations || []).map((org) => {
    const yearId = `year-${org.id}`;
    const classId = `class-${org.id}`;
    const year = el("select", { id: yearId }, [now, now - 1, now - 2].map((y) => el("option", {
      value: y, text: `${y}–${y + 1}` })));
    const klass = el("input", { id: classId, type: "text", maxlength: 20, autocomplete: "off" });
    const run = (format) => (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      report(org, format, year.value, klass.value.trim()).catch(showError)
        .finally(() => { button.disabled = false; });
    };
    return el("div", { class: "panel", "data-org": org.id },
      el("h3", { text: org.name }),
      el("div", { class: "row" },
        el("label", { for: yearId }, el("span", { text: t("org.year") }), year),
        org.is_school ? el("label", { for: classId }, el("span", { text: t("org.class_filter") }), klass) : null,
        el("button", { type: "button", class: "secondary", text: t("org.csv"), onclick: run("csv") }),
        el("button", { type: "button", class: "secondary", text: t("org.pdf"), onclick: run("pdf") })));
  });
}

async function main() {
  try {
    const me = await start("organizer");
    const data = await api("/api/pending");
    const content = document.getElementById("content");
    fill(content,
      el("h1", { text: t("org.title") }),
      el("section", { class: "card", "aria-label": t("org.title") },
        el("p", { id: "queue-empty", class: "hint", hidden: data.entries.length > 0, text: t("org.nothing") }),
        el("ol", { id: "queue", class: "plain queue" }, data.entries.map(pendingRow))),
      el("section", { class: "card", "aria-labelledby": "reports-h" },
        el("h2", { id: "reports-h", text: t("org.reports") }),
        ...reports(me)));
    document.body.dataset.ready = "1";
  } catch (error) {
    showError(error);
  }
}

main();
