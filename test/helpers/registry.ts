// A private registry for pull tests: Debian's docker-registry with htpasswd auth on a free
// loopback port (the daemon talks plain HTTP to 127.0.0.0/8), holding a copy of the test image.

import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TEST_IMAGE } from "./docker.js";

const exec = promisify(execFile);

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** The pushed image, e.g. `127.0.0.1:5123/gitcron-test/private:1`; not present locally. */
  image: string;
  /** Its digest in the registry. */
  digest: string;
  username: string;
  password: string;
  /** A DOCKER_CONFIG folder whose config.json holds these credentials, as `docker login` wrote it. */
  dockerConfig: string;
  /** Removes the local copy of `image` so the next run has to pull it. */
  forgetImage(): Promise<void>;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "gct-registry-"));
  const username = "gitcron";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const { stdout: htpasswd } = await exec("htpasswd", ["-Bbn", username, password]);
  await writeFile(join(dir, "htpasswd"), htpasswd);
  await mkdir(join(dir, "data"));
  await writeFile(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: { level: error }",
      `storage: { filesystem: { rootdirectory: ${join(dir, "data")} } }`,
      `http: { addr: "${host}" }`,
      `auth: { htpasswd: { realm: gitcron-test, path: ${join(dir, "htpasswd")} } }`,
    ].join("\n"),
  );
  const child = spawn("/usr/bin/docker-registry", ["serve", join(dir, "config.yml")], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForRegistry(host);
    const dockerConfig = join(dir, "docker-config");
    await mkdir(dockerConfig);
    const docker = (...args: string[]) => exec("docker", ["--config", dockerConfig, ...args]);
    await loginWithStdin(dockerConfig, host, username, password);
    const image = `${host}/gitcron-test/private:1`;
    await docker("tag", TEST_IMAGE, image);
    const { stdout } = await docker("push", image);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
    if (!digest) throw new Error(`docker push printed no digest: ${stdout}`);
    const forgetImage = async () => {
      await docker("rmi", image).catch(() => undefined);
    };
    await forgetImage();
    return { host, image, digest, username, password, dockerConfig, forgetImage, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForRegistry(host: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    // Up once /v2/ answers, with 401 since auth is on.
    const status = await fetch(`http://${host}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401 || status === 200) return;
    if (Date.now() > deadline) throw new Error(`the test registry on ${host} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function loginWithStdin(dockerConfig: string, host: string, username: string, password: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      "docker",
      ["--config", dockerConfig, "login", host, "-u", username, "--password-stdin"],
      {
        stdio: ["pipe", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`docker login failed: ${stderr}`)),
    );
    child.stdin.end(password);
  });
}
