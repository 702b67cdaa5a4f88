// The page's entry: routes each URL to its page with the History API (a URL can be shared and
// reloaded: the gateway answers every page path with this same shell), and wires the search box.
import { isAbort } from "./api.js";
import { h, errorBox } from "./dom.js";
import { Combobox, searchPage } from "./search.js";
import { homePage } from "./home.js";
import { filmPage } from "./film.js";
import { groupPage } from "./groups.js";
import { describePage } from "./describe.js";
import { dataPage } from "./data.js";

const ROUTES = [
  [/^\/$/, homePage],
  [/^\/search$/, searchPage],
  [/^\/describe$/, describePage],
  [/^\/data$/, dataPage],
  [/^\/films\/([^/]*)$/, filmPage],
  [/^\/actors\/(.*)$/s, groupPage("actors")],
  [/^\/directors\/(.*)$/s, groupPage("directors")],
  [/^\/collections\/(.*)$/s, groupPage("collections")],
  [/^\/companies\/(.*)$/s, groupPage("companies")],
  [/^\/countries\/(.*)$/s, groupPage("countries")],
  [/^\/languages\/(.*)$/s, groupPage("languages")],
];

const main = document.getElementById("main");
let current = null; // the AbortController of the page being shown

function setTitle(title) {
  document.title = title ? `${title} · Marquee` : "Marquee: find a film";
}

function match(pathname) {
  for (const [pattern, page] of ROUTES) {
    const found = pattern.exec(pathname);
    if (found) return { page, params: found.slice(1) };
  }
  return null;
}

function notFound(target) {
  main.replaceChildren(h("h1", { tabindex: "-1" }, "No such page"),
    errorBox({ status: 404, message: `This site has no page at ${target.pathname}.` }),
    h("p", {}, h("a", { href: "/" }, "Start again from the home page"), "."));
}

async function render({ focus = null } = {}) {
  if (current) current.abort();
  const controller = new AbortController();
  current = controller;
  const url = new URL(window.location.href);
  const found = match(url.pathname);
  main.setAttribute("aria-busy", "true");
  try {
    if (!found) notFound(url);
    else await found.page(main, { params: found.params, url, signal: controller.signal, setTitle, go });
  } catch (err) {
    if (isAbort(err) || controller.signal.aborted) return;
    main.replaceChildren(h("h1", { tabindex: "-1" }, "Something went wrong"), errorBox(err));
  } finally {
    if (current === controller) main.removeAttribute("aria-busy");
  }
  if (focus && current === controller) {
    const target = main.querySelector(focus) || main.querySelector("h1") || main;
    target.focus({ preventScroll: false });
  }
}

// Show `href` (a page of this site) as a new history entry; the heading takes the focus, so a
// keyboard or screen reader starts at the new content.
export function go(href, { replace = false, focus = "h1" } = {}) {
  const target = new URL(href, window.location.href);
  if (`${target.pathname}${target.search}` === `${window.location.pathname}${window.location.search}` && !replace) {
    replace = true;
  }
  window.history[replace ? "replaceState" : "pushState"]({}, "", `${target.pathname}${target.search}${target.hash}`);
  window.scrollTo(0, 0);
  return render({ focus });
}

function isPage(anchor) {
  if (anchor.target && anchor.target !== "_self") return false;
  if (anchor.hasAttribute("download") || anchor.hasAttribute("data-external")) return false;
  const target = new URL(anchor.href, window.location.href);
  if (target.origin !== window.location.origin) return false;
  if (target.pathname === window.location.pathname && target.search === window.location.search && target.hash) {
    return false; // an anchor on this page (the skip link)
  }
  return match(target.pathname) !== null;
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const anchor = event.target.closest("a[href]");
  if (!anchor || !isPage(anchor)) return;
  event.preventDefault();
  go(anchor.href);
});

window.addEventListener("popstate", () => render({ focus: "h1" }));

new Combobox({
  form: document.getElementById("search"),
  input: document.getElementById("q"),
  list: document.getElementById("suggestions"),
  note: document.getElementById("search-note"),
  go: (href) => go(href),
});

render();
