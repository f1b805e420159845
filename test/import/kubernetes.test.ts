// The Kubernetes CronJob docs' manifest, and one with every field gitcron maps: each maps to its
// field, and everything else is named in a comment.

import { describe, expect, test } from "vitest";
import { comments, importFixture, importText } from "./helpers.js";

describe("the CronJob docs' example", () => {
  test("args are the command, and the container's command the entrypoint", () => {
    const withArgs = importFixture("k8s-cronjob.yaml");
    expect(withArgs.issues).toEqual([]);
    expect(withArgs.jobs.map((j) => [j.name, j.data])).toEqual([
      [
        "hello",
        {
          schedule: "*/1 * * * *",
          image: "busybox",
          command: ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
          missed: "run-once",
        },
      ],
    ]);
    const withCommand = importFixture("k8s-cronjob-command.yaml");
    expect(withCommand.jobs[0]?.data).toMatchObject({
      entrypoint: ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
    });
  });

  test("imagePullPolicy, restartPolicy and the controller's zone are said in comments", () => {
    const text = comments(importFixture("k8s-cronjob.yaml").jobs[0]?.text ?? "");
    expect(text).toContain('from k8s-cronjob.yaml:3, Kubernetes CronJob "hello" (batch/v1beta1)');
    expect(text).toContain(
      "container.imagePullPolicy: IfNotPresent: gitcron pulls an image when it is missing",
    );
    expect(text).toContain(
      "template.spec.restartPolicy: OnFailure: a failed run is re-run by retries:",
    );
    expect(text).toContain("kube-controller-manager's zone");
  });
});

describe("a manifest with every mapped field, several documents and two containers", () => {
  const { jobs, issues } = importFixture("k8s-full.yaml");

  test("each field maps", () => {
    expect(jobs.map((j) => j.name)).toEqual(["nightly-report", "every-ten-minutes"]);
    expect(jobs[0]?.data).toEqual({
      schedule: "30 2 * * *",
      timezone: "Europe/Amsterdam",
      image: "busybox:1.28",
      entrypoint: ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
      user: "1000:1000",
      tty: true,
      env: { LEVEL: "info", SECRET_USERNAME: { fromEnv: "SECRET_BACKEND_USER_USERNAME" } },
      resources: { cpus: 0.5, memory: "128Mi" },
      overlap: "skip",
      retries: { limit: 2, backoff: "10s" },
      timeout: "15m",
      missed: "run-once",
      startingDeadline: "10m",
      suspended: true,
      labels: { team: "data" },
    });
    expect(jobs[1]?.data).toMatchObject({
      schedule: "*/10 * * * *",
      overlap: "replace",
      command: ["date"],
    });
  });

  test("what has no equivalent is named, and the second container is said to be left out", () => {
    const text = comments(jobs[0]?.text ?? "");
    for (const said of [
      'The job\'s name "nightly-report" is made from "nightly.report"',
      'was Secret "backend-user" key "username": start the agent with SECRET_BACKEND_USER_USERNAME set',
      "env REPORT_LEVEL comes from configMapKeyRef: left out",
      "resources.requests",
      "labels app.kubernetes.io/name",
      "metadata.namespace: data",
      'only the first, "hello", is imported',
      '"log-shipper" left out',
      "spec.successfulJobsHistoryLimit: 3",
      "jobTemplate.spec.ttlSecondsAfterFinished: 100",
      "was concurrencyPolicy: Forbid",
      "was backoffLimit: 2",
      "was activeDeadlineSeconds: 900",
      "was startingDeadlineSeconds: 600",
    ])
      expect(text).toContain(said);
  });

  test("a document that is no CronJob is left aside with a warning at its line", () => {
    expect(issues.map((i) => [i.line, i.severity, i.message])).toEqual([
      [6, "warning", "a ConfigMap, not a CronJob: left aside"],
    ]);
  });
});

describe("manifests that cannot come over", () => {
  test("a schedule gitcron cannot read, and a CronJob without an image, are refused at their line", () => {
    const manifest = [
      "apiVersion: batch/v1",
      "kind: CronJob",
      "metadata: { name: odd }",
      "spec:",
      '  schedule: "@every 7m"',
      "  jobTemplate: { spec: { template: { spec: { containers: [{ name: x, image: busybox }] } } } }",
      "---",
      "apiVersion: batch/v1",
      "kind: CronJob",
      "metadata: { name: empty }",
      "spec:",
      '  schedule: "@daily"',
      "  jobTemplate: { spec: { template: { spec: { containers: [] } } } }",
    ].join("\n");
    const { jobs, issues } = importText(manifest, "cronjobs.yaml");
    expect(jobs).toEqual([]);
    expect(issues.map((i) => [i.line, i.col, i.rule])).toEqual([
      [5, 13, "import.schedule"],
      [13, 16, "import.kubernetes"],
    ]);
  });
});
