// The map page: opportunities in the visible area as clustered markers and as a list that
// follows the map; search, filter chips, an item card (calendar, follow) and "near me".
import {
  announce, api, el, fill, formatDate, formatMoney, showError, start, t, tg,
} from "./common.js";

const L = window.L;
const state = { q: "", kind: "", free: false, online: false, from: "", to: "", language: "" };
const BALTICS = [[53.9, 20.9], [59.7, 28.3]];  // Lithuania, Latvia, Estonia: an empty catalog's view
let map;
let cluster;
let serverClusters;
let meMarker = null;
let sequence = 0;
let timer = null;

function params() {
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85),
                clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)]
    .map((v) => v.toFixed(5)).join(",");
  const query = new URLSearchParams({ bbox, zoom: String(map.getZoom()), limit: "200" });
  if (state.q) query.set("q", state.q);
  if (state.kind) query.set("kind", state.kind);
  if (state.free) query.set("free", "1");
  if (state.online) query.set("online", "1");
  if (state.from) query.set("from", state.from);
  if (state.to) query.set("to", state.to);
  if (state.language) query.set("language", state.language);
  return query;
}

function when(item) {
  if (!item.start) return "";
  const first = formatDate(item.start, true);
  if (!item.end || item.end.slice(0, 10) === item.start.slice(0, 10)) return first;
  return `${first} – ${formatDate(item.end, true)}`;
}

function pin(item) {
  const classes = ["pin", item.kind || "course", item.approximate ? "approx" : ""].join(" ");
  const title = item.approximate
    ? t("map.marker_approximate", { title: item.title, town: item.town || "" }) : item.title;
  const marker = L.marker([item.lat, item.lon], {
    icon: L.divIcon({ className: "pin-wrap", html: `<div class="${classes}"></div>`,
                      iconSize: [22, 22], iconAnchor: [11, 27] }),
    title, keyboard: true, riseOnHover: true,
  });
  marker.on("click", () => openCard(item.id));
  return marker;
}

