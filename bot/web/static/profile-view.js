// The e-profile as the pupil sees it (profile.html) and as a parent or teacher sees it
// through a read-only link (shared.html): hours against the target, entries, badges,
// playlists, certificates, earlier years. Sharing controls only where `own` is true.
import { ApiError, announce, api, el, fill, formatDate, formatNumber, showError, t, tg } from "./common.js";

const W = 360;

function hours(value) {
  return t("profile.hours", { hours: formatNumber(value || 0) });
}

// "Label: value", the page's one way of joining a translated label to a value.
function labelled(key, value) {
  return `${t(key)}: ${value}`;
}

// Plain inline SVG: approved hours, then pending, on a bar to the target (or to what was
// done when there is no target). A person who cannot see it reads the same in its <title>
// and in the sentence below it.
export function chart(profile) {
  const approved = profile.approved || 0;
  const pending = profile.pending || 0;
  const target = profile.target || 0;
  const scale = Math.max(target, approved + pending, 1) * 1.08;
  const x = (value) => Math.round((value / scale) * (W - 20)) + 10;
  const summary = [
    target ? t("profile.of_target", { approved: formatNumber(approved), target: formatNumber(target) })
           : labelled("profile.approved", hours(approved)),
    labelled("profile.pending", hours(pending))].join("; ");
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const node = (tag, attrs, text) => {
    const child = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) child.setAttribute(k, String(v));
    if (text !== undefined) child.textContent = text;
    svg.append(child);
    return child;
  };
  svg.setAttribute("viewBox", `0 0 ${W} 80`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "chart-title");
  node("title", { id: "chart-title" }, summary);
  node("rect", { class: "rest", x: 10, y: 34, width: W - 20, height: 34, rx: 6 });
  if (approved > 0) node("rect", { class: "approved", x: 10, y: 34, width: x(approved) - 10, height: 34, rx: 6 });
  if (pending > 0) {
    node("rect", { class: "pending", x: x(approved), y: 34, width: x(approved + pending) - x(approved),
                   height: 34 });
  }
  if (target) {
    node("line", { class: "target", x1: x(target), x2: x(target), y1: 24, y2: 78 });
    const anchor = x(target) > W * 0.7 ? "end" : "start";
    node("text", { x: x(target) + (anchor === "end" ? -6 : 6), y: 20, "text-anchor": anchor },
         labelled("profile.target", hours(target)));
  }
  return [el("div", { class: "chart" }, svg),
          el("p", { class: "key" },
            el("span", { class: "k-approved", text: labelled("profile.approved", hours(approved)) }),
            el("span", { class: "k-pending", text: labelled("profile.pending", hours(pending)) })),
          el("p", { id: "hours-summary", text: summary })];
}

function section(id, headingKey, ...children) {
  return el("section", { class: "card", id, "aria-labelledby": `${id}-h` },
    el("h2", { id: `${id}-h`, text: t(headingKey) }), ...children);
}

function entries(profile) {
  if (!profile.entries || !profile.entries.length) return el("p", { class: "hint", text: t("profile.no_entries") });
  return el("div", { class: "table-wrap" }, el("table", {},
    el("caption", { class: "visually-hidden", text: t("profile.entries") }),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: t("profile.col_date") }),
      el("th", { scope: "col", text: t("profile.col_activity") }),
      el("th", { scope: "col", class: "num", text: t("profile.col_hours") }),
      el("th", { scope: "col", text: t("profile.col_status") }))),
    el("tbody", {}, profile.entries.map((entry) => el("tr", { "data-status": entry.status },
      el("td", { class: "date", text: formatDate(entry.date) }),
      el("td", {}, el("span", { text: entry.activity }),
        entry.organisation ? el("span", { class: "hint", text: ` · ${entry.organisation}` }) : null),
      el("td", { class: "num", text: formatNumber(entry.hours) }),
      el("td", { class: `status-${entry.status}` }, entry.status_text || t(`profile.entry.${entry.status}`),
        entry.reason ? el("div", { class: "hint", text: entry.reason }) : null))))));
}

