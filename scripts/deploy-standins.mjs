// Stand-ins for the public images that the product files name, for machines that reach no
// container registry: a Debian bookworm made by debootstrap (cached in ~/.cache/chess-server/),
// and on it node:20-slim (this machine's own node and npm, which run unchanged there), redis:7 and
// nginx:1.27 (Debian's packages), each tagged with the public name so that the Containerfile and
// compose.yaml build and run unchanged, with nothing to pull. An image of that name that is no
// stand-in (pulled from a registry) is used as it is and never overwritten.
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { goBinary, run, runShown } from "./deploy-podman.mjs";

export const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "chess-server");
const LABEL = "chess-server.standin";
const BASE = "localhost/chess-standin-debian:bookworm";

export const IMAGES = {
  debian: "docker.io/library/debian:bookworm-slim",
  node: "docker.io/library/node:20-slim",
  redis: "docker.io/library/redis:7",
  nginx: "docker.io/library/nginx:1.27",
  ferretdb: "localhost/chess-ferretdb:1.24.2",
};

/** The stand-in label of an image: null when there is no such image, "" when it is a real one. */
function standinLabel(env, image) {
  if (run("podman", ["image", "exists", image], { env, allowFail: true }).status !== 0) return null;
  const fmt = `{{index .Labels "${LABEL}"}}`;
  const out = run("podman", ["image", "inspect", "--format", fmt, image], { env }).stdout.trim();
  return out === "<no value>" ? "" : out;
}

/** debootstrap's minbase bookworm as a tar, made once (30–50 s) and kept in the cache. */
function baseTar() {
  const tar = join(CACHE, "standin-bookworm-minbase.tar");
  if (existsSync(tar)) return tar;
  const root = join(CACHE, `standin-root-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  console.log("debootstrap: a minimal Debian bookworm for the stand-in base images (once)…");
  runShown("debootstrap", ["--variant=minbase", "bookworm", root]);
  // What a slim image leaves out: the downloaded packages, apt's lists, documentation.
  for (const dir of [
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
  ])
    rmSync(join(root, dir), { recursive: true, force: true });
  mkdirSync(join(root, "var/cache/apt/archives/partial"), { recursive: true });
  mkdirSync(join(root, "var/lib/apt/lists/partial"), { recursive: true });
  run("tar", ["-C", root, "-cf", `${tar}.tmp`, "."]);
  renameSync(`${tar}.tmp`, tar);
  rmSync(root, { recursive: true, force: true });
  return tar;
}

/** Builds `image` from a generated Containerfile unless an up-to-date one (or a real one) exists. */
function standin(env, image, containerfile, files = {}) {
  const recipe = createHash("sha256").update(containerfile);
  for (const src of Object.values(files)) recipe.update(src);
  const version = recipe.digest("hex").slice(0, 12);
  const label = standinLabel(env, image);
  if (label === "" || label === version) return;
  const ctx = join(CACHE, `standin-ctx-${process.pid}`);
  rmSync(ctx, { recursive: true, force: true });
  mkdirSync(ctx, { recursive: true });
  for (const [name, src] of Object.entries(files))
    cpSync(src, join(ctx, name), { recursive: true });
  writeFileSync(join(ctx, "Containerfile"), `${containerfile}LABEL ${LABEL}=${version}\n`);
  console.log(`building the stand-in ${image}…`);
  try {
    runShown("podman", ["build", "--pull=never", "--format", "docker", "-t", image, ctx], { env });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

const APT = (pkgs) =>
  `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs} && rm -rf /var/lib/apt/lists/*\n`;

/** Every stand-in image the deploy test needs. */
export function ensureStandins(env) {
  mkdirSync(CACHE, { recursive: true });
  if (standinLabel(env, BASE) === null) {
    run("podman", ["import", "--change", `LABEL ${LABEL}=base`, baseTar(), BASE], { env });
  }
  standin(env, IMAGES.debian, `FROM ${BASE}\n`);
  // The machine reaches the npm registry through a TLS proxy whose CA is in the host's bundle:
  // the stand-in carries that bundle (the product's Containerfile needs nothing for it).
  const ca = process.env.NODE_EXTRA_CA_CERTS ?? "/etc/ssl/certs/ca-certificates.crt";
  const nodeVersion = run(process.execPath, ["--version"]).stdout.trim();
  standin(
    env,
    IMAGES.node,
    `FROM ${BASE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca.pem /etc/ssl/certs/host-ca.pem
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca.pem NODE_VERSION=${nodeVersion}
CMD ["node"]
`,
    { node: process.execPath, npm: "/usr/lib/node_modules/npm", "ca.pem": ca },
  );
  standin(
    env,
    IMAGES.redis,
    `FROM ${BASE}\n${APT("redis-server")}WORKDIR /data\nCMD ["redis-server"]\n`,
  );
  standin(env, IMAGES.nginx, `FROM ${BASE}\n${APT("nginx")}CMD ["nginx", "-g", "daemon off;"]\n`);
}

/**
 * The FerretDB image that stands in for MongoDB: tools/ferretdb built statically once per source
 * version (cached), then put in an image by tools/ferretdb/Containerfile.
 */
export function ensureFerretdbImage(env, root) {
  const src = join(root, "tools", "ferretdb");
  const hash = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum", "Containerfile"])
    hash.update(readFileSync(join(src, f)));
  const dir = join(CACHE, `ferretdb-static-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(join(dir, "ferretdb"))) {
    console.log("building FerretDB 1.24.2 for its image (first time only: one to a few minutes)…");
    mkdirSync(dir, { recursive: true });
    // Static (no cgo), so that it runs on any base; SQLite is modernc's pure Go.
    runShown(goBinary(), ["build", "-o", join(dir, "ferretdb.tmp"), "."], {
      cwd: src,
      env: { ...process.env, CGO_ENABLED: "0" },
    });
    renameSync(join(dir, "ferretdb.tmp"), join(dir, "ferretdb"));
  }
  runShown(
    "podman",
    [
      "build",
      "--pull=never",
      "--format",
      "docker",
      "-q",
      "-t",
      IMAGES.ferretdb,
      "-f",
      join(src, "Containerfile"),
      dir,
    ],
    { env },
  );
}
