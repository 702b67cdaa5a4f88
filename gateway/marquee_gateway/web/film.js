// A film's page (/films/{id}): its card, and the similar films with their reasons and filters.
import { api, isAbort, segment } from "./api.js";
import { h, link, facts, errorBox, loading, listOf, dollars, ratio, date, plural } from "./dom.js";
import { poster, recommendationCards, twins } from "./cards.js";
import { searchHref } from "./search.js";

// TMDB's genres, which the data uses; a release without one of them says so (404, with the close ones).
export const GENRES = ["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
  "Fantasy", "Foreign", "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction", "TV Movie",
  "Thriller", "War", "Western"];
// How much the list favours well-known films (the API's `popularity`); "" leaves it to the service.
export const POPULARITY = [["", "As the service ranks"], ["1", "Well-known films first"],
  ["0.3", "Some lesser-known films"], ["0", "By similarity alone"]];
const MIN_YEAR = 1800;
const MAX_YEAR = 2200;

export const pageHref = (kind, name) => `/${kind}/${segment(name)}`;

// The filters in the page's URL: ?genres=Drama&genres=Comedy&year_min=1990&year_max=2000&min_votes=100&adult=1
// (and &popularity=1, how the list is ranked)
export function filtersOf(params) {
  const genres = params.getAll("genres").flatMap((g) => g.split(",")).map((g) => g.trim()).filter(Boolean);
  const number = (name) => {
    const value = (params.get(name) || "").trim();
    return value === "" ? "" : value;
  };
  const popularity = number("popularity");
  return { genres, year_min: number("year_min"), year_max: number("year_max"), min_votes: number("min_votes"),
    include_adult: params.get("adult") === "1", popularity };
}

function filtersToParams(filters) {
  const params = new URLSearchParams();
  for (const genre of filters.genres) params.append("genres", genre);
  for (const name of ["year_min", "year_max", "min_votes"]) if (filters[name] !== "") params.set(name, filters[name]);
  if (filters.include_adult) params.set("adult", "1");
  if (filters.popularity) params.set("popularity", filters.popularity);
  return params;
}

function describeFilters(filters) {
  const parts = [];
  if (filters.genres.length) parts.push(filters.genres.join(" or "));
  if (filters.year_min !== "" && filters.year_max !== "") parts.push(`${filters.year_min}–${filters.year_max}`);
  else if (filters.year_min !== "") parts.push(`from ${filters.year_min}`);
  else if (filters.year_max !== "") parts.push(`until ${filters.year_max}`);
  if (filters.min_votes !== "") parts.push(`at least ${filters.min_votes} votes`);
  if (filters.include_adult) parts.push("adult films included");
  const ranking = POPULARITY.find(([value]) => value !== "" && value === filters.popularity);
  if (ranking) parts.push(ranking[1].toLowerCase());
  else if (filters.popularity) parts.push(`popularity ${filters.popularity}`);
  return parts.join("; ");
}

function languageName(movie, code) {
  const known = (movie.spoken_languages || []).find((l) => l.iso_639_1 === code);
  return known && known.name ? `${known.name} (${code})` : code;
}

