"""The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

Every plot has a title, labelled axes with units, and a sentence saying what it shows; every
figure shown is in the JSON beside the page (report.json), which the page is drawn from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

from marquee_etl.report import plots
from marquee_etl.report.compare import ReportSettings
from marquee_etl.report.figures import CATEGORIES, NUMBERS, TOP

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")  # fmt: skip
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #4d5661; --line: #d5dbe1; --flag: #a8281e; --ok: #1d6b35; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 1rem 1.25rem 3rem; background: #fff; }
h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--line); }
h3 { margin: 1.5rem 0 .25rem; font-size: 1.05rem; }
a { color: #1f5fa8; } a:focus { outline: 3px solid #f0b400; }
.meta { color: var(--muted); font-size: .9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.card b { display: block; font-size: 1.35rem; } .card span { color: var(--muted); font-size: .85rem; }
figure { margin: 1rem 0 1.75rem; } figure svg { width: 100%; height: auto; max-width: 760px; display: block; }
.caption { color: var(--muted); margin: .2rem 0 .5rem; max-width: 760px; }
table { border-collapse: collapse; margin: .5rem 0 1.25rem; font-size: .88rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; min-width: 22rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.wide { overflow-x: auto; } .side { display: flex; flex-wrap: wrap; gap: 0 2.5rem; }
.flag { color: var(--flag); font-weight: 600; } .ok { color: var(--ok); }
nav ol { columns: 2; } code { font-size: .85em; }
details summary { cursor: pointer; font-weight: 600; margin: .5rem 0; }
@media (max-width: 600px) { nav ol { columns: 1; } body { padding: .75rem; } }
"""


def number(value: Any, digits: int = 2) -> str:
    """A figure as people read it: thousands separated, floats to `digits` significant places."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != 0 and abs(value) < 10**-digits:
            return f"{value:.{digits}g}"
        return f"{value:,.{digits}f}"
    return escape(str(value))


def share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def money(value: float | None) -> str:
    if value is None:
        return "–"
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"${value / size:,.1f}{suffix}"
    return f"${value:,.0f}"


def table(head: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "", numeric: Sequence[int] = ()) -> str:
    """A table whose cells are already HTML (numbers right-aligned by column index)."""
    cells = "".join(f"<th scope='col'{' class=n' if i in numeric else ''}>{escape(h)}</th>"
                    for i, h in enumerate(head))  # fmt: skip
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<div class=wide><table>{title}<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>"


def figure(name: str, drawing: str, sentence: str) -> str:
    return f"<figure><p class=caption id='{name}-title'>{escape(sentence)}</p>{drawing}</figure>"


def film(row: Mapping[str, Any]) -> str:
    year = row.get("year", row.get("release_year"))
    return f"{escape(str(row.get('title')))}{f' ({year})' if year else ''} <span class=meta>#{row.get('id')}</span>"


class Page:
    """Sections appended in order; `html()` joins them with the table of contents."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.toc: list[tuple[str, str]] = []

    def section(self, anchor: str, title: str, intro: str = "") -> None:
        self.toc.append((anchor, title))
        self.parts.append(f"<h2 id={anchor}>{escape(title)}</h2>" + (f"<p>{intro}</p>" if intro else ""))

    def add(self, *html: str) -> None:
        self.parts.extend(html)

    def html(self, title: str, header: str) -> str:
        toc = "".join(f"<li><a href='#{a}'>{escape(t)}</a></li>" for a, t in self.toc)
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f"<header>{header}</header><nav aria-label='Sections'><ol>{toc}</ol></nav><main>"
            + "".join(self.parts)
            + "</main></body></html>"
        )


