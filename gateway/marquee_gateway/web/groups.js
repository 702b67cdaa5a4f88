// People and groups: an actor's, director's, collection's, company's, country's and language's page,
// with the figures the assignment's routes give and, where the API lists them, their films.
import { api, isAbort } from "./api.js";
import { h, facts, errorBox, loading, count, dollars, ratio, plural } from "./dom.js";
import { filmCard, twins } from "./cards.js";
import { pageHref } from "./film.js";

const byDate = (a, b) => (a.release_date || "").localeCompare(b.release_date || "") || a.id - b.id;

// The films of a person or group, each a card (`details(film)` under its title): by date, unless
// `byApi` keeps the API's order; `note` says something about the list under its heading.
function filmsSection(heading, films, movieOf, details, { byApi = false, note = null } = {}) {
  if (!films.length) return h("p", {}, "The API lists no films here.");
  const sorted = byApi ? films : [...films].sort((x, y) => byDate(movieOf(x), movieOf(y)));
  const twin = twins(sorted.map(movieOf));
  const cards = sorted.map((f) => filmCard(movieOf(f), { details: details(f), withId: twin(movieOf(f)) }));
  return h("section", { "aria-labelledby": "films-heading" }, h("h2", { id: "films-heading" }, heading),
    note && h("p", { class: "note" }, note), h("ol", { class: "cards" }, cards));
}

// A company's, country's or language's films: the API lists the most-voted first, up to its limit.
function mostVoted(heading, films = [], total = 0) {
  const note = films.length < total
    ? `The ${count(films.length)} most-voted of ${plural(total, "film")}.`
    : `All ${plural(total, "film")}, the most-voted first.`;
  return filmsSection(heading, films, (f) => f, () => [], { byApi: true, note });
}

const KINDS = {
  actors: {
    what: "actor",
    fetch: api.actor,
    title: (a) => a.name,
    render: (a) => [
      facts([
        ["Films", `${count(a.movie_count)} (acted in, less those they directed)`],
        ["Total return", ratio(a.total_return)],
        ["Average return", ratio(a.average_return)],
      ], { class: "facts figures" }),
      filmsSection(`${a.name}'s films`, a.films, (f) => f.movie,
        (f) => [f.character ? `as ${f.character}` : "", `return ${ratio(f["return"])}`]),
    ],
  },
  directors: {
    what: "director",
    fetch: api.director,
    title: (d) => d.name,
    render: (d) => [
      facts([
        ["Films", count(d.movie_count)],
        ["Total return", ratio(d.total_return)],
      ], { class: "facts figures" }),
      filmsSection(`Films directed by ${d.name}`, d.films, (f) => f.movie,
        (f) => [`budget ${dollars(f.budget)}`, `revenue ${dollars(f.revenue)}`,
          `profit ${f.budget && f.revenue ? dollars(f.profit) : "unknown"}`, `return ${ratio(f["return"])}`]),
    ],
  },
  collections: {
    what: "collection",
    fetch: api.collection,
    title: (c) => c.name,
    render: (c) => [
      facts([
        ["Films", count(c.movie_count)],
        ["Total revenue", dollars(c.total_revenue)],
        ["Average revenue", dollars(Math.round(c.average_revenue))],
      ], { class: "facts figures" }),
      filmsSection(`The films of the ${c.name}`, c.films, (f) => f, () => []),
    ],
  },
  companies: {
    what: "company",
    fetch: api.company,
    title: (c) => c.name,
    render: (c) => [
      facts([
        ["Films produced", count(c.movie_count)],
        ["Total revenue", dollars(c.total_revenue)],
      ], { class: "facts figures" }),
      mostVoted(`Films produced by ${c.name}`, c.films, c.movie_count),
    ],
  },
  countries: {
    what: "country",
    fetch: api.country,
    title: (c) => `${c.name} (${c.iso_3166_1})`,
    render: (c) => [
      facts([["Films produced there", count(c.count)], ["Code (ISO 3166-1)", c.iso_3166_1]], { class: "facts figures" }),
      mostVoted(`Films produced in ${c.name}`, c.films, c.count),
    ],
  },
  languages: {
    what: "language",
    fetch: api.language,
    title: (l) => (l.name && l.name !== l.english_name ? `${l.english_name} (${l.name})` : l.english_name || l.iso_639_1),
    render: (l) => [
      facts([["Films in it originally", count(l.count)], ["Code (ISO 639-1)", l.iso_639_1],
        ["Its own name", l.name]], { class: "facts figures" }),
      mostVoted(`Films originally in ${l.english_name || l.name || l.iso_639_1}`, l.films, l.count),
    ],
  },
};

export function groupPage(kind) {
  const spec = KINDS[kind];
  return async function page(main, { params, signal, setTitle }) {
    let name = params[0];
    try {
      name = decodeURIComponent(name);
    } catch {
      // not percent-encoded as it should be: asked as it came
    }
    setTitle(name || spec.what);
    main.replaceChildren(loading(`the ${spec.what}`));
    try {
      const answer = await spec.fetch(name, { signal });
      const title = spec.title(answer);
      setTitle(title);
      main.replaceChildren(h("p", { class: "kind" }, spec.what[0].toUpperCase() + spec.what.slice(1)),
        h("h1", { tabindex: "-1" }, title), ...spec.render(answer));
    } catch (err) {
      if (isAbort(err)) throw err;
      setTitle(`No such ${spec.what}`);
      main.replaceChildren(h("h1", { tabindex: "-1" }, err.status === 404 ? `No such ${spec.what}` : `This ${spec.what} cannot be shown`),
        errorBox(err, { hrefOf: (s) => pageHref(kind, s) }));
    }
  };
}