function card(movie) {
  const runtime = movie.runtime ? `${Math.round(movie.runtime)} min` : "runtime unknown";
  const head = h("div", { class: "film-head" },
    poster(movie.title, movie.year, "large"),
    h("div", { class: "film-title" },
      h("h1", { tabindex: "-1" }, movie.title),
      h("p", { class: "film-meta" }, [movie.year || "year unknown", runtime, (movie.genres || []).join(", ")]
        .filter(Boolean).join(" · ")),
      movie.tagline ? h("p", { class: "tagline" }, movie.tagline) : null,
      movie.overview ? h("p", { class: "overview" }, movie.overview) : h("p", { class: "overview" }, "No overview in the data.")));
  const people = (kind, list) => listOf(list.map((p) => link(pageHref(kind, p.name), p.name)));
  const dl = facts([
    ["Released", date(movie.release_date)],
    ["Collection", movie.collection ? link(pageHref("collections", movie.collection.name), movie.collection.name) : "none"],
    ["Directed by", movie.directors && movie.directors.length ? people("directors", movie.directors) : "unknown"],
    ["Budget", dollars(movie.budget)],
    ["Revenue", dollars(movie.revenue)],
    ["Return", movie.budget && movie.revenue ? `${ratio(movie["return"])} (revenue / budget)` : "unknown (needs budget and revenue)"],
    ["Rating", movie.vote_count ? `${movie.vote_average.toFixed(1)} / 10 from ${plural(movie.vote_count, "vote")}` : "no votes"],
    ["Original language", movie.original_language ? link(`/languages/${segment(movie.original_language)}`, languageName(movie, movie.original_language)) : "unknown"],
    ["Spoken languages", listOf((movie.spoken_languages || []).map((l) => link(`/languages/${segment(l.iso_639_1)}`, l.name || l.iso_639_1)))],
    ["Countries", listOf((movie.countries || []).map((c) => link(`/countries/${segment(c.iso_3166_1)}`, c.name)))],
    ["Companies", listOf((movie.companies || []).map((c) => link(pageHref("companies", c.name), c.name)))],
  ], { class: "facts film-facts" });
  const parts = [head, dl];
  if (movie.cast && movie.cast.length) {
    parts.push(h("section", { "aria-labelledby": "cast-heading", class: "cast" },
      h("h2", { id: "cast-heading" }, "Top-billed cast"),
      h("ul", {}, movie.cast.map((c) => h("li", {}, link(pageHref("actors", c.name), c.name),
        c.character ? h("span", { class: "character" }, ` as ${c.character}`) : null)))));
  }
  return parts;
}

async function collectionFilms(movie, signal) {
  const section = h("section", { class: "collection", "aria-labelledby": "collection-heading" },
    h("h2", { id: "collection-heading" }, `Also in the ${movie.collection.name}`));
  try {
    const collection = await api.collection(movie.collection.name, { signal });
    const others = collection.films.filter((f) => f.id !== movie.id)
      .sort((a, b) => (a.release_date || "").localeCompare(b.release_date || "") || a.id - b.id);
    if (!others.length) return null;
    const twin = twins([movie, ...others]);
    section.append(h("ul", { class: "inline-list" }, others.map((f) =>
      h("li", {}, link(`/films/${f.id}`, f.title), ` (${f.year || "year unknown"}${twin(f) ? `, id ${f.id}` : ""})`))));
  } catch (err) {
    if (isAbort(err)) throw err;
    section.append(errorBox(err));
  }
  return section;
}

function filterForm(filters, genres) {
  const boxes = genres.map((genre, i) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "genres", value: genre, id: `genre-${i}`,
      checked: filters.genres.includes(genre) }), ` ${genre}`));
  const number = (name, label, attrs) => h("div", { class: "field" },
    h("label", { for: `filter-${name}` }, label),
    h("input", { id: `filter-${name}`, name, type: "number", inputmode: "numeric", value: filters[name], ...attrs }));
  return h("form", { class: "filters", "aria-label": "Filter the similar films" },
    h("fieldset", { class: "genres" }, h("legend", {}, "Genres (any of them)"), boxes),
    h("div", { class: "fields" },
      number("year_min", "From year", { min: MIN_YEAR, max: MAX_YEAR, placeholder: "any" }),
      number("year_max", "To year", { min: MIN_YEAR, max: MAX_YEAR, placeholder: "any" }),
      number("min_votes", "Minimum votes", { min: 0, step: 1, placeholder: "0" }),
      h("div", { class: "field" },
        h("label", { for: "filter-popularity" }, "Ranking"),
        h("select", { id: "filter-popularity", name: "popularity" },
          ...[...POPULARITY, ...(POPULARITY.some(([v]) => v === filters.popularity) ? []
            : [[filters.popularity, `Popularity ${filters.popularity}`]])].map(([value, label]) =>
            h("option", { value, selected: value === filters.popularity }, label)))),
      h("label", { class: "check adult" }, h("input", { type: "checkbox", name: "adult", id: "filter-adult",
        checked: filters.include_adult }), " Include adult films")),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Apply the filters"),
      h("button", { type: "button", class: "secondary", "data-clear": "" }, "Clear the filters")));
}

