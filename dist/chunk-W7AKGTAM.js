import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  PostgresUnavailableError
} from "./chunk-22WNB3OF.js";

// src/postgres/container-runtime.ts
var CONTAINER_MIN_NODE = [22, 22];
var NO_RUNTIME_MESSAGE = "No container runtime answered (Docker or Podman); start one, or set postgres: local or database-url";
function nodeTooOld(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major < CONTAINER_MIN_NODE[0] || major === CONTAINER_MIN_NODE[0] && minor < CONTAINER_MIN_NODE[1];
}
function nodeMessage() {
  return `The container provider needs Node >= ${CONTAINER_MIN_NODE.join(".")} (this is Node ${process.versions.node}); run under Node 24, or set postgres: local or database-url`;
}
var loaded = null;
function loadTestcontainers() {
  if (nodeTooOld()) return Promise.reject(new PostgresUnavailableError(nodeMessage()));
  loaded ??= (async () => {
    try {
      const [testcontainers, postgres] = await Promise.all([
        import("./build-6HWA7FTJ.js"),
        import("./build-WP56O7ML.js")
      ]);
      return { testcontainers, postgres };
    } catch (error) {
      loaded = null;
      throw new PostgresUnavailableError(
        `Could not load testcontainers for the container provider (${error.message}); it needs Node >= ${CONTAINER_MIN_NODE.join(".")}, or set postgres: local or database-url`
      );
    }
  })();
  return loaded;
}
async function probeContainerRuntime(timeoutMs = 5e3) {
  let timer;
  try {
    const { testcontainers } = await loadTestcontainers();
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const client = await Promise.race([testcontainers.getContainerRuntimeClient(), timeout]);
    const runtime = client.info.containerRuntime;
    return {
      available: true,
      description: `${runtime.operatingSystem || "container runtime"} (server API ${runtime.serverVersion}) at ${runtime.remoteSocketPath || runtime.host}`
    };
  } catch (error) {
    const unavailable = error instanceof PostgresUnavailableError ? error : new PostgresUnavailableError(NO_RUNTIME_MESSAGE);
    return { available: false, reason: error.message, error: unavailable };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export {
  loadTestcontainers,
  probeContainerRuntime
};
