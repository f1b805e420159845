import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  containerCreateOptions,
  RESTRICTED_TMPFS,
  resolveEnv,
} from "../../src/runtime/container-config.js";
import { checkHostPaths, hostPathRefusal } from "../../src/runtime/host-paths.js";
import { LABEL } from "../../src/runtime/names.js";
import { jobSpec, runRequest } from "../helpers/spec.js";

describe("env: literal values and fromEnv read at run time", () => {
  test("fromEnv values are resolved and reported as secrets", () => {
    const resolved = resolveEnv(
      { name: "job", env: { LEVEL: { value: "info" }, KEY: { fromEnv: "SECRET_KEY" } } },
      { SECRET_KEY: "k-123" },
      ["SECRET_*"],
    );
    expect(resolved).toEqual({
      env: ["LEVEL=info", "KEY=k-123"],
      secrets: ["k-123"],
      secretNames: ["KEY"],
    });
  });
  test("a missing variable refuses the run, naming the variable, not a value", () => {
    expect(() =>
      resolveEnv({ name: "job", env: { KEY: { fromEnv: "SECRET_MISSING" } } }, { OTHER: "v" }, [
        "SECRET_*",
      ]),
    ).toThrow(/SECRET_MISSING .*not set/);
  });

  test.each([
    ["GITCRON_GIT_TOKEN", ["*"], /GITCRON_\* settings are never passed/],
    ["HOME", ["SECRET_*"], /does not match the agent's --secret-env \(SECRET_\*\)/],
    ["SECRET_OTHER_KEY", ["SECRET_{JOB}_*"], /for job nightly-report/],
  ])(
    "the policy is asked again: fromEnv %s under %j is refused without reading it",
    (name, patterns, why) => {
      const env = new Proxy(
        { GITCRON_GIT_TOKEN: "t0ken-value", HOME: "/root", SECRET_OTHER_KEY: "k" },
        {
          get: (target, key) => {
            if (key === name) throw new Error("the value was read");
            return Reflect.get(target, key);
          },
        },
      );
      expect(() =>
        resolveEnv({ name: "nightly-report", env: { X: { fromEnv: name } } }, env, patterns),
      ).toThrow(why);
    },
  );

  test("{JOB} lets a job read its own variables", () => {
    const resolved = resolveEnv(
      { name: "nightly-report", env: { X: { fromEnv: "SECRET_NIGHTLY_REPORT_KEY" } } },
      { SECRET_NIGHTLY_REPORT_KEY: "mine" },
      ["SECRET_{JOB}_*"],
    );
    expect(resolved.env).toEqual(["X=mine"]);
  });

  test("{JOB} is a whole name: job nightly may not read nightly-report's variables", () => {
    const read = () =>
      resolveEnv(
        { name: "nightly", env: { X: { fromEnv: "SECRET_NIGHTLY_REPORT_KEY" } } },
        { SECRET_NIGHTLY_REPORT_KEY: "not-yours" },
        ["SECRET_{JOB}_*"],
      );
    expect(read).toThrow(/for job nightly$/);
  });
});

describe("host paths (SPEC §4), enforced again at run time", () => {
  test.each([
    { path: "/srv/exports/x", allowed: ["/srv/exports"], refused: true },
    { path: "/srv/exports/", allowed: ["/srv/exports"], refused: false },
    { path: "/srv/exports", allowed: ["/srv/exports/"], refused: false },
    { path: "/srv/exports2", allowed: ["/srv/exports"], refused: true },
    { path: "/srv/exports/../../etc", allowed: ["/srv/exports"], refused: true },
    { path: "/var/run/docker.sock", allowed: ["/var/run"], refused: true },
    { path: "/var", allowed: ["/"], refused: true },
    { path: "/data", allowed: ["/"], refused: true },
    { path: "/", allowed: ["/"], refused: true },
    { path: "/etc/ssl", allowed: ["/etc"], refused: true },
    { path: "relative/path", allowed: ["/srv"], refused: true },
    { path: "/srv/x", allowed: [], refused: true },
  ])("$path with allowed $allowed → refused: $refused", ({ path, allowed, refused }) => {
    expect(hostPathRefusal(path, allowed) !== undefined).toBe(refused);
  });

  test("an allowed entry that is itself a link to a never-mounted folder is refused", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gct-hostpath-"));
    try {
      const innocent = join(dir, "innocent");
      await symlink("/etc", innocent);
      await expect(checkHostPaths([innocent], [innocent])).rejects.toThrow(
        /links to \/etc, which exposes \/etc/,
      );
      // A sub-folder is refused before any link is looked at.
      await expect(checkHostPaths([join(innocent, "ssl")], [innocent])).rejects.toThrow(
        /only the listed folders themselves/,
      );
      await expect(checkHostPaths([dir], [dir])).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("container options enforce the policy whatever the spec says", () => {
  const build = (
    overrides: Parameters<typeof jobSpec>[0],
    level: "baseline" | "restricted" = "baseline",
    imageUser = "",
  ) =>
    containerCreateOptions({
      request: runRequest(jobSpec(overrides), {
        policy: { level },
        revision: "abc123",
        trigger: "schedule",
      }),
      name: "gitcron-x-1",
      env: { env: ["A=1", "K=v"], secrets: ["v"], secretNames: ["K"] },
      imageUser,
      pidsLimit: 512,
      stopGraceMs: 10_000,
    });

  test("baseline: no-new-privileges, PID limit, never privileged, no capabilities added", () => {
    const o = build({ name: "x", resources: { cpus: 0.5, memoryBytes: 256 * 1024 * 1024 } });
    expect(o.HostConfig).toMatchObject({
      SecurityOpt: ["no-new-privileges"],
      PidsLimit: 512,
      Privileged: false,
      NanoCpus: 500_000_000,
      Memory: 268_435_456,
      ReadonlyRootfs: false,
    });
    expect(o.HostConfig?.CapAdd).toBeUndefined();
    expect(o.HostConfig?.PidMode).toBeUndefined();
    expect(o.StopTimeout).toBe(10);
  });

  test("restricted: all capabilities dropped, read-only root, tmpfs /tmp", () => {
    const o = build({ name: "x", user: "1000:1000" }, "restricted");
    expect(o.HostConfig).toMatchObject({
      CapDrop: ["ALL"],
      ReadonlyRootfs: true,
      Tmpfs: RESTRICTED_TMPFS,
    });
    expect(o.User).toBe("1000:1000");
  });

  test.each([undefined, "root", "0", "0:0", "admin", "admin:1000"])(
    "restricted refuses user %s",
    (user) => {
      expect(() => build({ name: "x", user }, "restricted")).toThrow(/numeric non-root user/);
    },
  );

  test("restricted accepts a numeric non-root USER from the image", () => {
    expect(build({ name: "x" }, "restricted", "65534").User).toBeUndefined();
  });

  test.each(["admin", "nobody", "0"])("restricted refuses the image's USER %s", (imageUser) => {
    expect(() => build({ name: "x" }, "restricted", imageUser)).toThrow(
      /the image's USER .* set user/,
    );
  });

  test.each(["host", "container:abc"])("network %s is refused", (network) => {
    expect(() => build({ name: "x", network })).toThrow(/refused/);
  });

  test("labels: gitcron's own win over the job's, secret variable names (not values) recorded", () => {
    const o = build({ name: "x", labels: { team: "data", "gitcron.run": "spoofed" } });
    expect(o.Labels).toMatchObject({
      team: "data",
      [LABEL.job]: "x",
      [LABEL.revision]: "abc123",
      [LABEL.trigger]: "schedule",
      [LABEL.attempt]: "1",
      [LABEL.redact]: "K",
    });
    expect(o.Labels?.[LABEL.run]).toMatch(/^x-\d{8}T\d{6}Z-1$/);
    expect(JSON.stringify(o.Labels)).not.toContain("=v");
  });

  test("volumes and host paths become mounts", () => {
    const o = build({
      name: "x",
      volumes: [
        { kind: "volume", volume: "reports", path: "/data", readOnly: false },
        { kind: "hostPath", hostPath: "/srv/exports", path: "/exports", readOnly: true },
      ],
    });
    expect(o.HostConfig?.Mounts).toEqual([
      { Type: "volume", Source: "reports", Target: "/data", ReadOnly: false },
      { Type: "bind", Source: "/srv/exports", Target: "/exports", ReadOnly: true },
    ]);
  });
});
