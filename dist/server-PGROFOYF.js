import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  startServer
} from "./chunk-MNCP7LLC.js";
import "./chunk-W7AKGTAM.js";
import "./chunk-22WNB3OF.js";
import "./chunk-JMBS7UGV.js";
export {
  startServer
};
