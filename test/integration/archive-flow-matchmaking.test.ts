// The whole path through the real parts: two registered players are paired for a rated game, play
// it to mate, see client/GAME_OVER.ratingDiff, and their profiles then move by exactly that much;
// twice in a row, so the second game starts from the rating the first one left.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Chess } from "chess.js";
import type { Game, ServerEvents } from "../../src/protocol/types.js";
import { register } from "../helpers/accounts.js";
import { testEnv } from "../helpers/env.js";
import { eventually } from "../helpers/games.js";
import { startInProcess } from "../helpers/instances.js";
import { join, type Player } from "../helpers/matchmaking.js";

const SCHOLARS_MATE = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];

interface Profile {
  username: string;
  ratings: Record<string, { rating: number; deviation: number; games: number }>;
  games: { total: number; wins: number; losses: number; draws: number };
}

async function profile(base: string, username: string): Promise<Profile> {
  const res = await fetch(`${base}/api/users/${username}`);
  assert.equal(res.status, 200);
  return (await res.json()) as Profile;
}

/** Pairs the two for a rated 3+2 game and plays scholar's mate; returns the game and GAME_OVER. */
async function playRated(
  players: Player[],
): Promise<{ game: Game; over: ServerEvents["client/GAME_OVER"] }> {
  const started = players.map((p) => p.client.next("client/START_GAME", 20_000));
  for (const p of players) {
    const ack = await p.client.send("server/START_MATCHMAKING", {
      timeControl: "3+2",
      rated: true,
      autoAccept: true,
    });
    assert.equal(ack.ok, true, JSON.stringify(ack));
  }
  const { game } = (await Promise.all(started))[0]!;
  for (const p of players)
    assert.equal((await p.client.send("game/PLAYER_READY", { gameId: game.id })).ok, true);
  const [white, black] =
    game.white.id === players[0]!.user.id ? players : [players[1]!, players[0]!];
  const overs = players.map((p) => p.client.next("client/GAME_OVER", 20_000));
  for (const [ply, uci] of SCHOLARS_MATE.entries()) {
    const mover = ply % 2 === 0 ? white! : black!;
    const ack = await mover.client.send("game/PLAYER_MOVE", { gameId: game.id, move: uci, ply });
    assert.equal(ack.ok, true, `${uci}: ${JSON.stringify(ack)}`);
  }
  const [over, other] = await Promise.all(overs);
  assert.deepEqual(over, other);
  return { game, over: over! };
}

test("a rated game played over sockets: the profiles move by exactly the announced ratingDiff", async (t) => {
  const env = testEnv({ PAIRING_INTERVAL_MS: "200" });
  const a = await startInProcess(env);
  const b = await startInProcess(env);
  t.after(async () => {
    await a.close();
    await b.close();
  });
  const regA = await register(a.url);
  const regB = await register(b.url);
  const players = [await join(a.url, regA.sessionId), await join(b.url, regB.sessionId)];
  t.after(() => players.forEach((p) => p.client.close()));
  const name = (id: string) => players.find((p) => p.user.id === id)!.user.username;

  let expected = new Map<string, number>([
    [regA.user.id, 1500],
    [regB.user.id, 1500],
  ]);
  for (let round = 1; round <= 2; round++) {
    const { game, over } = await playRated(players);
    assert.equal(over.result, "1-0");
    assert.ok(over.ratingDiff !== null, "a rated game announces a rating change");
    assert.ok(
      over.ratingDiff.white > 0 && over.ratingDiff.black < 0,
      JSON.stringify(over.ratingDiff),
    );
    expected = new Map([
      [game.white.id, expected.get(game.white.id)! + over.ratingDiff.white],
      [game.black.id, expected.get(game.black.id)! + over.ratingDiff.black],
    ]);
    for (const [id, rating] of expected) {
      const shown = await eventually(
        async () => {
          const p = await profile(a.url, name(id));
          return p.ratings.blitz!.games === round ? p : undefined;
        },
        `${name(id)}'s game ${round} to be archived`,
      );
      assert.equal(shown.ratings.blitz!.rating, rating, `${name(id)} after game ${round}`);
      assert.equal(shown.games.total, round);
    }
    const pgn = await (await fetch(`${b.url}/api/games/${game.id}/pgn`)).text();
    const chess = new Chess();
    chess.loadPgn(pgn);
    assert.equal(chess.history().length, SCHOLARS_MATE.length);
    const headers = chess.getHeaders();
    assert.equal(headers.Result, "1-0");
    assert.equal(headers.WhiteRatingDiff, `+${over.ratingDiff.white}`);
    assert.equal(headers.BlackRatingDiff, String(over.ratingDiff.black));
  }
  const history = (await (
    await fetch(`${a.url}/api/users/${name(regA.user.id)}/games`)
  ).json()) as { games: Game[] };
  assert.equal(history.games.length, 2);
});
