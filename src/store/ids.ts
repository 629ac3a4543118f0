// Random identifiers. Session ids carry 256 bits; other ids 72 bits, URL-safe.
import { randomBytes } from "node:crypto";

export const newSessionId = (): string => randomBytes(32).toString("base64url");
export const newId = (): string => randomBytes(9).toString("base64url");
