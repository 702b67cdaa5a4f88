// The home page (/): what the page offers, with a few ways in.
import { h, link } from "./dom.js";
import { searchHref } from "./search.js";

export async function homePage(main, { setTitle }) {
  setTitle("");
  const example = "a cowboy doll and a space ranger toy";
  main.replaceChildren(
    h("h1", { tabindex: "-1" }, "Find a film"),
    h("p", { class: "lead" }, "Type a title in the box above: suggestions come from the second letter on, with ",
      "the year and the number of votes to tell films of the same title apart. Each film has its page, with the ",
      "films most similar to it and why."),
    h("section", { "aria-labelledby": "start-heading", class: "start" },
      h("h2", { id: "start-heading" }, "Where to start"),
      h("ul", {},
        h("li", {}, "A title: ", link(searchHref("Toy Story"), "Toy Story"), ", ", link(searchHref("Heat"), "Heat"),
          ", ", link(searchHref("Jumanji"), "Jumanji"), "."),
        h("li", {}, link("/describe", "Describe a film in words"), ", e.g. ",
          link(`/describe?text=${encodeURIComponent(example)}`, `“${example}”`), "."),
        h("li", {}, link("/data", "The data"), ": the release serving now and each release's data report."),
        h("li", {}, "For programs: ", link("/docs", "the API and its documentation", { "data-external": "" }), "."))));
}
