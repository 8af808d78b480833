"""The Mini App pages' texts: msgids in the same gettext catalogs as the chat.

`GET /api/me` (and the shared profile) send `translated()` to the page, which looks texts
up by key. Placeholders are named (`{hours}`) and filled by the page; the page escapes
what it fills in. Plural forms are avoided on purpose ("{hours} h"): the page has no
plural rules. `make i18n` extracts these like any other message; add a key with its msgid
here, then translate it in every catalog.
"""

from __future__ import annotations

from bot.i18n import N_, gettext

STRINGS: dict[str, str] = {
    # Navigation and state
    "app.title": N_("Takas"),
    "nav.map": N_("Map"),
    "nav.profile": N_("My profile"),
    "nav.organizer": N_("Verification"),
    "state.loading": N_("Loading…"),
    "state.error": N_("Something went wrong. Please try again."),
    "state.retry": N_("Try again"),
    "state.unauthorized": N_("Open this page from the Takas bot in Telegram."),
    "state.slow_down": N_("Too many requests; wait a moment."),
    "state.offline": N_("No connection. Check your internet and try again."),
    "action.close": N_("Close"),
    "action.language": N_("Language"),
    # The map
    "map.title": N_("Opportunities on the map"),
    "map.search": N_("Search"),
    "map.search_placeholder": N_("What would you like to learn or do?"),
    "map.filters": N_("Filters"),
    "map.kind.course": N_("Courses"),
    "map.kind.event": N_("Events"),
    "map.kind.volunteering": N_("Volunteering"),
    "map.free": N_("Free"),
    "map.online": N_("Online"),
    "map.from": N_("From"),
    "map.to": N_("To"),
    "map.taught_in": N_("Taught in"),
    "map.any_language": N_("Any language"),
    "map.clear": N_("Clear filters"),
    "map.near_me": N_("Near me"),
    "map.near_me_denied": N_("Your location is not available; move the map instead."),
    "map.list": N_("In this area"),
    "map.count": N_("Shown: {count}"),
    "map.more": N_("{count} in this area; zoom in to see each one."),
    "map.unplaced": N_("{count} more have no place on the map (online or no address)."),
    "map.nothing": N_("Nothing here matches. Move the map or change the filters."),
    "map.approximate": N_("Shown at the town centre: the exact address is not known."),
    "map.cluster": N_("{count} opportunities here"),
    "map.attribution": N_("Map data"),
    # An opportunity's card
    "item.when": N_("When"),
    "item.where": N_("Where"),
    "item.online": N_("Online"),
    "item.price": N_("Price"),
    "item.free": N_("Free"),
    "item.price_unknown": N_("Price not given"),
    "item.provider": N_("Organiser"),
    "item.languages": N_("Language"),
    "item.open": N_("Open the organiser's page"),
    "item.calendar": N_("Add to calendar"),
    "item.follow": N_("Follow the organiser"),
    "item.follow_town": N_("Follow this town"),
    "item.following": N_("Following"),
    "item.unfollow": N_("Stop following"),
    "item.followed": N_("Done: you will hear about new opportunities in the chat."),
    "item.follows_full": N_("You follow too many things; /following in the chat lets you "
                            "stop some."),
    # The e-profile
    "profile.title": N_("My e-profile"),
    "profile.school_year": N_("School year {label}"),
    "profile.approved": N_("Approved"),
    "profile.pending": N_("Waiting for verification"),
    "profile.target": N_("Yearly target"),
    "profile.hours": N_("{hours} h"),
    "profile.of_target": N_("{approved} of {target} h"),
    "profile.status.passed": N_("Passed: the yearly target is reached."),
    "profile.status.on_track": N_("On track for the yearly target."),
    "profile.status.behind": N_("Behind the yearly target: a few more activities will help."),
    "profile.status.no_target": N_("No yearly target is set."),
    "profile.chart": N_("Approved and waiting hours against the yearly target"),
    "profile.entries": N_("Entries"),
    "profile.no_entries": N_("No hours logged yet. /log in the chat adds your first."),
    "profile.entry.approved": N_("approved"),
    "profile.entry.pending": N_("waiting"),
    "profile.entry.rejected": N_("not approved"),
    "profile.badges": N_("Badges"),
    "profile.no_badges": N_("No badges yet."),
    "profile.badge.view": N_("View"),
    "profile.badge.download": N_("Download"),
    "profile.badge.share": N_("Share"),
    "profile.badge.issued": N_("Awarded on {date}"),
    "profile.playlists": N_("Learning playlists"),
    "profile.playlist.progress": N_("{done} of {total} done"),
    "profile.certificates": N_("Certificates"),
    "profile.certificate.download": N_("Certificate for {label}"),
    "profile.full_name_needed": N_("Before your first certificate, send /export in the chat: "
                                   "it asks for your full name once."),
    "profile.classes": N_("Classes"),
    "profile.class": N_("{school}, class {name}"),
    # Sharing the e-profile (read-only)
    "share.title": N_("Share with a parent or teacher"),
    "share.explain": N_("A link that shows this profile, read-only, until it expires or "
                        "you revoke it."),
    "share.create": N_("Create a link"),
    "share.copy": N_("Copy the link"),
    "share.copied": N_("Copied."),
    "share.valid_until": N_("Valid until {date}"),
    "share.revoke": N_("Revoke"),
    "share.revoked": N_("Revoked"),
    "share.expired": N_("Expired"),
    "share.none": N_("No links yet."),
    "shared.title": N_("E-profile of {name} (read-only)"),
    "shared.gone": N_("This link has expired or was revoked."),
    "shared.unknown": N_("This link is not valid."),
    # Organizers
    "org.title": N_("Hours to verify"),
    "org.nothing": N_("Nothing waits for your verification."),
    "org.approve": N_("Approve"),
    "org.reject": N_("Reject"),
    "org.reason": N_("Why not?"),
    "org.approved": N_("Approved."),
    "org.rejected": N_("Rejected."),
    "org.already": N_("This entry was already decided by another organizer."),
    "org.photo": N_("A photo is attached (see it in the chat)."),
    "org.note": N_("Note"),
    "org.class": N_("Class {name}"),
    "org.reports": N_("Reports"),
    "org.year": N_("School year"),
    "org.class_filter": N_("Class (optional), e.g. 8B"),
    "org.csv": N_("E-diary file (CSV)"),
    "org.pdf": N_("Summary (PDF)"),
    "reason.absent": N_("not seen at the activity"),
    "reason.hours": N_("the hours do not match"),
    "reason.organisation": N_("another organisation should verify it"),
    "reason.evidence": N_("more evidence is needed"),
}


def translated() -> dict[str, str]:
    """Every page text in the language in force (`I18n.use`)."""
    return {key: gettext(message) for key, message in STRINGS.items()}
