// The tool's version, written into every report; kept equal to package.json's by test/dist.test.ts.
export const TOOL_VERSION = '0.1.0'
