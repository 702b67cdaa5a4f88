// Small DOM helpers: elements from data (never from HTML strings), numbers in words, errors in words.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function link(href, text, attrs = {}) {
  return h("a", { href, ...attrs }, text);
}

// A comma-separated run of nodes: "A, B and C".
export function listOf(items) {
  const out = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(i === items.length - 1 ? " and " : ", ");
    out.push(item);
  });
  return out;
}

const whole = new Intl.NumberFormat("en-US");
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

export function count(n) {
  return whole.format(n);
}

export function dollars(n) {
  return n ? money.format(n) : "unknown";
}

export function ratio(n) {
  return n ? `${n.toFixed(2)}×` : "unknown";
}

export function decimal(n, digits = 2) {
  return typeof n === "number" && Number.isFinite(n) ? n.toFixed(digits) : "not measured";
}

export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function date(iso) {
  if (!iso) return "unknown";
  const parsed = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return iso;
  return parsed.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

export function dateTime(iso) {
  if (!iso) return "unknown";
  const parsed = new Date(iso);
  if (Number.isNaN(parsed.getTime())) return iso;
  return `${parsed.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

// A definition list of [term, value, wide] items; a value may be a node, text or a list of them; a wide
// one takes a whole row.
export function facts(pairs, attrs = {}) {
  const dl = h("dl", { class: "facts", ...attrs });
  for (const [term, value, wide] of pairs) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) continue;
    dl.append(h("div", { class: wide ? "wide" : null }, h("dt", {}, term), h("dd", {}, value)));
  }
  return dl;
}

const HEADLINES = {
  0: "The gateway could not be reached",
  404: "Not found",
  414: "Too long",
  422: "Not a valid request",
  429: "Busy",
  503: "Unavailable",
  504: "No answer in time",
};

// An error in words, with the API's suggestions as links (`hrefOf(suggestion)`), never a blank page.
export function errorBox(err, { hrefOf = null, lead = "" } = {}) {
  const status = typeof err.status === "number" ? err.status : -1;
  const headline = HEADLINES[status] || (status >= 500 ? "Something failed on our side" : "Something went wrong");
  const suggestions = err.suggestions || [];
  let message = err.message || String(err);
  if (suggestions.length && hrefOf) message = message.replace(/;?\s*did you mean .*$/is, ".").replace(/\.\.$/, ".");
  const box = h("div", { class: "error", role: "alert" },
    h("p", {}, h("strong", {}, `${headline}. `), lead, message));
  if (suggestions.length && hrefOf) {
    box.append(h("p", { class: "did-you-mean" }, "Did you mean ",
      listOf(suggestions.map((s) => link(hrefOf(s), s))), "?"));
  }
  return box;
}

export function loading(what) {
  return h("p", { class: "loading", role: "status" }, `Loading ${what}…`);
}

export function announce(text) {
  const region = document.getElementById("announce");
  if (!region) return;
  region.textContent = "";
  // A change the screen reader notices even when the same words come twice.
  window.setTimeout(() => { region.textContent = text; }, 30);
}
