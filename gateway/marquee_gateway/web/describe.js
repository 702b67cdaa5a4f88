// Describe a film in words (/describe?text=...): the films whose story is closest, as cards.
import { api, isAbort } from "./api.js";
import { h, errorBox, loading, announce, plural } from "./dom.js";
import { recommendationCards } from "./cards.js";

const EXAMPLE = "a cowboy doll and a space ranger toy";
const MAX_CHARS = 200;

export async function describePage(main, { url, signal, setTitle, go }) {
  const text = (url.searchParams.get("text") || "").trim();
  setTitle(text ? `Films like “${text}”` : "Describe a film");
  const box = h("textarea", { id: "describe-text", name: "text", rows: 3, maxlength: MAX_CHARS, required: true,
    placeholder: EXAMPLE, "aria-describedby": "describe-help" });
  box.value = text;
  const form = h("form", { class: "describe", action: "/describe", method: "get" },
    h("label", { for: "describe-text" }, "Describe the film in your own words"),
    box,
    h("p", { id: "describe-help", class: "help" },
      `A few words about its story, up to ${MAX_CHARS} characters: “${EXAMPLE}”.`),
    h("button", { type: "submit" }, "Find films"));
  const results = h("div", { class: "results" });
  main.replaceChildren(h("h1", { tabindex: "-1" }, "Describe a film"), form, results);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = box.value.trim();
    if (!words) {
      results.replaceChildren(h("p", { class: "error", role: "alert" }, "Write a few words about the film first."));
      box.focus();
      return;
    }
    go(`/describe?text=${encodeURIComponent(words)}`, { focus: "#describe-results" });
  });
  if (!text) return;
  results.replaceChildren(loading("the films"));
  try {
    const answer = await api.describe(text, { signal });
    const items = answer.recommendations || [];
    const words = items.length ? `The ${plural(items.length, "film")} closest to “${text}”, best first.`
      : `No film is close to “${text}”.`;
    results.replaceChildren(h("h2", { id: "describe-results", tabindex: "-1" }, "Films that match"),
      h("p", { class: "status" }, words), items.length ? recommendationCards(items) : "");
    announce(words);
  } catch (err) {
    if (isAbort(err)) throw err;
    results.replaceChildren(errorBox(err));
  }
}
