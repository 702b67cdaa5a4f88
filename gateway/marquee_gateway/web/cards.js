// Film cards, shared by every list of films, and the poster drawn from a title (nothing from outside).
import { h, link, count, decimal } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

function hash(text) {
  let value = 2166136261;
  for (let i = 0; i < text.length; i += 1) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 16777619);
  }
  return value >>> 0;
}

// The title in lines of at most `width` characters (a longer word gets its own line, cut).
function lines(title, width, most) {
  const out = [];
  let line = "";
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= width) line = next;
    else {
      if (line) out.push(line);
      line = word.length > width ? `${word.slice(0, width - 1)}…` : word;
    }
  }
  if (line) out.push(line);
  if (out.length > most) {
    out.length = most;
    out[most - 1] = `${out[most - 1].slice(0, width - 1)}…`;
  }
  return out;
}

// A 2:3 placeholder poster: colours and a shape chosen by the title's hash, the title and year on it.
export function poster(title, year, size = "small") {
  const seed = hash(`${title}|${year || ""}`);
  const hue = seed % 360;
  const other = (hue + 40 + ((seed >>> 9) % 160)) % 360;
  const shape = (seed >>> 17) % 3;
  const words = lines(title || "?", 11, 5);
  const top = 150 - words.length * 14;
  const art = [
    svg("rect", { width: 200, height: 300, fill: `hsl(${hue} 45% 22%)` }),
    shape === 0 ? svg("circle", { cx: 40 + (seed % 120), cy: 70, r: 90, fill: `hsl(${other} 50% 27%)` })
      : shape === 1 ? svg("polygon", { points: "0,300 200,120 200,300", fill: `hsl(${other} 50% 27%)` })
        : svg("rect", { x: 0, y: 180, width: 200, height: 120, fill: `hsl(${other} 45% 27%)` }),
    svg("rect", { x: 12, y: 12, width: 176, height: 276, fill: "none", stroke: "#ffffff", "stroke-opacity": 0.35 }),
  ];
  const text = svg("text", { x: 100, y: top, "text-anchor": "middle", fill: "#ffffff", "font-size": 22,
    "font-weight": 700, "font-family": "system-ui, sans-serif" });
  words.forEach((word, i) => text.append(svg("tspan", { x: 100, dy: i ? 28 : 0 }, word)));
  art.push(text);
  if (year) {
    art.push(svg("text", { x: 100, y: 270, "text-anchor": "middle", fill: "#ffffff", "font-size": 18,
      "font-family": "system-ui, sans-serif" }, String(year)));
  }
  return svg("svg", { class: `poster poster-${size}`, viewBox: "0 0 200 300", "aria-hidden": "true",
    focusable: "false" }, ...art);
}

export const REASONS = {
  SAME_COLLECTION: "same collection",
  SAME_DIRECTOR: "same director",
  SAME_VIEWERS: "same viewers liked both",
  SHARED_GENRES: "shared genres",
  TEXT_SIMILARITY: "similar story",
};
const REASON_ORDER = Object.keys(REASONS);

// "REASON_SAME_COLLECTION" or "SAME_COLLECTION" -> "same collection"; an unknown one in plain words.
export function reasonLabel(reason) {
  const key = String(reason).replace(/^REASON_/, "");
  return REASONS[key] || key.toLowerCase().replace(/_/g, " ");
}

function reasonList(item) {
  const reasons = [...(item.reasons || [])].map((r) => String(r).replace(/^REASON_/, ""));
  reasons.sort((a, b) => (REASON_ORDER.indexOf(a) + 1 || 99) - (REASON_ORDER.indexOf(b) + 1 || 99));
  if (!reasons.length) return null;
  return h("ul", { class: "reasons", "aria-label": "Why it is similar" },
    reasons.map((reason) => {
      let label = reasonLabel(reason);
      if (reason === "SHARED_GENRES" && item.shared_genres && item.shared_genres.length) {
        label = `${label}: ${item.shared_genres.join(", ")}`;
      }
      return h("li", { class: `reason reason-${reason.toLowerCase().replace(/_/g, "-")}` }, label);
    }));
}

// A test of the films of a list that another of it matches on `key` (title and year, by default): the
// page shows their ids, the one thing left to tell them apart.
export function twins(movies, key = (m) => `${m.title}|${m.year}`) {
  const counts = new Map();
  for (const movie of movies) counts.set(key(movie), (counts.get(key(movie)) || 0) + 1);
  return (movie) => counts.get(key(movie)) > 1;
}

// One film in a list: `movie` is a MovieRef; `details` what to say under the title; `item` a recommendation.
export function filmCard(movie, { details = [], item = null, level = 3, withId = false } = {}) {
  const heading = h(`h${level}`, { class: "card-title" }, link(`/films/${movie.id}`, movie.title));
  const body = h("div", { class: "card-body" }, heading,
    h("p", { class: "card-meta" }, [movie.year ? String(movie.year) : "year unknown", ...details,
      withId ? `id ${movie.id}` : ""].filter(Boolean).join(" · ")));
  if (item) {
    const reasons = reasonList(item);
    if (reasons) body.append(reasons);
    body.append(h("p", { class: "score" },
      `score ${decimal(item.score)} · similarity ${Math.round((item.similarity || 0) * 100)}%`));
  }
  return h("li", { class: "card" }, poster(movie.title, movie.year), body);
}

export function recommendationCards(items) {
  const twin = twins(items.map((item) => item.movie));
  return h("ol", { class: "cards" }, items.map((item) =>
    filmCard(item.movie, { details: [(item.genres || []).join(", ")], item, withId: twin(item.movie) })));
}

export function votes(n) {
  return `${count(n)} ${n === 1 ? "vote" : "votes"}`;
}
