// Reads one iCalendar feed from stdin with ical.js and prints its events as JSON on stdout.
//
// Used by tests/feed_readers.py (read_icaljs): one of the three independent readers a feed
// test compares. Output: a JSON list, one object per VEVENT, with uid, summary, description,
// location, categories (list), status, transp, sequence, start, end, all_day, rrule.
// Dates print as "YYYY-MM-DD"; date-times with a zone print in UTC as "2022-12-12T00:00:00Z";
// floating date-times (no zone, or a TZID that no VTIMEZONE in the feed defines) print
// without the "Z", so the Python side can tell them apart.
import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function isFloating(time) {
  return time.zone === ICAL.Timezone.localTimezone;
}

function timeValue(time) {
  if (time === null || time === undefined) {
    return null;
  }
  if (time.isDate) {
    return time.toString(); // YYYY-MM-DD
  }
  if (isFloating(time)) {
    return time.toString(); // YYYY-MM-DDTHH:MM:SS, no zone
  }
  return time.convertToZone(ICAL.Timezone.utcTimezone).toString(); // ...Z
}

function textOrNull(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function eventView(vevent) {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  // Only an end the feed states (DTEND, or DTSTART + DURATION): ical.js would otherwise make
  // one up (a day for dates, zero for date-times) and hide a missing DTEND.
  const hasEnd = vevent.hasProperty("dtend") || vevent.hasProperty("duration");
  const categories = [];
  for (const prop of vevent.getAllProperties("categories")) {
    for (const value of prop.getValues()) {
      categories.push(String(value));
    }
  }
  const rrule = vevent.getFirstPropertyValue("rrule");
  const sequence = vevent.getFirstPropertyValue("sequence");
  return {
    uid: textOrNull(vevent, "uid"),
    summary: textOrNull(vevent, "summary"),
    description: textOrNull(vevent, "description"),
    location: textOrNull(vevent, "location"),
    categories,
    status: textOrNull(vevent, "status"),
    transp: textOrNull(vevent, "transp"),
    sequence: sequence === null || sequence === undefined ? 0 : Number(sequence),
    start: timeValue(start),
    end: hasEnd ? timeValue(event.endDate) : null,
    all_day: Boolean(start && start.isDate),
    rrule: rrule ? rrule.toString() : null,
  };
}

async function main() {
  const text = await readStdin();
  const parsed = ICAL.parse(text);
  // One VCALENDAR parses to one jCal array; several to a list of them.
  const jcals = Array.isArray(parsed[0]) ? parsed : [parsed];
  const calendars = jcals.map((jcal) => new ICAL.Component(jcal));
  // Register every VTIMEZONE before any DTSTART is decoded (values decode lazily), so that
  // TZID times convert with the feed's own definitions.
  for (const calendar of calendars) {
    for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
    }
  }
  const events = [];
  for (const calendar of calendars) {
    for (const vevent of calendar.getAllSubcomponents("vevent")) {
      events.push(eventView(vevent));
    }
  }
  process.stdout.write(JSON.stringify(events));
}

main().catch((error) => {
  process.stderr.write(`read_ics.mjs: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
