import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  post
} from "./chunk-D54XCBSG.js";
import "./chunk-NKK7ZMBY.js";
import "./chunk-RGEDZ3GP.js";
import "./chunk-LFEO4HGM.js";
import "./chunk-W7AKGTAM.js";
import "./chunk-NZAPQPIE.js";
import "./chunk-4KI3P23L.js";
import "./chunk-22WNB3OF.js";
import "./chunk-JMBS7UGV.js";

// src/post-index.ts
await post();