def render(figures: Mapping[str, Any], changes: Mapping[str, Any] | None, predecessor_note: str = "") -> str:
    """The whole page for a release's figures and, when it has a predecessor, what changed."""
    release = figures["release"]
    version = release.get("version") or "?"
    page = Page()
    _input(page, figures["input"])
    _numbers(page, figures["numbers"])
    _categories(page, figures["categories"])
    _dates(page, figures["dates"])
    _relations(page, figures["relations"])
    _people(page, figures["people"])
    _model(page, figures.get("model"))
    page.section("changes", "What changed")
    if changes is not None:
        _changes(page, changes)
    else:
        page.add(f"<p>{escape(predecessor_note or 'This release has no predecessor to compare with.')}</p>")
    _notes(page, changes)
    return page.html(f"Marquee data report: release {version}", _header(figures, changes))


def _header(figures: Mapping[str, Any], changes: Mapping[str, Any] | None) -> str:
    release = figures["release"]
    inputs = release.get("inputs") or {}
    films = figures["dates"]["films"]
    rows_read = sum((figures["input"]["rows_read"] or {}).values())
    rejected = sum(figures["input"]["rejected_by_reason"].values())
    model = figures.get("model") or {}
    quality = model.get("quality") or {}
    cards = [
        (number(films), "films kept"),
        (number(figures["people"]["people"]), "people credited"),
        (number(rows_read), "input rows read"),
        (number(rejected), "rows set aside"),
        (number(quality.get("collection_hit_at_5"), 3), "collection hit@5"),
        (number(quality.get("genre_jaccard_at_10"), 3), "genre Jaccard@10"),
    ]
    previous = ""
    if changes is not None:
        previous = (f" Compared with release <a href='../{escape(changes['old'])}/report'>{escape(changes['old'])}"
                    f"</a>: <a href='#changes'>what changed</a>.")  # fmt: skip
    sources = "; ".join(
        f"{escape(name)}: <code>{escape(str(meta.get('name')))}</code>, {number(meta.get('bytes'))} bytes, "
        f"sha256 <code>{escape(str(meta.get('sha256', ''))[:12])}…</code>"
        for name, meta in inputs.items()
    )
    return (
        f"<h1>Data report: release {escape(str(release.get('version')))}</h1>"
        f"<p class=meta>Built {escape(str(release.get('created_at')))} by marquee_etl "
        f"{escape(str(release.get('code_version')))} from {sources}.</p>"
        f"<p>What the pipeline read, kept and set aside, what the kept films look like field by field, and what "
        f"the recommendation model learned from them. Every figure here is in "
        f"<a href='report.json'>report.json</a>.{previous}</p>"
        "<div class=cards>" + "".join(f"<div class=card><b>{v}</b><span>{escape(k)}</span></div>" for v, k in cards)
        + "</div>"
    )  # fmt: skip


def _input(page: Page, found: Mapping[str, Any]) -> None:
    page.section("input", "The input", "Rows read from the raw files, rows kept, and rows set aside with a reason.")
    read, kept = found["rows_read"] or {}, found["rows_kept"] or {}
    page.add(table(["file", "rows read", "rows kept", "rows set aside"],
                   [[escape(s), number(read.get(s)), number(kept.get(s)),
                     number(None if read.get(s) is None or kept.get(s) is None else read[s] - kept[s])]
                    for s in read], "Rows by input file", numeric=(1, 2, 3)))  # fmt: skip
    reasons = found["rejected_by_reason"]
    if reasons:
        page.add(figure("rejects", plots.bars("rejects", "Rows set aside, by reason", list(reasons),
                                              list(reasons.values()), "rows set aside",
                                              category_label="file.reason"),
                        f"Each row set aside has one reason; {sum(reasons.values()):,} rows in all, "
                        f"the most common reason first."))  # fmt: skip
        examples = [[escape(reason), number(ex["row"]), escape(str(ex["id"])), escape(str(ex["detail"]))]
                    for reason, rows in found["reject_examples"].items() for ex in rows]  # fmt: skip
        page.add(table(["reason", "row in file", "id", "why"], examples, "Example rows set aside (first rows of "
                       "each reason)", numeric=(1,)))  # fmt: skip
    else:
        page.add("<p>No row was set aside.</p>")
    missing = found.get("missing_by_column")
    if missing:
        movies = missing.get("movies") or {}
        rows = read.get("movies") or 0
        ordered = sorted(((k, v) for k, v in movies.items() if v), key=lambda kv: (-kv[1], kv[0]))
        complete = ", ".join(sorted(k for k, v in movies.items() if not v)) or "none"
        page.add(figure("missing", plots.bars("missing", "Missing values per column of movies_metadata.csv",
                                              [k for k, _ in ordered],
                                              [v / rows * 100 if rows else 0 for _, v in ordered],
                                              "share of rows empty or missing (%)", category_label="column"),
                        "How often each raw column is empty, before cleaning; a column the pipeline needs and "
                        "finds empty sets the row aside (release_date) or becomes 0 (budget, revenue). "
                        f"Columns never empty: {complete}."))  # fmt: skip
        page.add(table(["file", "column", "rows missing", "share"],
                       [[escape(source), escape(column), number(n), share(n / (read.get(source) or 1))]
                        for source, columns in missing.items() for column, n in sorted(columns.items())],
                       "Missing values per raw column", numeric=(2, 3)))  # fmt: skip
    else:
        page.add("<p class=meta>This release was built before missing values were counted.</p>")


