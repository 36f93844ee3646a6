import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  loadTestcontainers,
  probeContainerRuntime
} from "./chunk-W7AKGTAM.js";
import {
  FAST_SETTINGS
} from "./chunk-ZWSXPRV4.js";
import {
  DatabaseAdmin,
  DatabaseNamer,
  LogTail,
  OwnedResources,
  serverHandle
} from "./chunk-4KI3P23L.js";

// src/postgres/container.ts
import { randomBytes } from "node:crypto";
var RUN_LABEL = "io.github.django-migration-review.run";
var TMPFS_DIR = "/var/lib/dmr-tmpfs";
async function startContainerPostgres(options, resources, logger) {
  const { testcontainers, postgres } = await loadTestcontainers();
  const probe = await probeContainerRuntime(options.probeTimeoutMs ?? 5e3);
  if (!probe.available) {
    logger.debug(`container runtime probe: ${probe.reason}`);
    throw probe.error;
  }
  logger.debug(`container runtime: ${probe.description}`);
  const runId = resources.runId;
  const containerLog = new LogTail();
  const password = randomBytes(12).toString("hex");
  const command = ["postgres"];
  for (const [name, value] of Object.entries({ ...FAST_SETTINGS, ...options.settings })) command.push("-c", `${name}=${value}`);
  const container = new postgres.PostgreSqlContainer(options.image).withUsername("postgres").withPassword(password).withDatabase("postgres").withCommand(command).withEnvironment({ PGDATA: `${TMPFS_DIR}/data`, POSTGRES_INITDB_ARGS: "--no-sync" }).withTmpFs({ [TMPFS_DIR]: "rw" }).withLabels({ [RUN_LABEL]: runId }).withStartupTimeout(options.startupTimeoutMs ?? 12e4).withLogConsumer((stream) => containerLog.attach(stream));
  const owned = new OwnedResources(resources, logger);
  let started = null;
  await owned.add(
    `postgres container (${options.image})`,
    async () => {
      if (started) await started.stop({ remove: true, removeVolumes: true, timeout: 0 });
      const client = await testcontainers.getContainerRuntimeClient();
      const leftovers = await client.container.dockerode.listContainers({
        all: true,
        filters: { label: [`${RUN_LABEL}=${runId}`] }
      });
      for (const info of leftovers) {
        await client.container.dockerode.getContainer(info.Id).remove({ force: true, v: true });
      }
    },
    { kind: "container", label: RUN_LABEL, value: runId }
  );
  try {
    const begun = performance.now();
    try {
      started = await container.start();
    } catch (error) {
      const log = containerLog.text();
      throw new Error(
        `Could not start a Postgres container from ${options.image}: ${error.message}${log ? `
${log}` : ""}`
      );
    }
    const startMs = Math.round(performance.now() - begun);
    const host = started.getHost();
    const port = started.getPort();
    const connection = (database) => ({ host, port, user: "postgres", password, database });
    const admin = await DatabaseAdmin.connect(connection("postgres"), { logger, namer: new DatabaseNamer(`dmr_${resources.runId}_`) });
    await owned.add("admin connection", () => admin.close({ dropDatabases: false }));
    const { version } = await admin.serverVersion();
    const containerId = started.getId();
    const description = `PostgreSQL ${version} in a container from ${options.image} (${containerId.slice(0, 12)}, ${host}:${port})`;
    logger.info(`Started ${description} in ${startMs} ms`);
    return {
      ...serverHandle("container", { version, description, connection, env: options.env }, admin, owned),
      containerId,
      image: options.image
    };
  } catch (error) {
    await owned.releaseAll();
    throw error;
  }
}
async function removeLabelledContainers(label, value) {
  const { testcontainers } = await loadTestcontainers();
  const client = await testcontainers.getContainerRuntimeClient();
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${label}=${value}`] } });
  for (const info of found) await client.container.dockerode.getContainer(info.Id).remove({ force: true, v: true });
  return found.length;
}

export {
  RUN_LABEL,
  startContainerPostgres,
  removeLabelledContainers
};
