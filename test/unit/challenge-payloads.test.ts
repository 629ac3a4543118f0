import assert from "node:assert/strict";
import { test } from "node:test";
import { actionPayloads } from "../../src/protocol/actions.js";

const create = actionPayloads["server/CREATE_CHALLENGE"];

test("a challenge's time control is M+S: minutes 1–180, seconds 0–180, no leading zeros", () => {
  for (const tc of ["1+0", "7+3", "10+0", "99+99", "100+5", "179+0", "180+180", "3+2"]) {
    assert.equal(create.safeParse({ timeControl: tc }).success, true, tc);
  }
  for (const tc of ["0+0", "0+5", "181+0", "200+0", "1+181", "1+200", "03+2", "3+02", "3+", "+2"]) {
    assert.equal(create.safeParse({ timeControl: tc }).success, false, tc);
  }
  for (const tc of ["3-2", " 3+2", "3+2\n", "1000+0", "3.5+2", "", 3, null]) {
    assert.equal(create.safeParse({ timeControl: tc }).success, false, String(tc));
  }
});

test("a challenge's colour, mode and addressee", () => {
  const ok = (p: unknown) => create.safeParse(p).success;
  assert.equal(ok({ timeControl: "3+2", color: "white", rated: true, to: "Bob_1" }), true);
  assert.equal(ok({ timeControl: "3+2", color: "random", to: null }), true);
  assert.equal(ok({ timeControl: "3+2", color: "red" }), false);
  assert.equal(ok({ timeControl: "3+2", to: "ab" }), false);
  assert.equal(ok({ timeControl: "3+2", to: "a".repeat(21) }), false);
  assert.equal(ok({ timeControl: "3+2", to: "no spaces" }), false);
  assert.equal(ok({ timeControl: "3+2", unknown: 1 }), false);
  const ref = actionPayloads["server/ACCEPT_CHALLENGE"];
  assert.equal(ref.safeParse({ challengeId: "AbC-_9" }).success, true);
  for (const id of ["", "a".repeat(65), "a.b", 1, undefined]) {
    assert.equal(ref.safeParse({ challengeId: id }).success, false, String(id));
  }
});
