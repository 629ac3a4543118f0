// The entry screen: log in, register, or play as a guest. Each ends with a session id.
import { api, ApiError, type SessionAnswer } from "../api.js";
import { h } from "../dom.js";
import { humanError } from "../messages.js";

export function entryView(onSession: (answer: SessionAnswer) => void): HTMLElement {
  const username = h("input", {
    id: "username",
    name: "username",
    autocomplete: "username",
    required: true,
    minlength: 3,
    maxlength: 20,
    pattern: "[A-Za-z0-9_\\-]+",
  });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
    minlength: 8,
    maxlength: 128,
  });
  const error = h("p", { class: "error", role: "alert" });
  const buttons: HTMLButtonElement[] = [];

  const run = async (task: () => Promise<SessionAnswer>) => {
    error.textContent = "";
    for (const b of buttons) b.disabled = true;
    try {
      onSession(await task());
    } catch (err) {
      error.textContent = humanError(err instanceof ApiError ? err.code : undefined);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  const withCredentials = (register: boolean) => (e: Event) => {
    e.preventDefault();
    const form = username.form!;
    if (!form.reportValidity()) return;
    void run(() =>
      register
        ? api.register(username.value, password.value)
        : api.login(username.value, password.value),
    );
  };

  const login = h(
    "button",
    { type: "submit", class: "primary", onclick: withCredentials(false) },
    "Log in",
  );
  const register = h(
    "button",
    { type: "submit", class: "register", onclick: withCredentials(true) },
    "Register",
  );
  const guest = h(
    "button",
    { type: "button", class: "guest", onclick: () => void run(api.guest) },
    "Play as guest",
  );
  buttons.push(login, register, guest);

  return h(
    "section",
    { class: "entry", "aria-label": "Sign in" },
    h("h2", {}, "Welcome"),
    h(
      "form",
      { class: "card", novalidate: false, onsubmit: (e: Event) => e.preventDefault() },
      h("label", { for: "username" }, "Username"),
      username,
      h("p", { class: "hint" }, "3–20 letters, digits, _ or -"),
      h("label", { for: "password" }, "Password"),
      password,
      h("p", { class: "hint" }, "At least 8 characters"),
      h("div", { class: "row" }, login, register),
      error,
    ),
    h("p", { class: "or" }, "or"),
    guest,
  );
}