def _shower(unit: str) -> Callable[[Any], str]:
    """How a numeric field's values are written: dollars as money, the rest as numbers."""
    return money if "dollars" in unit else number


def _numbers(page: Page, numbers: Mapping[str, Any]) -> None:
    page.section("numbers", "Numbers", "The numeric fields of the kept films: missing and zero values, the "
                 "spread of the known ones, and the films with the largest values.")  # fmt: skip
    rows = []
    for name, f in numbers.items():
        known = f["known"]
        show = _shower(f["unit"])
        rows.append([escape(NUMBERS[name]["label"]), escape(f["unit"]), share(f["missing_share"]),
                     share(f["zero_share"]), show(known["min"]), show(known["median"]), show(known["mean"]),
                     show(known["p90"]), show(known["max"])])  # fmt: skip
    page.add(table(["field", "unit", "missing", "zero", "min", "median", "mean", "90th pct", "max"], rows,
                   "Summary (min to max: over the known values; above zero on a log scale)",
                   numeric=(2, 3, 4, 5, 6, 7, 8)))  # fmt: skip
    for name, f in numbers.items():
        meta = NUMBERS[name]
        hist = f["histogram"]
        shown = sum(hist["counts"])
        left_out = f" The {f['zeros']:,} zero values ({meta['zero']}) are left out of the log scale." \
            if hist["log"] and f["zeros"] else ""  # fmt: skip
        page.add(f"<h3>{escape(meta['label'])}</h3>")
        page.add(figure(f"num-{name}", plots.histogram(f"num-{name}", f"{meta['label']}: films by value", hist,
                                                       meta["label"], meta["unit"]),
                        f"How the {shown:,} films with a {'positive' if hist['log'] else 'known'} "
                        f"{meta['label'].lower()} spread over its range ({f['missing']:,} missing)."
                        + left_out))  # fmt: skip
        show = _shower(f["unit"])
        page.add(table(["film", meta["label"]], [[film(r), show(r["value"])] for r in f["largest"]],
                       f"Largest {meta['label'].lower()}", numeric=(1,)))  # fmt: skip


def _categories(page: Page, found: Mapping[str, Any]) -> None:
    page.section("categories", "Categories", f"The top {TOP} of each category by number of films (a film counts "
                 "once per category value it has).")  # fmt: skip
    for key, label in CATEGORIES.items():
        top = found["top"][key]
        with_any = found["films_with_any"][key]
        distinct = found["distinct"][key]
        if not top:
            page.add(f"<h3>{escape(label)}</h3><p>No film has any.</p>")
            continue
        page.add(f"<h3>{escape(label)}</h3>")
        page.add(figure(f"cat-{key}", plots.bars(f"cat-{key}", f"{label}: the {len(top)} with the most films",
                                                 [r["name"] for r in top], [r["films"] for r in top], "films",
                                                 category_label=label.lower()),
                        f"{with_any:,} of {found['films']:,} films have at least one; {distinct:,} distinct in "
                        f"all."))  # fmt: skip


