import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  RUN_LABEL,
  removeLabelledContainers,
  startContainerPostgres
} from "./chunk-7WQNTSA6.js";
import "./chunk-CELPSRGJ.js";
import "./chunk-4A4U4ET4.js";
import "./chunk-7NVDCJ3V.js";
import "./chunk-JMBS7UGV.js";
export {
  RUN_LABEL,
  removeLabelledContainers,
  startContainerPostgres
};
