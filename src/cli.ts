#!/usr/bin/env node
// The terminal front end: flags in, report out, exit status from the verdict.
import { runCli } from './cli/run.js'

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  isTty: process.stdout.isTTY === true
})
