import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  FAST_SETTINGS,
  lookupOsUser,
  startLocalPostgres,
  tempBase
} from "./chunk-R3HRMC4B.js";
import "./chunk-WNB2YP7R.js";
import "./chunk-3K7W64DM.js";
import "./chunk-FEFTSOOO.js";
import "./chunk-JMBS7UGV.js";
export {
  FAST_SETTINGS,
  lookupOsUser,
  startLocalPostgres,
  tempBase
};
