// The public /v1 API, and nothing else: every request of the page goes through `getJson`.
// An answer that is not 2xx becomes an ApiError carrying the API's own words
// ({"error": {"code", "message", "suggestions"}}), or words of ours when the answer has none.

export class ApiError extends Error {
  constructor(status, code, message, suggestions = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.suggestions = Array.isArray(suggestions) ? suggestions.filter((s) => typeof s === "string") : [];
  }
}

const STATUS_WORDS = {
  400: "the request could not be answered as asked",
  404: "nothing was found",
  414: "the request is too long",
  422: "the request is not valid",
  429: "the service is busy",
  500: "the gateway failed",
  502: "a service behind the gateway failed",
  503: "a service is unavailable",
  504: "a service did not answer in time",
};

export function isAbort(err) {
  return err && err.name === "AbortError";
}

export async function getJson(url, { signal } = {}) {
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, "NETWORK", "The gateway could not be reached: check the connection, then try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    if (isAbort(err)) throw err;
    body = null;
  }
  if (!response.ok) {
    const error = body && typeof body === "object" ? body.error : null;
    if (error && typeof error.message === "string" && error.message) {
      throw new ApiError(response.status, String(error.code || response.status), error.message, error.suggestions);
    }
    const words = STATUS_WORDS[response.status] || "the request failed";
    throw new ApiError(response.status, `HTTP_${response.status}`,
      `The API answered ${response.status} (${words}) without saying why.`);
  }
  if (body === null || typeof body !== "object") {
    throw new ApiError(response.status, "UNREADABLE", "The API's answer could not be read.");
  }
  return body;
}

// A path segment: "AC/DC" -> "AC%2FDC"; "." and ".." stay names, not directions.
export function segment(value) {
  const encoded = encodeURIComponent(String(value));
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, "%2E") : encoded;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(name, String(one));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const SUGGESTIONS = 8;
export const SIMILAR = 10;
export const DESCRIBED = 20;

export const api = {
  search: (text, { pageSize = SUGGESTIONS, pageToken = "", signal } = {}) =>
    getJson(`/v1/movies${query({ query: text, page_size: pageSize, page_token: pageToken })}`, { signal }),
  movie: (id, options) => getJson(`/v1/movies/${segment(id)}`, options),
  similar: (id, filters = {}, options = {}) =>
    getJson(`/v1/movies/${segment(id)}/similar${query({ limit: SIMILAR, ...filters })}`, options),
  describe: (text, options) => getJson(`/v1/recommendations${query({ text, limit: DESCRIBED })}`, options),
  // The catalog's "did you mean" for a title: the titles route answers 404 with close titles.
  titleVotes: (title, options) => getJson(`/v1/titles/${segment(title)}/votes`, options),
  actor: (name, options) => getJson(`/v1/actors/${segment(name)}`, options),
  director: (name, options) => getJson(`/v1/directors/${segment(name)}`, options),
  collection: (name, options) => getJson(`/v1/collections/${segment(name)}`, options),
  company: (name, options) => getJson(`/v1/companies/${segment(name)}`, options),
  country: (code, options) => getJson(`/v1/countries/${segment(code)}`, options),
  language: (code, options) => getJson(`/v1/languages/${segment(code)}`, options),
  model: (options) => getJson("/v1/model", options),
  releases: (options) => getJson("/v1/releases", options),
  allReleases: (options) => getJson("/v1/releases/all", options),
};

export const CURRENT_REPORT = "/v1/releases/current/report";
