import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  RUN_LABEL,
  removeLabelledContainers,
  startContainerPostgres
} from "./chunk-NY66FEUR.js";
import "./chunk-W7AKGTAM.js";
import "./chunk-ZWSXPRV4.js";
import "./chunk-4KI3P23L.js";
import "./chunk-22WNB3OF.js";
import "./chunk-JMBS7UGV.js";
export {
  RUN_LABEL,
  removeLabelledContainers,
  startContainerPostgres
};
