// HTTP helpers for the account tests. Every response body passes through `checkBody`, which fails
// the test if it ever shows a password hash, a stack trace or a query.
import assert from "node:assert/strict";
import type { LiveState, PublicUser } from "../../src/protocol/types.js";
import { uniqueName } from "./env.js";

/** Every field any account endpoint answers with; each response has some of them. */
export interface ApiBody {
  sessionId: string;
  user: PublicUser;
  state: LiveState;
  error: { code: string; message: string };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (null when empty or not JSON). */
  json: ApiBody;
}

const LEAKS = [
  /\$argon2/i,
  /passwordHash/i,
  /\bat .+:\d+:\d+/,
  // A `stack` field; not the bare word, which a random session id can spell ("…mSTAcka…").
  /"stack"\s*:/i,
  /usernameLower/,
  /MongoServerError/,
];

export function checkBody(text: string): void {
  for (const leak of LEAKS)
    assert.doesNotMatch(text, leak, `response leaks ${leak}: ${text.slice(0, 200)}`);
}

export async function api(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  checkBody(text);
  return { status: res.status, headers: res.headers, text, json: parseJson(text) as ApiBody };
}

function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** A fresh valid username (3–20 chars). */
export const newUsername = (): string => uniqueName("u_");

export const PASSWORD = "correct horse battery";

export async function register(base: string, username = newUsername(), password = PASSWORD) {
  const res = await api(base, "POST", "/api/register", { body: { username, password } });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** The `sid` cookie set by a response, as a `Cookie` header value, and its attributes. */
export function sessionCookie(res: ApiResponse): { header: string; attributes: string } {
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("sid="));
  assert.ok(setCookie, "a sid cookie is set");
  return { header: setCookie.split(";")[0]!, attributes: setCookie };
}