def _dates(page: Page, found: Mapping[str, Any]) -> None:
    page.section("dates", "Dates", "When the kept films were released. The month and weekday counts are the "
                 "figures the month and weekday routes answer (their Spanish names in brackets).")  # fmt: skip
    page.add(figure("per-year", plots.per_year("per-year", "Films per release year", found["per_year"]),
                    f"Films released each year, {found['first_year']} to {found['last_year']}."))  # fmt: skip
    months = found["per_month"]
    page.add(figure("per-month", plots.bars("per-month", "Films per release month",
                                            [n[:3] for n in MONTHS_EN], [m["films"] for m in months],
                                            "films released", horizontal=False, category_label="month"),
                    "Films released in each calendar month, all years together."))  # fmt: skip
    days = found["per_weekday"]
    page.add(figure("per-weekday", plots.bars("per-weekday", "Films per release weekday",
                                              [n[:3] for n in WEEKDAYS_EN], [d["films"] for d in days],
                                              "films released", horizontal=False, category_label="weekday"),
                    "Films released on each day of the week, Monday first."))  # fmt: skip
    page.add("<div class=side>"
             + table(["month", "films"], [[f"{m['number']} {MONTHS_EN[i]} ({escape(m['name'])})", number(m["films"])]
                                          for i, m in enumerate(months)], "Films per month", numeric=(1,))
             + table(["weekday", "films"], [[f"{d['number']} {WEEKDAYS_EN[i]} ({escape(d['name'])})",
                                             number(d["films"])] for i, d in enumerate(days)],
                     "Films per weekday", numeric=(1,))
             + "</div>")  # fmt: skip


def _relations(page: Page, found: Mapping[str, Any]) -> None:
    page.section("relations", "Relations", "How pairs of fields move together.")
    money_pair = found["budget_revenue"]
    page.add(figure("budget-revenue", plots.density("budget-revenue", "Budget against revenue",
                                                    money_pair["grid"], "budget (US dollars, log scale)",
                                                    "revenue (US dollars, log scale)", diagonal=True),
                    f"The {money_pair['films_with_both']:,} films with both a budget and a revenue; "
                    f"{money_pair['returned_more_than_budget']:,} earned more than they cost (above the line). "
                    f"Correlation of their logarithms: {number(money_pair['log_correlation'], 3)}."))  # fmt: skip
    votes = found["votes"]
    page.add(figure("votes", plots.density("votes", "Vote average against vote count", votes["grid"],
                                           "vote count (votes, log scale)", "vote average (points of 10)"),
                    f"The {votes['films_with_votes']:,} films with at least one vote; averages settle as votes "
                    f"grow. Correlation of the average with the log of the count: "
                    f"{number(votes['log_count_correlation'], 3)}."))  # fmt: skip
    genres = found["return_by_genre"]
    if genres:
        page.add(figure("return-genre", plots.ranges("return-genre", "Return by genre", genres,
                                                     "return (revenue / budget, log scale)"),
                        "Median return of each genre's films with a known return (dot), from the 25th to the "
                        "75th percentile (bar); films counted in brackets."))  # fmt: skip


