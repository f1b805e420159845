// Pulls from a private registry started by the test, with good, wrong and no credentials.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { cleanupDocker, engine, uniqueName } from "../helpers/docker.js";
import { startRegistry, type TestRegistry } from "../helpers/registry.js";
import { jobSpec, runRequest, shell } from "../helpers/spec.js";
import { captureLogger } from "./capture-log.js";

const docker = engine();
const prefix = uniqueName("reg");
let registry: TestRegistry;
let scratch: string;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(join(tmpdir(), "gct-regcfg-"));
});
afterAll(async () => {
  await registry?.forgetImage();
  await registry?.stop();
  await rm(scratch, { recursive: true, force: true });
  await cleanupDocker(docker, prefix);
});
beforeEach(() => registry.forgetImage());

const configWith = async (name: string, content: unknown) => {
  const dir = join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await writeFile(join(dir, "config.json"), JSON.stringify(content));
  return dir;
};

const runPrivate = async (dockerConfig: string) => {
  const { logger, text } = captureLogger();
  const runtime = createDockerRuntime({ logger, env: { DOCKER_CONFIG: dockerConfig } });
  const spec = jobSpec({ name: `${prefix}-job`, image: registry.image, ...shell("echo pulled") });
  const result = await runtime.run(runRequest(spec));
  return { result, log: text() };
};

test("with the credentials docker login wrote, the image is pulled and its digest recorded", async () => {
  const { result } = await runPrivate(registry.dockerConfig);
  expect(result).toMatchObject({ outcome: "succeeded", exitCode: 0, logTail: "pulled" });
  expect(result.imageDigest).toBe(registry.digest);
});

test("with wrong credentials the run is an error saying authentication failed, never the password", async () => {
  const wrong = `wrong-${registry.password}`;
  const dir = await configWith("wrong", {
    auths: {
      [registry.host]: { auth: Buffer.from(`${registry.username}:${wrong}`).toString("base64") },
    },
  });
  const { result, log } = await runPrivate(dir);
  expect(result).toMatchObject({ outcome: "error", exitCode: null, imageDigest: null });
  expect(result.reason).toBe(
    `cannot pull ${registry.image}: authentication failed for ${registry.host} with the credentials in the Docker config.json`,
  );
  for (const text of [result.reason, log]) {
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(Buffer.from(`${registry.username}:${wrong}`).toString("base64"));
  }
});

test("without credentials the run is an error saying so", async () => {
  const dir = await configWith("none", { auths: {} });
  const { result } = await runPrivate(dir);
  expect(result.outcome).toBe("error");
  expect(result.reason).toMatch(/authentication failed for 127\.0\.0\.1:\d+ without credentials/);
});