function readForm(form) {
  const data = new FormData(form);
  return { genres: data.getAll("genres").map(String),
    year_min: String(data.get("year_min") || "").trim(), year_max: String(data.get("year_max") || "").trim(),
    min_votes: String(data.get("min_votes") || "").trim(), include_adult: data.get("adult") !== null,
    popularity: String(data.get("popularity") || "") };
}

function similarSection(movie, url, signal) {
  let filters = filtersOf(url.searchParams);
  const genres = [...new Set([...GENRES, ...filters.genres, ...(movie.genres || [])])];
  const form = filterForm(filters, genres);
  const summary = h("summary", {}, "Filters");
  const details = h("details", { class: "filters-box", open: Boolean(describeFilters(filters)) }, summary, form);
  const status = h("p", { class: "status", role: "status" });
  const results = h("div", { class: "results", "aria-live": "off" });
  const section = h("section", { class: "similar", "aria-labelledby": "similar-heading" },
    h("h2", { id: "similar-heading" }, "Similar films"), details, status, results);
  let controller = null;
  let timer = 0;

  async function update({ push = false } = {}) {
    const described = describeFilters(filters);
    summary.textContent = described ? `Filters: ${described}` : "Filters";
    const params = filtersToParams(filters);
    const target = `${window.location.pathname}${params.toString() ? `?${params}` : ""}`;
    if (target !== `${window.location.pathname}${window.location.search}`) {
      window.history[push ? "pushState" : "replaceState"]({}, "", target);
    }
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = controller;
    signal.addEventListener("abort", () => mine.abort(), { once: true });
    status.textContent = "Finding similar films…";
    results.setAttribute("aria-busy", "true");
    try {
      const answer = await api.similar(movie.id, {
        genres: filters.genres, year_min: filters.year_min, year_max: filters.year_max,
        min_votes: filters.min_votes, include_adult: filters.include_adult, popularity: filters.popularity,
      }, { signal: mine.signal });
      const items = answer.recommendations || [];
      const words = items.length
        ? `The ${plural(items.length, "film")} most similar to ${movie.title}${described ? ` (${described})` : ""}, best first.`
        : `No film similar to ${movie.title} passes these filters${described ? ` (${described})` : ""}.`;
      status.textContent = words; // a live region: read out when it changes
      results.replaceChildren(items.length ? recommendationCards(items) : "");
    } catch (err) {
      if (isAbort(err)) return;
      status.textContent = "The similar films could not be listed.";
      const hrefOf = (genre) => {
        const params = filtersToParams({ ...filters, genres: [genre] });
        return `${window.location.pathname}?${params}`;
      };
      results.replaceChildren(errorBox(err, { hrefOf }));
    } finally {
      if (controller === mine) results.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("change", (event) => {
    filters = readForm(form);
    window.clearTimeout(timer);
    // A number is applied once typing pauses (or on Enter); a box at once.
    timer = window.setTimeout(() => update(), event.target.type === "number" ? 400 : 0);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    filters = readForm(form);
    update();
  });
  form.querySelector("[data-clear]").addEventListener("click", () => {
    form.reset();
    form.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = false; });
    form.querySelectorAll("input[type=number]").forEach((box) => { box.value = ""; });
    form.querySelectorAll("select").forEach((box) => { box.value = ""; });
    filters = readForm(form);
    update();
  });
  return { section, start: () => update() };
}

export async function filmPage(main, { params, url, signal, setTitle }) {
  const id = params[0];
  setTitle("Film");
  main.replaceChildren(loading("the film"));
  let movie;
  try {
    movie = await api.movie(id, { signal }); // an id that is not a number too: the API's 422 says why
  } catch (err) {
    if (isAbort(err)) throw err;
    setTitle("Film not found");
    main.replaceChildren(h("h1", { tabindex: "-1" }, err.status === 404 ? "No such film" : "This film cannot be shown"),
      errorBox(err, { hrefOf: searchHref }),
      h("p", {}, "Search for a title with the box above, or ", link("/", "start again"), "."));
    return;
  }
  setTitle(`${movie.title}${movie.year ? ` (${movie.year})` : ""}`);
  const similar = similarSection(movie, url, signal);
  main.replaceChildren(h("article", { class: "film" }, card(movie), similar.section));
  similar.start();
  if (movie.collection) {
    const section = await collectionFilms(movie, signal);
    if (section) main.querySelector(".film-facts").after(section);
  }
}
