// Search as you type (an ARIA combobox in the header) and the search page (/search?q=).
import { api, ApiError, isAbort, SUGGESTIONS } from "./api.js";
import { h, link, errorBox, loading, announce, listOf, plural } from "./dom.js";
import { filmCard, twins, votes } from "./cards.js";

const MIN_CHARS = 2;
const DEBOUNCE_MS = 60;
const MATCH_WORDS = { EXACT: "exact title", PREFIX: "title starts so", FUZZY: "close spelling" };
const PAGE_SIZE = 20;

export const searchHref = (text) => `/search?q=${encodeURIComponent(text)}`;

// The catalog's close titles for words that match no film (the titles route says "did you mean").
export async function didYouMean(text, signal) {
  try {
    await api.titleVotes(text, { signal });
    return [text];
  } catch (err) {
    if (isAbort(err)) throw err;
    if (err instanceof ApiError && err.status === 404) return err.suggestions;
    throw err;
  }
}

function noMatch(text, suggestions) {
  const words = [h("strong", {}, "No film matches "), `“${text}”.`];
  if (suggestions.length) {
    words.push(" Did you mean ", listOf(suggestions.map((s) => link(searchHref(s), s))), "?");
  } else {
    words.push(" Check the spelling, or describe the film in words: ", link(`/describe?text=${encodeURIComponent(text)}`, "describe a film"), ".");
  }
  return h("p", { class: "no-match" }, words);
}