function clusterIcon(group) {
  const count = group.getChildCount();
  const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
  return L.divIcon({
    html: `<div><span aria-hidden="true">${count}</span>`
      + `<span class="visually-hidden">${escapeHtml(t("map.cluster", { count }))}</span></div>`,
    className: `marker-cluster marker-cluster-${size}`, iconSize: L.point(40, 40),
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function serverCluster(group) {
  const diameter = Math.min(70, 30 + 8 * Math.log10(group.count + 1) * 3);
  const marker = L.marker([group.lat, group.lon], {
    icon: L.divIcon({ className: "server-cluster",
                      html: `<span aria-hidden="true">${group.count}</span>`,
                      iconSize: [diameter, diameter] }),
    title: t("map.cluster", { count: group.count }), keyboard: true,
  });
  marker.on("click", () => {
    if (group.bbox) map.fitBounds([[group.bbox[1], group.bbox[0]], [group.bbox[3], group.bbox[2]]]);
    else map.setView([group.lat, group.lon], map.getZoom() + 2);
  });
  return marker;
}

function listItem(item) {
  const meta = [when(item), item.online ? t("map.online") : "",
                item.town ? (item.approximate ? t("map.town_centre", { town: item.town }) : item.town) : "",
                item.provider || ""].filter(Boolean).join(" · ");
  return el("li", {},
    el("button", { type: "button", class: "result", "data-id": item.id,
                   onclick: () => openCard(item.id) },
      el("strong", { text: item.title }),
      el("span", { class: "meta", text: `${t(`map.kind.${item.kind || "course"}`)} · ${meta}` }),
      item.free ? el("span", { class: "meta", text: t("map.free") }) : null));
}

// The list shows a phone-sized page of items at a time; "Show more" adds the next.
const PAGE = 20;

function showList(items, shown = PAGE) {
  const list = document.getElementById("list");
  fill(list, items.slice(0, shown).map(listItem));
  const more = document.getElementById("more-items");
  more.hidden = items.length <= shown;
  more.onclick = () => {
    showList(items, shown + PAGE);
    const next = list.children[shown];
    if (next) next.querySelector("button").focus();  // where the new items begin
  };
}

function render(data) {
  cluster.clearLayers();
  serverClusters.clearLayers();
  const placed = data.items.filter((item) => typeof item.lat === "number" && typeof item.lon === "number");
  if (data.clustered) {
    serverClusters.addLayer(L.layerGroup(data.clusters.map(serverCluster)));
  } else {
    cluster.addLayers(placed.map(pin));
  }
  const box = document.getElementById("map");
  box.dataset.total = String(data.total);
  box.dataset.markers = String(data.clustered ? 0 : placed.length);
  showList(data.items);
  const summary = data.total === 0 ? t("map.nothing")
    : data.items.length < data.total ? t("map.more", { count: data.total })
    : t("map.count", { count: data.total });
  document.getElementById("summary").textContent = summary;
  const unplaced = document.getElementById("unplaced");
  unplaced.hidden = !data.unplaced;
  unplaced.textContent = data.unplaced ? t("map.unplaced", { count: data.unplaced }) : "";
  document.body.dataset.loaded = String(sequence);
  return summary;
}

async function load(say = false) {
  const mine = ++sequence;
  document.body.dataset.loading = "1";
  try {
    const data = await api(`/api/map?${params()}`);
    if (mine !== sequence) return;
    const summary = render(data);
    if (say) announce(summary);
  } catch (error) {
    if (mine === sequence) showError(error);
  } finally {
    if (mine === sequence) delete document.body.dataset.loading;
  }
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(() => load(false), 250);
}

// ---- The item card

function fact(label, value) {
  return value ? [el("dt", { text: label }), el("dd", { text: value })] : [];
}

function priceText(item) {
  if (item.free) return t("item.free");
  if (typeof item.price === "number") return formatMoney(item.price, item.currency);
  return t("item.price_unknown");
}

async function openCard(id) {
  const dialog = document.getElementById("card");
  let item;
  try { item = await api(`/api/items/${encodeURIComponent(id)}`); } catch (error) {
    showError(error);
    return;
  }
  const place = [item.online ? t("item.online") : "", item.town || ""].filter(Boolean).join(", ");
  const body = document.getElementById("card-body");
  const follow = item.follow
    ? el("button", { type: "button", class: "secondary", id: "follow",
                     "aria-pressed": String(Boolean(item.following)),
                     onclick: (event) => toggleFollow(item, event.currentTarget) })
    : null;
  if (follow) followLabel(follow, item);
  fill(body,
    el("button", { type: "button", class: "secondary close", "aria-label": t("action.close"),
                   onclick: () => dialog.close(), text: "✕" }),
    el("h2", { id: "card-title", text: item.title }),
    el("dl", { class: "facts" },
      ...fact(t("item.kind"), t(`map.kind.${item.kind || "course"}`)),
      ...fact(t("item.when"), when(item)),
      ...fact(t("item.where"), place),
      ...fact(t("item.price"), priceText(item)),
      ...fact(t("item.provider"), item.provider),
      ...fact(t("item.languages"), (item.languages || []).join(", ").toUpperCase())),
    item.approximate ? el("p", { class: "badge-approx", text: t("map.approximate") }) : null,
    item.description ? el("p", { class: "description", text: item.description }) : null,
    el("div", { class: "actions" },
      item.url ? el("a", { class: "button", href: item.url, target: "_blank",
                           rel: "noopener noreferrer", text: t("item.open"),
                           onclick: (event) => { if (tg.openLink(item.url)) event.preventDefault(); },
                         }) : null,
      item.calendar_url ? calendarLink(item) : null,
      follow));
  if (!dialog.open) dialog.showModal();
}

function calendarLink(item) {
  const link = el("a", { class: "button secondary", href: item.calendar_url,
                         download: `takas-${item.id}.ics`, text: t("item.calendar") });
  link.addEventListener("click", (event) => {
    if (tg.downloadFile(item.calendar_url, `takas-${item.id}.ics`)) event.preventDefault();
  });
  return link;
}

function followLabel(button, item) {
  const follow = item.follow.provider ? t("item.follow") : t("item.follow_town");
  button.textContent = item.following ? `✓ ${t("item.following")} · ${t("item.unfollow")}` : follow;
  button.setAttribute("aria-pressed", String(Boolean(item.following)));
}

async function toggleFollow(item, button) {
  button.disabled = true;
  try {
    const result = await api("/api/follow", { method: item.following ? "DELETE" : "POST",
                                              body: { item: item.id } });
    item.following = result.following;
    followLabel(button, item);
    announce(result.following ? t("item.followed") : t("item.unfollowed"));
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// ---- Controls

function bindControls(me) {
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = document.getElementById("q").value.trim();
    load(true);
  });
  for (const chip of document.querySelectorAll(".chip[data-kind]")) {
    chip.addEventListener("click", () => {
      state.kind = state.kind === chip.dataset.kind ? "" : chip.dataset.kind;
      for (const other of document.querySelectorAll(".chip[data-kind]")) {
        other.setAttribute("aria-pressed", String(other.dataset.kind === state.kind));
      }
      load(true);
    });
  }
  for (const chip of document.querySelectorAll(".chip[data-flag]")) {
    chip.addEventListener("click", () => {
      state[chip.dataset.flag] = !state[chip.dataset.flag];
      chip.setAttribute("aria-pressed", String(state[chip.dataset.flag]));
      load(true);
    });
  }
  const toggle = document.getElementById("dates-toggle");
  toggle.addEventListener("click", () => {
    const more = document.getElementById("more");
    more.hidden = !more.hidden;
    toggle.setAttribute("aria-expanded", String(!more.hidden));
  });
  const select = document.getElementById("language");
  for (const language of me.languages || []) {
    select.append(el("option", { value: language.code, text: language.name }));
  }
  for (const id of ["from", "to", "language"]) {
    document.getElementById(id).addEventListener("change", (event) => {
      state[id] = event.target.value;
      load(true);
    });
  }
  document.getElementById("clear").addEventListener("click", () => {
    Object.assign(state, { kind: "", free: false, online: false, from: "", to: "", language: "" });
    for (const chip of document.querySelectorAll(".chip[aria-pressed]")) {
      chip.setAttribute("aria-pressed", "false");
    }
    for (const id of ["from", "to", "language"]) document.getElementById(id).value = "";
    load(true);
  });
  const near = document.getElementById("near");
  near.addEventListener("click", async () => {
    near.disabled = true;
    announce(t("state.loading"));
    const place = await tg.requestLocation();
    near.disabled = false;
    if (!place) { announce(t("map.near_me_denied")); return; }
    if (meMarker) meMarker.remove();
    meMarker = L.marker([place.lat, place.lon], {
      icon: L.divIcon({ className: "", html: '<div class="me-dot"></div>', iconSize: [16, 16] }),
      title: t("map.you_are_here"), keyboard: false, interactive: false,
    }).addTo(map);
    map.setView([place.lat, place.lon], 12);
    announce(t("map.you_are_here"));
  });
}

// The first view shows the whole catalog: one coarse request for the world, then the map
// fits what it found (clusters or items).
async function fitCatalog() {
  try {
    const data = await api("/api/map?bbox=-180,-85,180,85&zoom=3&limit=1");
    const corners = data.clusters.filter((c) => c.bbox)
      .flatMap((c) => [[c.bbox[1], c.bbox[0]], [c.bbox[3], c.bbox[2]]]);
    const points = [...data.clusters, ...data.items]
      .filter((p) => typeof p.lat === "number" && typeof p.lon === "number")
      .map((p) => [p.lat, p.lon]).concat(corners);
    if (points.length) {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 12, animate: false });
    }
  } catch { /* the default view stays; load() reports errors */ }
}

async function main() {
  let me;
  try { me = await start("map"); } catch (error) { showError(error); return; }
  const config = me.config || {};
  map = L.map("map", { zoomControl: true, keyboard: true, worldCopyJump: false });
  map.attributionControl.setPrefix(false);
  L.tileLayer(config.tile_url || "https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: config.tile_attribution
      || '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45,
                                   iconCreateFunction: clusterIcon });
  serverClusters = L.layerGroup();
  map.addLayer(cluster);
  map.addLayer(serverClusters);
  map.fitBounds(BALTICS);
  await fitCatalog();
  map.on("moveend", soon);
  bindControls(me);
  await load(false);
}

main();
