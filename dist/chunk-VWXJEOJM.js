import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  sweepLeftovers
} from "./chunk-RGEDZ3GP.js";
import {
  removeLabelledContainers
} from "./chunk-NY66FEUR.js";

// src/review/leftovers.ts
function removeEarlierLeftovers(directory, currentRunId, logger) {
  return sweepLeftovers(directory, { exceptRunId: currentRunId, removeContainers: removeLabelledContainers, logger });
}
function removeRunLeftovers(directory, runId, logger) {
  return sweepLeftovers(directory, { runId, removeContainers: removeLabelledContainers, logger });
}

export {
  removeEarlierLeftovers,
  removeRunLeftovers
};
