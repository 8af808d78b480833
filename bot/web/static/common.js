// What every page shares: the API client (Telegram's initData, a development token or
// nothing), the translated strings from /api/me, the Telegram theme as CSS variables,
// the page header, and small DOM and formatting helpers. No English lives here: every
// text a person reads comes from the server's gettext catalogs (bot/web/strings.py).
import { tg } from "./tg.js";

const DEV_KEY = "takas.dev";
const query = new URLSearchParams(location.search);
let strings = {};
export let language = "en";

function devToken() {
  const given = query.get("dev");
  if (given) {
    try { sessionStorage.setItem(DEV_KEY, given); } catch { /* private mode */ }
    return given;
  }
  try { return sessionStorage.getItem(DEV_KEY); } catch { return null; }
}

export function authHeader() {
  if (tg.initData) return { Authorization: `tma ${tg.initData}` };
  const token = devToken();
  return token ? { Authorization: `dev ${token}` } : {};
}

export class ApiError extends Error {
  constructor(status, code, body) {
    super(code || String(status));
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// JSON in, JSON out; a non-2xx answer raises ApiError with the contract's error code.
// Once the page's language is known, every call asks for it (`?lang=`), so what the server
// words itself (an entry's status, a playlist's title) speaks the language the page does.
let languageKnown = false;

function inLanguage(path) {
  if (!languageKnown || /[?&]lang=/.test(path)) return path;
  return `${path}${path.includes("?") ? "&" : "?"}lang=${encodeURIComponent(language)}`;
}

export async function api(path, { method = "GET", body, auth = true } = {}) {
  const headers = auth ? authHeader() : {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(inLanguage(path), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data && data.error, data);
  return data;
}

// The translation of `key`, its {placeholders} filled with `values`. A missing key shows
// itself: a gap is then visible (and caught by the browser tests), never silent English.
export function t(key, values = {}) {
  const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function useStrings(given, lang) {
  strings = given || {};
  language = lang || "en";
  languageKnown = Boolean(lang);
  document.documentElement.lang = language;
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-label]")) {
    node.setAttribute("aria-label", t(node.dataset.tLabel));
  }
  for (const node of document.querySelectorAll("[data-t-placeholder]")) {
    node.setAttribute("placeholder", t(node.dataset.tPlaceholder));
  }
  if (document.body.dataset.title) document.title = t(document.body.dataset.title);
}

export function requestedLanguage() {
  return query.get("lang") || "";
}

// Element builder: el("p", {class: "x", text: "..."}, child, ...). Text is always set as
// text, never parsed as HTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

// replaceChildren without the empty places (null, false) conditional parts leave.
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function formatDate(iso, withTime = false) {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  const options = withTime
    ? { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Vilnius" }
    : { dateStyle: "medium" };
  try { return new Intl.DateTimeFormat(language, options).format(date); } catch { return iso; }
}

export function formatNumber(value, digits = 1) {
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(value);
}

export function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(language, { style: "currency", currency: currency || "EUR" })
      .format(amount);
  } catch { return `${amount} ${currency || ""}`.trim(); }
}

// A polite live region: what a sighted person sees change is also read out.
export function announce(text) {
  const region = document.getElementById("status");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

// ---- Theme: Telegram's colours when inside Telegram, the system's light or dark elsewhere.

function luminance(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return null;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(m[1].slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)];
  if (x === null || y === null) return 21;
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

const THEME = {
  bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
  button_color: "--button", button_text_color: "--button-text",
  secondary_bg_color: "--bg2", section_bg_color: "--section", destructive_text_color: "--danger",
};

export function applyTheme(params) {
  const root = document.documentElement.style;
  const given = params || {};
  if (!given.bg_color) return;
  for (const [name, variable] of Object.entries(THEME)) {
    if (given[name]) root.setProperty(variable, given[name]);
  }
  const dark = (luminance(given.bg_color) ?? 1) < 0.2;
  document.documentElement.dataset.scheme = dark ? "dark" : "light";
  // WCAG AA: a client's hint or link colour too faint on its background gives way to the
  // text colour (hints) or to the page's own link colour for that scheme.
  if (given.hint_color && contrast(given.hint_color, given.bg_color) < 4.5) {
    root.setProperty("--hint", given.text_color || "");
  }
  if (given.link_color && contrast(given.link_color, given.bg_color) < 4.5) {
    root.removeProperty("--link");
  }
  if (given.button_color && given.button_text_color
      && contrast(given.button_color, given.button_text_color) < 4.5) {
    root.removeProperty("--button");
    root.removeProperty("--button-text");
  }
}

// ---- The header: the pages a person may open, the current one marked.

export function header(me, current) {
  const nav = document.getElementById("nav");
  if (!nav) return;
  const pages = [["map", "/app/", "nav.map"], ["profile", "/app/profile", "nav.profile"]];
  if ((me.roles || []).includes("organizer") || (me.roles || []).includes("admin")) {
    pages.push(["organizer", "/app/organizer", "nav.organizer"]);
  }
  nav.replaceChildren(...pages.map(([name, href, key]) => el("a", {
    href: withLanguage(href), "aria-current": name === current ? "page" : null, text: t(key),
  })));
}

export function withLanguage(href) {
  const lang = requestedLanguage();
  return lang ? `${href}?lang=${encodeURIComponent(lang)}` : href;
}

// Only for a page that could not load its strings at all (no Telegram, no development
// login): the one place English stands in the code, as the last resort.
const FALLBACK = {
  "state.unauthorized": "Open this page from the Takas bot in Telegram.",
  "state.error": "Something went wrong. Please try again.",
  "shared.gone": "This link has expired or was revoked.",
  "shared.unknown": "This link is not valid.",
};
// The contract's error codes and statuses, and the string that tells a person each.
const BY_CODE = { already_decided: "org.already", full_name_needed: "profile.full_name_needed",
                  follows_full: "item.follows_full", gone: "shared.gone" };
const BY_STATUS = { 401: "state.unauthorized", 403: "error.forbidden", 404: "error.not_found",
                    410: "shared.gone", 429: "state.slow_down" };

export function showError(error, overrides = {}) {
  const box = document.getElementById("error");
  if (!box) return;
  if (error instanceof ApiError && error.body && error.body.strings
      && !Object.keys(strings).length) {
    useStrings(error.body.strings, error.body.language);
  }
  let key = "state.error";
  if (error instanceof ApiError) {
    key = overrides[error.status] || BY_CODE[error.code] || BY_STATUS[error.status] || key;
  }
  else if (error instanceof TypeError) key = "state.offline";  // fetch could not connect
  const known = Object.prototype.hasOwnProperty.call(strings, key);
  box.textContent = known ? t(key) : FALLBACK[key] || FALLBACK["state.error"];
  box.hidden = false;
}

// Every page starts here: theme, Telegram's ready signal, /api/me (strings, roles).
export async function start(current) {
  applyTheme(tg.theme);
  tg.onThemeChanged(applyTheme);
  tg.ready();
  const lang = requestedLanguage();
  const me = await api(`/api/me${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`);
  useStrings(me.strings, me.user && me.user.language);
  header(me, current);
  return me;
}

export { tg };