export class Combobox {
  constructor({ form, input, list, note, go }) {
    Object.assign(this, { form, input, list, note, go });
    this.hits = [];
    this.hitsFor = null; // the words the hits answer
    this.active = -1;
    this.controller = null;
    this.timer = 0;
    input.addEventListener("input", () => this.changed());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => window.setTimeout(() => this.close(), 150));
    input.addEventListener("focus", () => { if (this.hits.length && this.hitsFor === this.words()) this.open(); });
    form.addEventListener("submit", (event) => { event.preventDefault(); this.enter(); });
    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(Number(option.dataset.index));
    });
  }

  words() {
    return this.input.value.trim();
  }

  changed() {
    window.clearTimeout(this.timer);
    this.note.replaceChildren();
    const words = this.words();
    if (words.length < MIN_CHARS) {
      this.cancel();
      this.hits = [];
      this.hitsFor = null;
      this.close();
      return;
    }
    this.timer = window.setTimeout(() => this.lookUp(words), DEBOUNCE_MS);
  }

  cancel() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  async lookUp(words) {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    try {
      const page = await api.search(words, { pageSize: SUGGESTIONS, signal: controller.signal });
      if (controller.signal.aborted || words !== this.words()) return null;
      this.show(words, page.hits);
      if (!page.hits.length) {
        const suggestions = await didYouMean(words, controller.signal);
        if (words === this.words()) this.note.replaceChildren(noMatch(words, suggestions));
      }
      return page.hits;
    } catch (err) {
      if (isAbort(err)) return null;
      if (words === this.words()) {
        this.show(words, []);
        this.note.replaceChildren(errorBox(err, { hrefOf: searchHref }));
      }
      return null;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  show(words, hits) {
    this.hits = hits;
    this.hitsFor = words;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    const twin = twins(hits, (hit) => `${hit.movie.title}|${hit.movie.year}|${hit.vote_count}`);
    this.list.replaceChildren(...hits.map((hit, index) => {
      const meta = `${hit.movie.year || "year unknown"} · ${votes(hit.vote_count)}${twin(hit) ? ` · id ${hit.movie.id}` : ""}`;
      return h("li", { id: `suggestion-${index}`, role: "option", "aria-selected": "false", "data-index": index,
        class: "option" }, h("span", { class: "option-title" }, hit.movie.title),
      h("span", { class: "option-meta" }, `, ${meta}`));
    }));
    this.list.dataset.for = words; // the words these suggestions answer
    if (hits.length && document.activeElement === this.input) {
      this.open();
      announce(`${plural(hits.length, "film")} suggested; arrow keys to choose`);
    } else {
      this.close();
    }
  }

  open() {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.setActive(-1);
  }

  isOpen() {
    return !this.list.hidden;
  }

  setActive(index) {
    this.active = index;
    const options = this.list.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0 && options[index]) {
      this.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  key(event) {
    const count = this.hits.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      if (!this.isOpen()) {
        this.open();
        this.setActive(event.key === "ArrowDown" ? 0 : count - 1);
        return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.setActive((this.active + step + count + (this.active < 0 && step < 0 ? 1 : 0)) % count);
    } else if (event.key === "Escape") {
      if (this.isOpen()) {
        event.preventDefault();
        this.close();
      } else if (this.input.value) {
        event.preventDefault();
        this.input.value = "";
        this.changed();
      }
    } else if (event.key === "Home" || event.key === "End") {
      if (this.isOpen() && count) {
        event.preventDefault();
        this.setActive(event.key === "Home" ? 0 : count - 1);
      }
    }
  }

  choose(index) {
    const hit = this.hits[index];
    if (!hit) return;
    this.close();
    this.note.replaceChildren();
    this.go(`/films/${hit.movie.id}`);
  }

  // Enter: the chosen suggestion, else the best match of the words in the box, else the search page
  // (which says that nothing matches and offers close titles).
  async enter() {
    if (this.isOpen() && this.active >= 0) {
      this.choose(this.active);
      return;
    }
    const words = this.words();
    if (!words) return;
    window.clearTimeout(this.timer);
    let hits = this.hitsFor === words ? this.hits : null;
    if (hits === null) hits = (await this.lookUp(words)) || [];
    if (words !== this.words()) return;
    this.close();
    this.note.replaceChildren(); // the search page says it again, with more room
    if (hits.length) this.go(`/films/${hits[0].movie.id}`);
    else this.go(searchHref(words));
  }
}

// /search?q=words: every film whose title matches, page after page.
export async function searchPage(main, { url, signal, setTitle }) {
  const words = (url.searchParams.get("q") || "").trim();
  const input = document.getElementById("q");
  if (input && words && input.value.trim() !== words) input.value = words;
  setTitle(words ? `Films matching “${words}”` : "Search");
  const heading = h("h1", { tabindex: "-1" }, words ? `Films matching “${words}”` : "Search for a film");
  main.replaceChildren(heading);
  if (!words) {
    main.append(h("p", {}, "Type a title in the search box above: suggestions come as you type."));
    return;
  }
  const status = h("p", { class: "status", role: "status" });
  const list = h("ol", { class: "cards" });
  const more = h("button", { type: "button", class: "more", hidden: true }, "More films");
  main.append(loading("the films"));
  let token = "";
  let shown = 0;
  const seen = [];
  async function next() {
    const page = await api.search(words, { pageSize: PAGE_SIZE, pageToken: token, signal });
    seen.push(...page.hits);
    const twin = twins(seen, (hit) => `${hit.movie.title}|${hit.movie.year}|${hit.vote_count}`);
    for (const hit of page.hits) {
      list.append(filmCard(hit.movie, { level: 2, details: [votes(hit.vote_count), MATCH_WORDS[hit.match] || ""],
        withId: twin(hit) }));
    }
    shown += page.hits.length;
    token = page.next_page_token;
    more.hidden = !token;
    const total = page.total_capped ? `more than ${page.total_size}` : String(page.total_size);
    status.textContent = `${shown} of ${total} films shown.`;
    return page;
  }
  try {
    const page = await next();
    main.querySelector(".loading")?.remove();
    if (!page.hits.length) {
      main.append(noMatch(words, await didYouMean(words, signal)));
      return;
    }
    main.append(status, list, more);
    more.addEventListener("click", async () => {
      more.disabled = true;
      const before = list.children.length;
      try {
        await next();
        list.children[before]?.querySelector("a")?.focus();
      } catch (err) {
        if (!isAbort(err)) more.after(errorBox(err));
      } finally {
        more.disabled = false;
      }
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    main.querySelector(".loading")?.remove();
    main.append(errorBox(err, { hrefOf: searchHref }));
  }
}