function download(url, fileName) {
  if (tg.downloadFile(url, fileName)) return;
  const link = el("a", { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
}

async function shareBadge(badge, own) {
  const name = badge.name;
  try {
    const blob = await (await fetch(badge.image_url)).blob();
    const file = new File([blob], `${badge.name}.png`, { type: "image/png" });
    if (navigator.canShare && navigator.canShare({ files: [file] })) {
      await navigator.share({ files: [file], title: badge.name, text: name });
      return;
    }
  } catch { /* no file sharing here: a link instead */ }
  if (!own) return;
  const share = await api("/api/share", { method: "POST", body: { days: 30 } });
  if (tg.shareLink(share.url, name)) return;
  if (navigator.share) {
    try { await navigator.share({ url: share.url, title: badge.name, text: name }); return; } catch { /* closed */ }
  }
  await navigator.clipboard.writeText(share.url).catch(() => {});
  announce(t("share.copied"));
  const event = new CustomEvent("takas:shares-changed");
  document.dispatchEvent(event);
}

function viewBadge(badge) {
  const dialog = document.getElementById("viewer");
  const body = document.getElementById("viewer-body");
  fill(body,
    el("button", { type: "button", class: "secondary close", "aria-label": t("action.close"),
                   onclick: () => dialog.close(), text: "✕" }),
    el("h2", { id: "viewer-title", text: badge.name }),
    el("div", { class: "badge-view" }, el("img", { src: badge.image_url, alt: badge.name })),
    el("p", { class: "hint", text: [badge.organisation, t("profile.badge.issued", { date: formatDate(badge.issued) })].filter(Boolean).join(" · ") }),
    el("div", { class: "actions" },
      el("button", { type: "button", onclick: () => download(badge.image_url, `${badge.name}.png`),
                     text: t("profile.badge.download") })));
  dialog.showModal();
}

function badges(profile, own) {
  if (!profile.badges || !profile.badges.length) return el("p", { class: "hint", text: t("profile.no_badges") });
  return el("ul", { class: "badges" }, profile.badges.map((badge) => el("li", { "data-badge": badge.id },
    el("img", { src: badge.image_url, alt: badge.name, width: 96, height: 96, loading: "lazy" }),
    el("strong", { text: badge.name }),
    el("span", { class: "hint", text: [badge.organisation, t("profile.badge.issued", { date: formatDate(badge.issued) })].filter(Boolean).join(" · ") }),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => viewBadge(badge),
                     "aria-label": labelled("profile.badge.view", badge.name), text: t("profile.badge.view") }),
      el("button", { type: "button", class: "secondary",
                     onclick: () => download(badge.image_url, `${badge.name}.png`),
                     "aria-label": labelled("profile.badge.download", badge.name),
                     text: t("profile.badge.download") }),
      own ? el("button", { type: "button", class: "secondary",
                           onclick: () => shareBadge(badge, own).catch(showError),
                           "aria-label": labelled("profile.badge.share", badge.name),
                           text: t("profile.badge.share") }) : null))));
}

function playlists(profile) {
  if (!profile.playlists || !profile.playlists.length) return el("p", { class: "hint", text: t("profile.no_playlists") });
  return el("ul", { class: "plain" }, profile.playlists.map((list, index) => {
    const label = `playlist-${index}`;
    return el("li", {},
      el("div", { id: label, text: list.title }),
      el("progress", { max: list.total || 1, value: list.done || 0, "aria-labelledby": label }),
      el("span", { class: "hint", text: t("profile.playlist.progress", { done: list.done, total: list.total }) }));
  }));
}

async function getCertificate(certificate, button) {
  button.disabled = true;
  try {
    const response = await fetch(certificate.url, { credentials: "omit" });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new ApiError(response.status, data && data.error, data);
    }
    const fileName = `takas-${certificate.year}.pdf`;
    if (!tg.downloadFile(certificate.url, fileName)) {
      const href = URL.createObjectURL(await response.blob());
      download(href, fileName);
      setTimeout(() => URL.revokeObjectURL(href), 60000);
    }
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

function certificates(profile) {
  if (!profile.certificates || !profile.certificates.length) {
    return el("p", { class: "hint", text: t("profile.no_certificates") });
  }
  return el("ul", { class: "plain" }, profile.certificates.map((certificate) => el("li", { class: "row" },
    el("span", { text: certificate.label || String(certificate.year) }),
    el("button", { type: "button", class: "secondary",
                   onclick: (event) => getCertificate(certificate, event.currentTarget),
                   text: t("profile.certificate.download", { label: certificate.label || certificate.year }) }))));
}

function years(profile) {
  const earlier = (profile.years || []).filter((year) => year.year !== profile.school_year);
  if (!earlier.length) return null;
  return section("years", "profile.earlier_years", el("table", {},
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: t("org.year") }),
      el("th", { scope: "col", class: "num", text: t("profile.approved") }),
      el("th", { scope: "col", class: "num", text: t("profile.pending") }))),
    el("tbody", {}, earlier.map((year) => el("tr", {},
      el("td", { text: year.label }), el("td", { class: "num", text: formatNumber(year.approved) }),
      el("td", { class: "num", text: formatNumber(year.pending) }))))));
}

export function renderProfile(profile, { own }) {
  const who = profile.user || {};
  const classes = (profile.classes || []).map((c) => t("profile.class", { school: c.school, name: c.class })).join("; ");
  const main = document.getElementById("content");
  fill(main,
    el("h1", { text: own ? t("profile.title") : t("shared.title", { name: who.full_name || who.first_name || "" }) }),
    el("p", { class: "hint" }, t("profile.school_year", { label: profile.school_year_label || "" }),
      classes ? ` · ${classes}` : ""),
    section("hours", "profile.chart",
      el("p", { class: `status-${profile.status}`, id: "status-line", text: t(`profile.status.${profile.status}`) }),
      ...chart(profile)),
    section("entries", "profile.entries", entries(profile)),
    section("badges", "profile.badges", badges(profile, own)),
    section("playlists", "profile.playlists", playlists(profile)),
    own ? section("certificates", "profile.certificates", certificates(profile)) : null,
    years(profile));
  document.body.dataset.ready = "1";
}
