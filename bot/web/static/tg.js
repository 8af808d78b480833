// The Telegram Mini App bridge the pages need, after Telegram's documented protocol
// (core.telegram.org/api/web-events and /bots/webapps): launch parameters arrive in the URL
// fragment (#tgWebAppData=...&tgWebAppThemeParams=...), the page calls the client through
// TelegramWebviewProxy.postEvent (mobile and desktop apps), window.external.notify or
// postMessage to the parent frame (web clients), and the client answers through
// window.Telegram.WebView.receiveEvent or postMessage. telegram-web-app.js is not vendored:
// telegram.org publishes it without a licence. When a deployment loads it anyway,
// window.Telegram.WebApp is used instead. Outside Telegram every call is a harmless no-op.

const KEY = "takas.tg.launch";
const listeners = new Map();

function launchParams() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("tgWebAppData")) {
    const found = {
      initData: hash.get("tgWebAppData"),
      version: hash.get("tgWebAppVersion") || "6.0",
      platform: hash.get("tgWebAppPlatform") || "unknown",
      theme: hash.get("tgWebAppThemeParams") || "{}",
    };
    // Moving between our pages drops the fragment; the session keeps what Telegram gave.
    try { sessionStorage.setItem(KEY, JSON.stringify(found)); } catch { /* private mode */ }
    return found;
  }
  try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch { return null; }
}

const official = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.initData
  ? window.Telegram.WebApp : null;
const launch = official
  ? { initData: official.initData, version: official.version, platform: official.platform,
      theme: JSON.stringify(official.themeParams || {}) }
  : launchParams();

function parseTheme(text) {
  try { return JSON.parse(text) || {}; } catch { return {}; }
}

function receive(type, data) {
  for (const callback of listeners.get(type) || []) callback(data || {});
}

if (!official) {
  window.Telegram = window.Telegram || {};
  const previous = window.Telegram.WebView && window.Telegram.WebView.receiveEvent;
  window.Telegram.WebView = Object.assign(window.Telegram.WebView || {}, {
    receiveEvent(type, data) { receive(type, data); if (previous) previous(type, data); },
  });
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || typeof event.data !== "string") return;
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message && message.eventType) receive(message.eventType, message.eventData);
  });
}

function postEvent(type, data = {}) {
  if (!launch) return;
  if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
    window.TelegramWebviewProxy.postEvent(type, JSON.stringify(data));
  } else if (window.external && "notify" in window.external) {
    window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
  } else if (window.parent !== window) {
    window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }),
                              "https://web.telegram.org");
  }
}

function once(type, timeoutMs) {
  return new Promise((resolve) => {
    const list = listeners.get(type) || [];
    const done = (data) => {
      listeners.set(type, (listeners.get(type) || []).filter((f) => f !== done));
      clearTimeout(timer);
      resolve(data);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    listeners.set(type, [...list, done]);
  });
}

function atLeast(version) {
  const have = String(launch ? launch.version : "0").split(".").map(Number);
  const want = version.split(".").map(Number);
  for (let i = 0; i < want.length; i += 1) {
    if ((have[i] || 0) !== want[i]) return (have[i] || 0) > want[i];
  }
  return true;
}

function browserLocation() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lat: position.coords.latitude, lon: position.coords.longitude }),
      () => resolve(null), { timeout: 15000, maximumAge: 300000 });
  });
}

export const tg = {
  inside: Boolean(launch),
  initData: launch ? launch.initData : "",
  theme: parseTheme(launch ? launch.theme : "{}"),
  colorScheme: official ? official.colorScheme : null,

  ready() {
    if (official) { official.ready(); official.expand(); return; }
    postEvent("web_app_ready");
    postEvent("web_app_expand");
  },

  onThemeChanged(callback) {
    if (official) {
      official.onEvent("themeChanged", () => callback(official.themeParams));
      return;
    }
    listeners.set("theme_changed", [...(listeners.get("theme_changed") || []),
      (data) => callback(data.theme_params || {})]);
  },

  // Telegram's LocationManager inside Telegram (Bot API 8.0), the browser's elsewhere or
  // when the client has no location access. Resolves {lat, lon} or null.
  async requestLocation() {
    if (official && official.LocationManager && atLeast("8.0")) {
      const manager = official.LocationManager;
      const ready = manager.isInited ? true : await new Promise((r) => manager.init(() => r(true)));
      if (ready && manager.isLocationAvailable) {
        const place = await new Promise((r) => manager.getLocation((data) => r(data)));
        if (place) return { lat: place.latitude, lon: place.longitude };
      }
      return browserLocation();
    }
    if (launch && atLeast("8.0")) {
      const checking = once("location_checked", 5000);
      postEvent("web_app_check_location");
      const checked = await checking;
      if (checked && checked.available) {
        const asking = once("location_requested", 60000);
        postEvent("web_app_request_location");
        const place = await asking;
        if (place && place.available !== false && typeof place.latitude === "number") {
          return { lat: place.latitude, lon: place.longitude };
        }
        return null;
      }
    }
    return browserLocation();
  },

  // Files open through the client inside Telegram (a WebView may ignore `download`);
  // returns false when the page should follow the link itself.
  downloadFile(url, fileName) {
    const absolute = new URL(url, location.href).href;
    if (official && official.downloadFile && atLeast("8.0")) {
      official.downloadFile({ url: absolute, file_name: fileName });
      return true;
    }
    if (launch && atLeast("8.0")) {
      postEvent("web_app_request_file_download", { url: absolute, file_name: fileName });
      return true;
    }
    return false;
  },

  // An outside page in the system's browser (a Mini App's WebView may not open new
  // windows); false outside Telegram, where the link opens itself.
  openLink(url) {
    const absolute = new URL(url, location.href).href;
    if (official) { official.openLink(absolute); return true; }
    if (launch) { postEvent("web_app_open_link", { url: absolute }); return true; }
    return false;
  },

  // Telegram's share sheet for a link (t.me/share); false outside Telegram.
  shareLink(url, text) {
    const path = `/share/url?url=${encodeURIComponent(url)}&text=${encodeURIComponent(text)}`;
    if (official) { official.openTelegramLink(`https://t.me${path}`); return true; }
    if (launch) { postEvent("web_app_open_tg_link", { path_full: path }); return true; }
    return false;
  },
};