def _people(page: Page, found: Mapping[str, Any]) -> None:
    page.section("people", "People", f"Credits per film, and the {TOP} directors and actors with the most films "
                 "with the returns the director and actor routes answer (an actor's films leave out those the "
                 "actor also directed).")  # fmt: skip
    for key, label in (("cast_size", "Cast"), ("crew_size", "Crew")):
        f = found[key]
        page.add(figure(key, plots.histogram(key, f"{label} size: films by people credited", f["histogram"],
                                             f"{label.lower()} credited", "people per film"),
                        f"{label} credited per film over the {f['films_with_any']:,} films with any "
                        f"({f['films_without']:,} have none); median {number(f['median'], 1)}, "
                        f"largest {number(f['max'], 0)}."))  # fmt: skip
    for key, label in (("top_directors", "Directors"), ("top_actors", "Actors")):
        page.add(table([label[:-1].lower(), "films", "total return", "average return"],
                       [[escape(r["name"]), number(r["films"]), number(r["total_return"]),
                         number(r["average_return"])] for r in found[key]],
                       f"{label} with the most films", numeric=(1, 2, 3)))  # fmt: skip


def _model(page: Page, model: Mapping[str, Any] | None) -> None:
    page.section("model", "The model", "The recommender's model: TF-IDF over each film's words and metadata, "
                 "reduced by SVD to dense vectors, searched with an Annoy index.")  # fmt: skip
    if not model:
        page.add("<p>This release has no model (built with --skip-model).</p>")
        return
    quality = model.get("quality") or {}
    page.add(table(["figure", "value", "what it means"], [
        ["films indexed", number(model.get("items")), "one vector per film"],
        ["terms", number(model.get("terms")), "the TF-IDF vocabulary"],
        ["dimensions", number(model.get("dimensions")), "SVD components per vector"],
        ["explained variance", share(model.get("explained_variance")), "of the TF-IDF matrix's variance, kept"],
        ["recall@10", number(model.get("recall_at_10"), 4), "share of the exact top 10 the index finds"],
        ["collection hit@5", number(quality.get("collection_hit_at_5"), 4),
         "films in a collection whose top 5 holds another of it"],
        ["genre Jaccard@10", number(quality.get("genre_jaccard_at_10"), 4), "genre overlap with the top 10"],
        *([["held-out hit@10", number(quality["holdout_hit_rate_at_10"], 4),
            "held-out viewers' liked films whose top 10 (the blend learned from the ratings) holds another they liked"]]
          if quality.get("holdout_hit_rate_at_10") is not None else []),
        ["build time", f"{number(model.get('build_seconds'), 1)} s", "fitting the model"],
    ], "The model's figures; the release gate compares the quality figures with the current release's",
        numeric=(1,)))  # fmt: skip
    ratios = model.get("explained_variance_by_dimension")
    if ratios:
        page.add(figure("variance", plots.explained_variance("variance", "Variance explained by each SVD "
                                                             "dimension", ratios),
                        f"How much of the TF-IDF matrix's variance each of the {len(ratios)} dimensions keeps "
                        f"(bars) and all of them so far (line): {share(sum(ratios))} in all."))  # fmt: skip
    if model.get("examples"):
        page.add(table(["film", "votes", "the model's top 5"],
                       [[film(e), number(e["votes"]), "<ol>" + "".join(f"<li>{film(t)}</li>" for t in e["top5"])
                         + "</ol>"] for e in model["examples"]],
                       "The most-voted films and their nearest films (the model's own lists, before the "
                       "recommender's re-ranking by metadata)", numeric=(1,)))  # fmt: skip


