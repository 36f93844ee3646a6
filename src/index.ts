// The Action's entry point: GitHub runs dist/index.js, which only calls run().
import { run } from './main.js'

await run()
