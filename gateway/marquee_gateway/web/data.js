// The data (/data): the release serving now, and every release with its data report.
import { api, ApiError, isAbort, CURRENT_REPORT } from "./api.js";
import { h, link, facts, errorBox, count, decimal, dateTime } from "./dom.js";

const QUALITY = [
  ["collection_hit_at_5", "Collection hit at 5"],
  ["genre_jaccard_at_10", "Genre Jaccard at 10"],
  ["recall_at_10", "Recall at 10"],
  ["holdout_hit_rate_at_10", "Held-out viewers' hit rate at 10"],
];

// A figure of the list that may be a list, a count, an object or nothing: in words.
function words(value) {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.length ? value.map(words).join(", ") : "none";
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k}: ${words(v)}`).join("; ") : "none";
  }
  if (typeof value === "number") return Number.isInteger(value) ? count(value) : decimal(value, 4);
  return String(value);
}

const settled = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

function servingNow(releases, model, listed) {
  const section = h("section", { "aria-labelledby": "serving-heading" },
    h("h2", { id: "serving-heading" }, "The release serving now"));
  const upstreams = releases.value ? releases.value.upstreams || {} : {};
  const catalog = upstreams.catalog || {};
  const recommender = upstreams.recommender || {};
  const version = catalog.version || recommender.version || (model.value && model.value.release_version) || null;
  const replica = [...(catalog.replicas || []), ...(recommender.replicas || [])].find((r) => r.version === version);
  const entry = listed && version ? (listed.releases || []).find((r) => r.version === version) : null;
  const quality = (entry && entry.quality) || {};
  if (releases.error && model.error) {
    section.append(errorBox(releases.error));
    return section;
  }
  const pairs = [
    ["Version", version || "unknown", true],
    ["Built at", dateTime((entry && entry.built_at) || (replica && replica.built_at) || (model.value && model.value.built_at))],
    ["Films", entry && entry.films != null ? count(entry.films) : model.value ? count(model.value.items) : "unknown"],
  ];
  for (const [key, label] of QUALITY) {
    const value = key in quality ? quality[key] : key === "recall_at_10" && model.value ? model.value.recall_at_10 : undefined;
    if (value !== undefined) pairs.push([label, decimal(value, 4)]);
  }
  if (catalog.version && recommender.version && catalog.version !== recommender.version) {
    pairs.push(["Note", `the catalog serves ${catalog.version}, the recommender ${recommender.version}`]);
  } else if (releases.value && releases.value.agree === false) {
    pairs.push(["Note", "the services' replicas are moving to a new release"]);
  }
  section.append(facts(pairs, { class: "facts figures" }),
    h("p", {}, link(CURRENT_REPORT, "The data report of the release serving now", { "data-external": "" }),
      " (", link(`${CURRENT_REPORT}.json`, "as JSON", { "data-external": "" }), ")."));
  if (releases.error) section.append(errorBox(releases.error, { lead: "The services' releases: " }));
  if (model.error) section.append(errorBox(model.error, { lead: "The model: " }));
  return section;
}

function releaseCard(release) {
  const badges = [];
  if (release.served) badges.push(h("span", { class: "badge badge-served" }, "serving now"));
  if (release.current) badges.push(h("span", { class: "badge badge-current" }, "current"));
  const quality = release.quality || {};
  const report = release.report;
  const pairs = [
    ["Built at", dateTime(release.built_at)],
    ["Films", release.films != null ? count(release.films) : "unknown"],
    ...QUALITY.map(([key, label]) => [label, decimal(quality[key], 4)]),
    ["Data report", report ? [link(report.html, "HTML", { "data-external": "" }), ", ",
      link(report.json, "JSON", { "data-external": "" })] : "none (built without one)"],
  ];
  if (report) {
    pairs.push(["Compared with", report.predecessor || "no predecessor"]);
    pairs.push(["Flagged figures", words(report.flagged_figures)]);
    pairs.push(["Drifted fields", words(report.drifted_fields)]);
  }
  if (release.error) pairs.push(["Problem", release.error]);
  return h("li", { class: "release" }, h("h3", {}, release.version, " ", badges), facts(pairs));
}

export async function dataPage(main, { signal, setTitle }) {
  setTitle("The data");
  const heading = h("h1", { tabindex: "-1" }, "The data");
  main.replaceChildren(heading, h("p", {}, "Marquee answers from one release of the data at a time: built by the ",
    "pipeline from the raw files, checked, then promoted. Each release has a data report."),
  h("p", { class: "loading", role: "status" }, "Loading the releases…"));
  const [releases, model, all] = await Promise.all([
    settled(api.releases({ signal })), settled(api.model({ signal })), settled(api.allReleases({ signal })),
  ]);
  for (const result of [releases, model, all]) if (result.error && isAbort(result.error)) throw result.error;
  main.querySelector(".loading")?.remove();
  main.append(servingNow(releases, model, all.value || null));
  const section = h("section", { "aria-labelledby": "all-heading" }, h("h2", { id: "all-heading" }, "Every release"));
  if (all.value && Array.isArray(all.value.releases)) {
    const list = all.value.releases;
    section.append(h("p", {}, `${count(list.length)} ${list.length === 1 ? "release" : "releases"}, newest first. `,
      all.value.current ? ["The data folder's current release is ", h("code", {}, all.value.current), "."] : ""),
    h("ol", { class: "releases" }, list.map(releaseCard)));
  } else {
    const err = all.error || new ApiError(0, "UNREADABLE", "The list of releases could not be read.");
    const missing = err.status === 404 && /no route/i.test(err.message);
    section.append(h("p", { class: "note", role: "note" },
      missing ? "The list of every release is unavailable: this gateway does not offer it (/v1/releases/all). "
        : "The list of every release is unavailable. ",
      "The release serving now is above, with ", link(CURRENT_REPORT, "its data report", { "data-external": "" }), "."));
    if (!missing) section.append(errorBox(err));
  }
  main.append(section);
}