def _changes(page: Page, changes: Mapping[str, Any]) -> None:
    films = changes["films"]
    thresholds = changes["thresholds"]
    page.add(f"<p>Release {escape(changes['new'])} against its predecessor {escape(changes['old'])}: "
             f"{films['added']:,} films added, {films['removed']:,} removed, {films['changed']:,} of the "
             f"{films['kept']:,} kept have changed; {changes['flagged_figures']:,} figures flagged, "
             f"{len(changes['drifted_fields'])} numeric fields flagged for drift.</p>")  # fmt: skip
    for key, label in (("added", "Films added"), ("removed", "Films removed")):
        examples = films[f"{key}_examples"]
        if examples:
            page.add(table(["film"], [[film(r)] for r in examples],
                           f"{label}: {films[key]:,} (the first {len(examples)} by id)"))  # fmt: skip
    if films["changed"]:
        fields = ", ".join(f"{escape(k)} {v:,}" for k, v in films["changed_by_field"].items())
        page.add(f"<p>Films changed, by field: {fields}.</p>")
    rows = []
    for name, f in changes["drift"].items():
        flag = f"<span class=flag>{f['flag']}</span>" if f["flag"] else "<span class=ok>stable</span>"
        rows.append([escape(NUMBERS[name]["label"]), number(f["psi"], 4), number(f["ks_d"], 4), number(f["ks_p"], 4),
                     flag])  # fmt: skip
    page.add("<h3>Drift of the numeric fields</h3>")
    page.add(table(["field", "PSI", "KS D", "KS p-value", "flag"], rows,
                   f"Population stability index (watch from {thresholds['psi_watch']}, drift from "
                   f"{thresholds['psi_drift']}) and two-sample Kolmogorov-Smirnov test",
                   numeric=(1, 2, 3)))  # fmt: skip
    for name, f in changes["drift"].items():
        meta = NUMBERS[name]
        page.add(figure(f"drift-{name}", plots.overlay(f"drift-{name}", f"{meta['label']}: old and new "
                                                       f"(PSI {f['psi']:.3f})", f["old"], f["new"], meta["label"],
                                                       meta["unit"], (f"old: {changes['old']}",
                                                                      f"new: {changes['new']}")),
                        f"Share of each release's films by {meta['label'].lower()}, the predecessor solid and "
                        f"this release dashed; "
                        f"{'the shift is flagged ' + f['flag'] if f['flag'] else 'stable'}."))  # fmt: skip
    figures = changes["figures"]
    flagged = [r for r in figures if r["flagged"]]
    head = ["figure", "old", "new", "change", "relative"]

    def cells(r: Mapping[str, Any]) -> list[str]:
        rel = "–" if r["relative"] is None else f"{r['relative'] * 100:+.1f}%"
        return [escape(r["figure"]), number(r["old"], 4), number(r["new"], 4), number(r["change"], 4), rel]

    page.add("<h3>Flagged figures</h3>")
    if flagged:
        page.add(table(head, [[f"<span class=flag>{c[0]}</span>", *c[1:]] for c in map(cells, flagged)],
                       f"{len(flagged)} figures moved past their threshold", numeric=(1, 2, 3, 4)))  # fmt: skip
    else:
        page.add("<p class=ok>No figure moved past its threshold.</p>")
    page.add(f"<details><summary>Every figure, old and new ({len(figures):,})</summary>"
             + table(head, map(cells, figures), numeric=(1, 2, 3, 4)) + "</details>")  # fmt: skip


def _notes(page: Page, changes: Mapping[str, Any] | None) -> None:
    limits = dict(changes["thresholds"]) if changes is not None else ReportSettings().model_dump()
    page.section("notes", "How to read this report")
    page.add(
        "<ul><li>Films are those the pipeline kept; rows set aside are counted under The input.</li>"
        "<li>Log scales leave out zeros (unknown budgets and revenues are 0 in the raw file); the tables say "
        "how many.</li>"
        "<li>Drift: the population stability index of the values each plot shows, over ten bins at the "
        f"predecessor's deciles; below {limits['psi_watch']} stable, from {limits['psi_watch']} watch, from "
        f"{limits['psi_drift']} drift (zero and missing shares are compared as figures). The "
        "Kolmogorov-Smirnov D is the largest gap between the two cumulative distributions.</li>"
        f"<li>A figure is flagged when it moves by at least {limits['figure_change']:.0%} of its old value "
        f"(a count: and by at least {limits['count_floor']}), a model quality figure when it moves by at least "
        f"{limits['quality_change']}; the thresholds are settings (MARQUEE_REPORT_*).</li>"
        "<li>The same comparison for any two releases: <code>python -m marquee_etl releases diff A B</code>.</li></ul>"
    )
