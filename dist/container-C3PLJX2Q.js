import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  RUN_LABEL,
  removeLabelledContainers,
  startContainerPostgres
} from "./chunk-TGA4UPQO.js";
import "./chunk-ECDJX7Z5.js";
import "./chunk-DB7JTVB4.js";
import "./chunk-OMC7XPTM.js";
import "./chunk-JMBS7UGV.js";
export {
  RUN_LABEL,
  removeLabelledContainers,
  startContainerPostgres
};
