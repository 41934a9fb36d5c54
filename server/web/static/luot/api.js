// The API client of every screen: JSON in and out, errors in API.md's shape, and staff actions that are
// retried with the same request id when the network blips (the server never acts twice).

import { language } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.status = status; // 0 when the server could not be reached
    this.code = code;
    this.details = details;
  }

  get unreachable() {
    return this.status === 0 || this.status >= 502;
  }
}

/** A random request id; crypto.randomUUID needs HTTPS, which a centre's LAN may not have. */
export function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function api(path, { method = "GET", body, token, timeout = 10000 } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": language() };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (error) {
    throw new ApiError(0, "unreachable", error.message);
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const failure = data?.error ?? {};
    throw new ApiError(response.status, failure.code ?? "error", failure.message ?? response.statusText, failure.details);
  }
  return data;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A staff action: POST with a request id, retried with the same id while the server is unreachable.
 * `onRetry(attempt, error)` lets the screen say that it is retrying.
 */
export async function act(path, body = {}, { token, attempts = 6, onRetry } = {}) {
  const payload = { ...body, request_id: body.request_id ?? requestId() };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api(path, { method: "POST", body: payload, token });
    } catch (error) {
      if (!(error instanceof ApiError) || !error.unreachable || attempt >= attempts) throw error;
      onRetry?.(attempt, error);
      await sleep(Math.min(8000, 500 * 2 ** (attempt - 1)));
    }
  }
}
