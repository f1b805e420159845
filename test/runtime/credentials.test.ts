import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DOCKER_HUB_AUTH_KEY, registryAuthFor } from "../../src/runtime/credentials.js";
import { alwaysPull, parseImageReference } from "../../src/runtime/images.js";

describe("image references are read as Docker reads them", () => {
  test.each([
    ["busybox", { registry: "docker.io", repository: "busybox" }, true],
    ["busybox:latest", { registry: "docker.io", tag: "latest" }, true],
    [
      "acme/report:1.4.2",
      { registry: "docker.io", repository: "acme/report", tag: "1.4.2" },
      false,
    ],
    [
      "ghcr.io/acme/report:1.4.2",
      { registry: "ghcr.io", repository: "ghcr.io/acme/report" },
      false,
    ],
    [
      "127.0.0.1:5000/x/y",
      { registry: "127.0.0.1:5000", repository: "127.0.0.1:5000/x/y", tag: undefined },
      true,
    ],
    ["localhost/x:2", { registry: "localhost", tag: "2" }, false],
    ["r.io/x@sha256:abc", { registry: "r.io", repository: "r.io/x", digest: "sha256:abc" }, false],
  ] as const)("%s", (image, expected, always) => {
    const ref = parseImageReference(image);
    expect(ref).toMatchObject(expected);
    expect(alwaysPull(ref)).toBe(always);
  });
});

describe("registry credentials come from the Docker config.json", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "gct-dockercfg-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const config = (content: unknown) => writeFile(join(dir, "config.json"), JSON.stringify(content));
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  test("no config file: anonymous", async () => {
    expect(await registryAuthFor("r.io", { env: { DOCKER_CONFIG: dir } })).toBeUndefined();
  });

  test("auths with a base64 auth, keys as a host or as a URL; Docker Hub under its legacy key", async () => {
    await config({
      auths: {
        "r.io": { auth: b64("ann:pw:with:colons") },
        "https://other.io/v1/": { auth: b64("bob:pw2") },
        [DOCKER_HUB_AUTH_KEY]: { auth: b64("hub:pw3") },
      },
    });
    const env = { DOCKER_CONFIG: dir };
    expect(await registryAuthFor("r.io", { env })).toEqual({
      username: "ann",
      password: "pw:with:colons",
      serveraddress: "r.io",
    });
    expect(await registryAuthFor("other.io", { env })).toMatchObject({
      username: "bob",
      password: "pw2",
    });
    expect(await registryAuthFor("docker.io", { env })).toEqual({
      username: "hub",
      password: "pw3",
      serveraddress: DOCKER_HUB_AUTH_KEY,
    });
    expect(await registryAuthFor("unknown.io", { env })).toBeUndefined();
  });

  test("credHelpers and credsStore run docker-credential-<name> get, found on the PATH", async () => {
    const bin = join(dir, "bin");
    await mkdir(bin);
    // A real helper: reads the server address on stdin, answers as the CLI's helpers do.
    const helper = (name: string, body: string) =>
      writeFile(join(bin, `docker-credential-${name}`), `#!/bin/sh\nread server\n${body}\n`).then(
        () => chmod(join(bin, `docker-credential-${name}`), 0o755),
      );
    await helper(
      "pass",
      `echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"u-$server\\",\\"Secret\\":\\"s\\"}"`,
    );
    await helper("token", `echo '{"Username":"<token>","Secret":"tok"}'`);
    await helper("none", `echo "credentials not found in native keychain"; exit 1`);
    await config({
      credsStore: "pass",
      credHelpers: { "t.io": "token", "n.io": "none" },
      auths: { "n.io": { auth: b64("fallback:pw") } },
    });
    const env = { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH}` };
    expect(await registryAuthFor("r.io", { env })).toEqual({
      username: "u-r.io",
      password: "s",
      serveraddress: "r.io",
    });
    expect(await registryAuthFor("t.io", { env })).toEqual({
      identitytoken: "tok",
      serveraddress: "t.io",
    });
    expect(await registryAuthFor("n.io", { env })).toMatchObject({
      username: "fallback",
      password: "pw",
    });
  });

  test("a broken helper is one sentence that names the helper and holds no secret", async () => {
    const bin = join(dir, "bin");
    await mkdir(bin);
    // Helpers that fail after printing what they found: a wrapper under `set -e` whose last
    // step fails, and one tracing its steps on stderr.
    const secret = "s3cr3t-from-the-keychain";
    const found = `{"ServerURL":"r.io","Username":"ann","Secret":"${secret}"}`;
    const helpers = {
      printed: `echo '${found}'; exit 1`,
      traced: `echo "+ printf '%s' '${found}'" >&2; exit 1`,
    };
    for (const [name, body] of Object.entries(helpers)) {
      const file = join(bin, `docker-credential-${name}`);
      await writeFile(file, `#!/bin/sh\nread server\n${body}\n`);
      await chmod(file, 0o755);
    }
    const failure = async (store: string, path: string) => {
      await config({ credsStore: store });
      const error = await registryAuthFor("r.io", {
        env: { DOCKER_CONFIG: dir, PATH: path },
      }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      return (error as Error).message;
    };
    const messages = {
      missing: await failure("missing-helper-xyz", "/nonexistent"),
      printed: await failure("printed", bin),
      traced: await failure("traced", bin),
    };
    expect(messages.missing).toMatch(
      /^the Docker credential helper docker-credential-missing-helper-xyz failed: /,
    );
    for (const name of ["printed", "traced"] as const) {
      // The payload is live: the helper does print the secret, and fails.
      const ran = spawnSync(join(bin, `docker-credential-${name}`), ["get"], { input: "r.io\n" });
      expect([ran.status, `${ran.stdout}${ran.stderr}`]).toEqual([
        1,
        expect.stringContaining(secret),
      ]);
      expect(messages[name]).toBe(
        `the Docker credential helper docker-credential-${name} failed: its output is not quoted, as it may hold the credentials`,
      );
    }
    for (const message of Object.values(messages)) {
      expect(message).not.toContain(secret);
      expect(message).not.toContain("\n");
    }
  });
});
