// The Kubernetes part of `npm run test:deploy`: the manifests validated strictly by
// tools/k8s-validate, then the Deployment run by `podman kube play`, 2 replicas on the host's
// network (the variant that the validator writes: deploy/kubernetes/README.md, Tested here).
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { playAcross } from "./deploy-game.mjs";
import {
  freePort,
  goBinary,
  podmanIn,
  run,
  runShown,
  stopGracefully,
  until,
} from "./deploy-podman.mjs";
import { IMAGES } from "./deploy-standins.mjs";

/** The pods' containers that `podman kube play` names after the Deployment. */
export const KUBE_PODS = ["chess-server-pod-0-chess-server", "chess-server-pod-1-chess-server"];

/** The validator's tests, then the repository's manifests; returns their paths from the tool. */
export function validateManifests(root) {
  const cwd = join(root, "tools", "k8s-validate");
  const manifests = readdirSync(join(root, "deploy", "kubernetes"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => `../../deploy/kubernetes/${f}`);
  const go = goBinary();
  // Among the tests: manifests with an unknown field or a wrong type are refused.
  runShown(go, ["test", "./..."], { cwd });
  runShown(go, ["run", ".", "-env-from", "../../src/config.ts", ...manifests], { cwd });
  return manifests;
}

/**
 * Redis and FerretDB on loopback ports (containers on the host's network, named `stores`), the
 * Deployment played from `playFile`, each replica ready and healthy, a game between the two, and
 * each replica stopped with SIGTERM.
 */
export async function kubePlay({ env, root, manifests, playFile, stores, shutdownMs }) {
  const podman = podmanIn(env);
  const [redisPort, mongoPort] = [await freePort(), await freePort()];
  const onHost = (name, image, args) =>
    podman(["run", "-d", "--name", name, "--network", "host", image, ...args.split(" ")]);
  onHost(stores[0], IMAGES.redis, `redis-server --port ${redisPort} --bind 127.0.0.1`);
  onHost(stores[1], IMAGES.ferretdb, `--listen 127.0.0.1:${mongoPort}`);
  const sets = {
    PORT: "0",
    HOST: "127.0.0.1",
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    MONGO_URL: `mongodb://127.0.0.1:${mongoPort}/chess`,
  };
  const setArgs = Object.entries(sets).flatMap(([k, v]) => ["-set", `${k}=${v}`]);
  const cwd = join(root, "tools", "k8s-validate");
  writeFileSync(
    playFile,
    run(goBinary(), ["run", ".", "-podman", ...setArgs, ...manifests], { cwd }).stdout,
  );
  podman(["kube", "play", playFile]);
  const urls = [];
  for (const name of KUBE_PODS) {
    const fmt = "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}";
    const seen = podman(["inspect", "--format", fmt, name]).stdout.trim();
    assert.equal(seen, "1000:1000 true", `${name}: the securityContext (user, read-only root)`);
    // Each replica picked a port of its own (PORT=0) and says which in its log.
    const url = await until(
      async () => {
        const log = podman(["logs", name], { allowFail: true }).stdout;
        return /"url":"(http:\/\/127\.0\.0\.1:\d+)","msg":"instance listening"/.exec(log)?.[1];
      },
      `${name} to listen`,
      30_000,
    );
    // The probes' work, which podman does not do without systemd.
    await until(async () => (await fetch(`${url}/readyz`)).status === 200, `${name} ready`, 30_000);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    urls.push(url);
  }
  await playAcross(urls[0], urls[1]);
  for (const name of KUBE_PODS) await stopGracefully(env, name, shutdownMs);
  podman(["kube", "down", playFile]);
  podman(["rm", "-f", "-v", ...stores]);
  return urls;
}
